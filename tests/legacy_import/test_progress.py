"""Progress of the import: a bar on a terminal, plain periodic lines otherwise."""

import re
from io import StringIO

import pytest

from legacy_import.progress import Progress
from tests.legacy_import.conftest import needs_postgres, run_import


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def progress(*, tty: bool, every: float = 10.0) -> tuple[Progress, StringIO, Clock]:
    out, clock = StringIO(), Clock()
    shown = Progress(out.write, label="import users", total=1000, tty=tty, every=every, clock=clock)
    return shown, out, clock


def test_plain_lines_every_interval_with_rate_and_time_left():
    shown, out, clock = progress(tty=False)
    clock.now += 4
    shown.update(200)
    assert out.getvalue() == ""  # not yet 10 s
    clock.now += 6
    shown.update(500)
    clock.now += 5
    shown.update(700)
    clock.now += 5
    shown.update(1000)
    shown.finish()
    assert out.getvalue().splitlines() == [
        "import users: 500/1,000 (50%) 50 rows/s elapsed 0:10 ETA 0:10",
        "import users: 1,000/1,000 (100%) 50 rows/s elapsed 0:20 ETA 0:00",
        "import users: 1,000/1,000 (100%) 50 rows/s elapsed 0:20 ETA 0:00",
    ]
    assert "\r" not in out.getvalue()


def test_a_bar_redrawn_in_place_on_a_terminal():
    shown, out, clock = progress(tty=True)
    clock.now += 1
    shown.update(250)
    clock.now += 1
    shown.update(500)
    shown.finish()
    text = out.getvalue()
    assert text.count("\r") == 3 and text.endswith("\n") and text.count("\n") == 1
    assert "\rimport users [" + "#" * 15 + "-" * 15 + "] 500/1,000 (50%) 250 rows/s" in text
    assert "ETA 0:02" in text


@needs_postgres
@pytest.mark.django_db
def test_the_command_prints_progress_lines_when_not_on_a_terminal(legacy_db):
    err = StringIO()
    report = run_import(legacy_db, "--batch-size", "10", "--progress-every", "0", stderr=err)
    lines = err.getvalue().splitlines()
    imported = [line for line in lines if line.startswith("import users: ")]
    verified = [line for line in lines if line.startswith("verify users: ")]
    assert len(imported) >= 5 and len(verified) >= 5  # 43 users in batches of 10
    total = int(re.search(r"users\s+read=(\d+)", report).group(1))
    assert imported[-1].startswith(f"import users: {total:,}/{total:,} (100%) ")
    assert verified[-1].startswith(f"verify users: {total:,}/{total:,} (100%) ")
    assert all(re.search(r" [\d,]+ rows/s elapsed \d+:\d\d ETA \d+:\d\d$", line) for line in lines)
    assert "import users" not in report  # stdout holds the report alone


@needs_postgres
@pytest.mark.django_db
def test_quiet_at_verbosity_zero(legacy_db):
    err = StringIO()
    run_import(legacy_db, "--progress-every", "0", "-v0", stderr=err)
    assert err.getvalue() == ""
