"""One name per concept: a code's and a security event's `type`, a sign-in's `auth_time`.
Columns are renamed in place (no data moves)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("auth_api", "0005_account_self_service")]

    operations = [
        migrations.RenameField("onetimecode", "otp_type", "type"),
        # The unique index follows the renamed column in the database; only the model state
        # still names the old field in its constraint.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveConstraint("onetimecode", "one_code_per_email_type_flow"),
                migrations.AddConstraint(
                    "onetimecode",
                    models.UniqueConstraint(
                        fields=["email", "type", "flow_id"], name="one_code_per_email_type_flow"
                    ),
                ),
            ]
        ),
        migrations.RenameField("securityevent", "kind", "type"),
        migrations.RenameField("signin", "authenticated_at", "auth_time"),
    ]
