from django.db import migrations, models

# Every UPDATE of an application row bumps its revision, in the same statement, whatever code wrote it
# (a service's save, a sweep's bulk UPDATE): the cached API body is keyed on it.
POSTGRESQL_TRIGGER = """
CREATE FUNCTION registration_application_revision() RETURNS trigger AS $$
BEGIN
    NEW.revision := OLD.revision + 1;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER registration_application_revision
    BEFORE UPDATE ON registration_application
    FOR EACH ROW EXECUTE FUNCTION registration_application_revision();
"""
POSTGRESQL_DROP = """
DROP TRIGGER IF EXISTS registration_application_revision ON registration_application;
DROP FUNCTION IF EXISTS registration_application_revision();
"""
# SQLite has no BEFORE-assignment: the trigger updates the row again (recursive triggers are off).
SQLITE_TRIGGER = """
CREATE TRIGGER registration_application_revision
    AFTER UPDATE ON registration_application
    FOR EACH ROW
BEGIN
    UPDATE registration_application SET revision = OLD.revision + 1 WHERE id = NEW.id;
END;
"""
SQLITE_DROP = "DROP TRIGGER IF EXISTS registration_application_revision;"


def create_trigger(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_TRIGGER)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_TRIGGER)


def drop_trigger(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_DROP)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("registration", "0007_chinese_field_labels"),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="revision",
            field=models.PositiveBigIntegerField(default=0, editable=False, verbose_name="版本号"),
        ),
        migrations.RunPython(create_trigger, drop_trigger),
    ]
