"""The per-address guard is keyed by a keyed hash of the address instead of the address: it can
outlive a deleted account without naming anybody. Existing rows are re-keyed in place."""

from django.db import migrations, models
from django.utils.crypto import salted_hmac


def _key(email: str) -> str:
    return salted_hmac("auth_api.guard", email, algorithm="sha256").hexdigest()


def rekey(apps, schema_editor):
    guard = apps.get_model("auth_api", "AccountGuard")
    for email in list(guard.objects.values_list("email", flat=True)):
        guard.objects.filter(email=email).update(email=_key(email))


class Migration(migrations.Migration):
    dependencies = [("auth_api", "0009_code_links")]

    operations = [
        migrations.RunPython(rekey, migrations.RunPython.noop),
        migrations.RenameField("accountguard", "email", "address_key"),
        migrations.AlterField(
            "accountguard",
            "address_key",
            models.CharField(max_length=64, primary_key=True, serialize=False),
        ),
    ]
