from django.db import migrations


class Migration(migrations.Migration):
    """API tokens are now knox's (digests that expire). The old table kept every token in clear, so it
    goes, and with it every old token: clients sign in again."""

    dependencies = [
        ("registration", "0009_photo_bounds_of_seed_003"),
        ("knox", "0009_extend_authtoken_field"),
    ]

    operations = [
        migrations.RunSQL("DROP TABLE IF EXISTS authtoken_token", reverse_sql=migrations.RunSQL.noop),
    ]
