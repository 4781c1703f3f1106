import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import users.fields


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ImportedRow",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("two_factor", "twoFactor row (TOTP secret, backup codes) of a user"),
                            ("passkey", "passkey"),
                        ],
                        max_length=16,
                    ),
                ),
                ("key", users.fields.ExactMatchCharField(max_length=64)),
                ("digest", models.CharField(max_length=64)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("kind", "key"), name="legacy_imported_row_kind_key"
                    )
                ],
            },
        ),
    ]
