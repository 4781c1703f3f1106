import signal
import threading

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from emailing.delivery import deliver_due


class Command(BaseCommand):
    help = "Send the queued emails that are due (once, or in a loop with --loop)."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="keep draining until stopped")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between passes")
        parser.add_argument("--batch", type=int, default=100, help="messages per pass")

    def handle(self, *args, loop: bool, interval: float, batch: int, **options):
        # SIGTERM (a container's stop) or SIGINT ends the loop after the pass under way, and cuts
        # a wait short: the process exits within a pass, long before a stop's grace period.
        stopping = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stopping.set())
        while True:
            outcomes = deliver_due(limit=batch)
            if outcomes or not loop:
                summary = (
                    ", ".join(f"{k}={v}" for k, v in sorted(outcomes.items())) or "nothing due"
                )
                self.stdout.write(summary)
            if not loop or stopping.is_set():
                return
            close_old_connections()  # a long-lived process drops dead or stale connections
            if not outcomes:
                stopping.wait(interval)
