"""manage.py signing_keys list | rotate [--algorithm ALG] | retire [--kid=KID]"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

import clock
from auth_api.models import SigningKey
from auth_api.tokens import keys


class Command(BaseCommand):
    help = "List, rotate or retire the key pairs that sign access tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        commands.add_parser("list", help="every key, its state and until when it verifies")
        rotate = commands.add_parser("rotate", help="a new key signs from now on")
        rotate.add_argument("--algorithm", choices=keys.ALGORITHMS, default=None)
        rotate.add_argument(
            "--now",
            action="store_true",
            help="sign with the new key at once (default: after SIGNING_KEY_ACTIVATION_SECONDS, "
            "so every verifier's cached JWKS has it first)",
        )
        retire = commands.add_parser(
            "retire", help="stop publishing keys whose tokens have all expired"
        )
        retire.add_argument(
            "--kid",
            help="retire this key now (a compromised key); --kid=KID, as a kid may begin with -",
        )

    def handle(self, *args, action: str, **options) -> None:
        if (settings.JWT_PRIVATE_KEY or settings.JWT_PRIVATE_KEY_FILE) and action != "list":
            raise CommandError("Keys come from JWT_PRIVATE_KEY(_FILE): rotate them there.")
        if action == "rotate":
            key = keys.rotate(algorithm=options["algorithm"], now_=options["now"])
            self.stdout.write(
                f"{key.kid} ({key.algorithm}) published now, signs from "
                f"{key.active_from:%Y-%m-%d %H:%M:%S}Z"
            )
        elif action == "retire":
            retired = keys.retire(kid=options["kid"])
            if options["kid"] and not retired:
                raise CommandError(f"no key {options['kid']} to retire")
            self.stdout.write(f"retired: {', '.join(retired) or 'none'}")
        self._list()

    def _list(self) -> None:
        ring = keys.keyring(force=True)
        now = clock.now()
        if settings.JWT_PRIVATE_KEY or settings.JWT_PRIVATE_KEY_FILE:
            self.stdout.write(f"{ring.signing.kid}  {ring.signing.algorithm}  from the PEM, signs")
            return
        for row in SigningKey.objects.order_by("created_at"):
            key = ring.keys.get(row.kid)
            if row.retired_at or key is None:
                state = "retired"
            elif key.kid == ring.signing.kid:
                state = "active (signs)"
            elif row.active_from > now:
                state = f"published, signs from {row.active_from:%Y-%m-%d %H:%M:%S}Z"
            elif key.accepted_until and key.accepted_until > now:
                state = f"published until {key.accepted_until:%Y-%m-%d %H:%M:%S}Z"
            else:
                state = "expired (retire it)"
            created = f"{row.created_at:%Y-%m-%d %H:%M}"
            self.stdout.write(f"{row.kid}  {row.algorithm:6}  {created}  {state}")
