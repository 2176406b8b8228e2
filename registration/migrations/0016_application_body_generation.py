"""The generation of the cached application bodies as a PostgreSQL sequence
(registration/application_bodies.py): read with an application's revision by the statement every
read of a body makes, bumped without a lock and without waiting for the writer's commit, as the
cache's INCR it replaces. Elsewhere (SQLite, the embedded default) the cache keeps it."""

from django.db import migrations

SEQUENCE = "registration_application_body_generation"


def create_sequence(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE SEQUENCE {SEQUENCE}")
        # Called once, so that the next call moves last_value on (a sequence never called yet
        # answers its first value twice).
        schema_editor.execute(f"SELECT nextval('{SEQUENCE}')")


def drop_sequence(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP SEQUENCE IF EXISTS {SEQUENCE}")


class Migration(migrations.Migration):
    dependencies = [
        ("registration", "0015_queue_indexes_end_with_id"),
    ]

    operations = [
        migrations.RunPython(create_sequence, drop_sequence),
    ]
