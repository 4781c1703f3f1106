"""Progress of a long phase: a bar redrawn in place on a terminal, plain periodic lines otherwise
(logs, CI, a pipe), both with rows/s and the time left."""

import time
from collections.abc import Callable

BAR_WIDTH = 30
REDRAW_SECONDS = 0.2


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


class Progress:
    """`update(done)` after each batch, `finish()` at the end. On a terminal the bar is redrawn
    at most every REDRAW_SECONDS; otherwise a line is written every `every` seconds (0: at every
    update). `write` takes text as is (no newline added) and shows it at once."""

    def __init__(
        self,
        write: Callable[[str], None],
        *,
        label: str,
        total: int,
        tty: bool,
        every: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.write, self.label, self.total, self.tty, self.clock = write, label, total, tty, clock
        self.every = REDRAW_SECONDS if tty else every
        self.started = self.clock()
        self.shown_at = self.started
        self.done = 0

    def update(self, done: int) -> None:
        self.done = done
        now = self.clock()
        if now - self.shown_at >= self.every:
            self.shown_at = now
            self._show(now)

    def finish(self) -> None:
        self._show(self.clock())
        if self.tty:
            self.write("\n")

    def _show(self, now: float) -> None:
        elapsed = now - self.started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        share = min(self.done / self.total, 1.0) if self.total else 1.0
        left = (self.total - self.done) / rate if rate and self.done < self.total else 0.0
        figures = (
            f"{self.done:,}/{self.total:,} ({share:.0%}) {rate:,.0f} rows/s "
            f"elapsed {_duration(elapsed)} ETA {_duration(left)}"
        )
        if self.tty:
            filled = int(share * BAR_WIDTH)
            bar = "#" * filled + "-" * (BAR_WIDTH - filled)
            self.write(f"\r{self.label} [{bar}] {figures}\x1b[K")
        else:
            self.write(f"{self.label}: {figures}\n")
