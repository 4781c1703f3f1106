import faulthandler
import os
import select
import signal
import sys

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
        if not loop:
            self.stdout.write(_summary(deliver_due(limit=batch)) or "nothing due")
            return
        # `kill -USR1` prints every thread's stack to stderr: what a stuck worker is doing.
        faulthandler.register(signal.SIGUSR1, file=sys.__stderr__ or 2, all_threads=True)
        # SIGTERM (a container's stop) or SIGINT ends the loop after the pass under way. The
        # handler only notes it (no lock, nothing that could wait); the signal also writes a byte
        # to a pipe (signal.set_wakeup_fd), which cuts the wait between passes short.
        stopping: list[int] = []
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda received, _frame: stopping.append(received))
        wake_read, wake_write = os.pipe()
        os.set_blocking(wake_write, False)
        previous_wakeup = signal.set_wakeup_fd(wake_write)
        try:
            while True:
                outcomes = deliver_due(limit=batch)
                if outcomes:
                    self.stdout.write(_summary(outcomes))
                if stopping:
                    return
                close_old_connections()  # a long-lived process drops dead or stale connections
                if not outcomes and select.select([wake_read], [], [], interval)[0]:
                    os.read(wake_read, 512)  # a signal's byte: the loop goes round to see why
        finally:
            signal.set_wakeup_fd(previous_wakeup)
            os.close(wake_read)
            os.close(wake_write)


def _summary(outcomes) -> str:
    """Each outcome's count, as in `sent=2, suppressed=1` (empty when there is none)."""
    return ", ".join(f"{outcome}={count}" for outcome, count in sorted(outcomes.items()))
