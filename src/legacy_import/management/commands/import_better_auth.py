import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from legacy_import.cipher import Keys
from legacy_import.factors import secret_problem
from legacy_import.importer import import_better_auth
from legacy_import.progress import Progress
from legacy_import.source import Source, open_source
from legacy_import.verify import verify_import


class Command(BaseCommand):
    help = (
        "Import users from a better-auth PostgreSQL database (idempotent, resumable: re-run it "
        "after any interruption), then verify MySQL against the source. Second factors come "
        "along: TOTP secrets and backup codes (twoFactor rows, decrypted with the old app's "
        "secret) and passkeys. When the source has twoFactor rows and no secret is given, the "
        "command stops before writing anything (a CommandError saying so), unless "
        "--skip-two-factor says to import without them."
    )
    # The system checks load every URLconf, view and schema generator (half a second here) and
    # check nothing this command uses; `manage.py check` runs them at deploy.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--source",
            default=settings.BETTER_AUTH_DATABASE_URL,
            help="postgres://user:pass@host:5432/db (or BETTER_AUTH_DATABASE_URL)",
        )
        parser.add_argument("--dry-run", action="store_true", help="read and check, write nothing")
        parser.add_argument("--verify", action="store_true", help="only compare MySQL with source")
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument(
            "--carry-codes", action="store_true", help="carry unexpired email codes over (hashed)"
        )
        parser.add_argument(
            "--no-verify", action="store_true", help="skip verification (run --verify later)"
        )
        parser.add_argument(
            "--better-auth-secret",
            default=settings.BETTER_AUTH_SECRET,
            metavar="SECRET",
            help="the old app's secret, which encrypts its twoFactor rows (default: "
            "BETTER_AUTH_SECRET; prefer the variable: a command line is visible to others)",
        )
        parser.add_argument(
            "--better-auth-secrets",
            default=settings.BETTER_AUTH_SECRETS,
            metavar="V:SECRET,...",
            help="the old app's versioned secrets, if it used them (default: BETTER_AUTH_SECRETS)",
        )
        parser.add_argument(
            "--skip-two-factor",
            action="store_true",
            help="import without the twoFactor rows (the secret is lost): those users sign in "
            "with their first factor alone until they turn two-factor on here; passkeys still "
            "come along",
        )
        parser.add_argument(
            "--progress-every",
            type=float,
            default=10.0,
            metavar="SECONDS",
            help="when stderr is not a terminal, a progress line every SECONDS (0: every batch); "
            "on a terminal a bar is redrawn in place; -v0 shows none",
        )

    def handle(self, *args, source, dry_run, verify, batch_size, carry_codes, no_verify, **options):
        self.verbosity = options["verbosity"]
        self.progress_every = options["progress_every"]
        if not source:
            raise CommandError("--source postgres://... is required")
        if batch_size < 1:
            raise CommandError("--batch-size must be positive")
        keys = self._keys(options)
        try:
            with open_source(source) as legacy:
                if not verify:
                    if keys is not None and (problem := secret_problem(legacy, keys)):
                        raise CommandError(problem)
                    progress = self._progress(legacy, "import users")
                    report = import_better_auth(
                        legacy,
                        batch_size=batch_size,
                        dry_run=dry_run,
                        carry_codes=carry_codes,
                        keys=keys,
                        on_batch=lambda table, report: progress.update(report.users.read),
                    )
                    progress.finish()
                    self.stdout.write(report.render(dry_run=dry_run))
                if dry_run or no_verify:
                    return
                progress = self._progress(legacy, "verify users")
                result = verify_import(legacy, batch_size=batch_size, on_batch=progress.update)
                progress.finish()
        except (OSError, psycopg.Error) as exc:
            raise CommandError(f"cannot read the source database: {exc}") from exc
        self.stdout.write(result.render())
        if not result.clean:
            raise CommandError("verification found differences (see above)")

    @staticmethod
    def _keys(options: dict) -> Keys | None:
        if options["skip_two_factor"]:
            return None
        try:
            return Keys.parse(options["better_auth_secret"], options["better_auth_secrets"])
        except ValueError as exc:
            raise CommandError(f"--better-auth-secrets: {exc}") from None

    def _progress(self, legacy: Source, label: str) -> Progress:
        """Progress on stderr, so that stdout holds the report alone; none at -v0."""

        def write(text: str) -> None:
            if self.verbosity >= 1:
                self.stderr.write(text, ending="")
                self.stderr.flush()

        return Progress(
            write,
            label=label,
            total=legacy.user_count(),
            tty=self.stderr.isatty(),
            every=self.progress_every,
        )
