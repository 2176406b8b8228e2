"""The sandbox gateway's tables leave payments for the payments_sandbox app.

Payments forgets the three models (state only). In the database, tables holding no row are dropped:
that is every production database (the sandbox has never been allowed there) and a fresh one. Tables
holding rows (a development database whose sandbox was used) are kept for payments_sandbox's 0001,
which takes them over under its own names, so no trade, key pair or pending notification is lost.
"""

from django.db import migrations

SANDBOX_MODELS = ("SandboxNotification", "SandboxTrade", "SandboxApp")


def drop_empty_sandbox_tables(apps, schema_editor):
    models = [apps.get_model("payments", name) for name in SANDBOX_MODELS]
    existing = set(schema_editor.connection.introspection.table_names())
    models = [model for model in models if model._meta.db_table in existing]
    if any(model.objects.using(schema_editor.connection.alias).exists() for model in models):
        return
    for model in models:
        schema_editor.delete_model(model)


def recreate_missing_sandbox_tables(apps, schema_editor):
    existing = set(schema_editor.connection.introspection.table_names())
    for name in reversed(SANDBOX_MODELS):
        model = apps.get_model("payments", name)
        if model._meta.db_table not in existing:
            schema_editor.create_model(model)


class Migration(migrations.Migration):
    dependencies = [("payments", "0006_statement_heartbeat")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name=name) for name in SANDBOX_MODELS],
            database_operations=[migrations.RunPython(drop_empty_sandbox_tables, recreate_missing_sandbox_tables)],
        ),
    ]
