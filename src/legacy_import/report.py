"""What an import or a verification did, table by table, with a reason for every skipped row."""

from collections import Counter
from dataclasses import dataclass, field

MAX_PROBLEM_LINES = 200


@dataclass
class TableReport:
    read: int = 0
    written: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: Counter = field(default_factory=Counter)
    notes: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def line(self, name: str) -> str:
        skipped = sum(self.skipped.values())
        reasons = ", ".join(f"{reason}={n}" for reason, n in sorted(self.skipped.items()))
        notes = ", ".join(f"{k}={v}" for k, v in self.notes.items())
        text = (
            f"{name:<13} read={self.read} written={self.written} updated={self.updated} "
            f"unchanged={self.unchanged} skipped={skipped}"
        )
        text += (f" ({reasons})" if reasons else "") + (f"; {notes}" if notes else "")
        return text + (f"; {self.seconds:.2f}s" if self.seconds else "")


@dataclass
class ImportReport:
    users: TableReport = field(default_factory=TableReport)
    accounts: TableReport = field(default_factory=TableReport)
    sessions: TableReport = field(default_factory=TableReport)
    verifications: TableReport = field(default_factory=TableReport)
    two_factors: TableReport = field(default_factory=TableReport)  # one a user
    passkeys: TableReport = field(default_factory=TableReport)
    problems: list[str] = field(default_factory=list)
    problem_count: int = 0

    def problem(self, table: str, row_id: str, reason: str, detail: str = "") -> None:
        getattr(self, table).skipped[reason] += 1
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEM_LINES:
            self.problems.append(f"{table} {row_id}: {reason}" + (f" ({detail})" if detail else ""))

    def render(self, *, dry_run: bool = False) -> str:
        title = "Import (dry run: nothing written)" if dry_run else "Import"
        tables = ("users", "accounts", "sessions", "verifications", "two_factors", "passkeys")
        lines = [title, *(getattr(self, t).line(t) for t in tables)]
        if self.problems:
            lines.append(f"skipped rows ({self.problem_count}):")
            lines += [f"  {p}" for p in self.problems]
            if self.problem_count > len(self.problems):
                lines.append(f"  ... and {self.problem_count - len(self.problems)} more")
        return "\n".join(lines)


@dataclass
class VerifyReport:
    source_users: int = 0
    expected: int = 0
    equal: int = 0
    missing: int = 0
    different: int = 0
    passwords_changed_here: int = 0
    skipped: Counter = field(default_factory=Counter)
    batches: int = 0
    batches_compared: int = 0  # digests differed: compared row by row
    here_only: int = 0
    here_only_imported: int = 0
    source_accounts: int = 0
    target_accounts: int = 0
    accounts_different: int = 0
    difference_count: int = 0
    differences: list[str] = field(default_factory=list)

    def difference(self, text: str) -> None:
        self.difference_count += 1
        if len(self.differences) < MAX_PROBLEM_LINES:
            self.differences.append(text)

    @property
    def clean(self) -> bool:
        return (
            self.missing == 0
            and self.different == 0
            and self.here_only_imported == 0
            and self.accounts_different == 0
        )

    def render(self) -> str:
        reasons = ", ".join(f"{r}={n}" for r, n in sorted(self.skipped.items())) or "none"
        lines = [
            "Verification (digests of each batch in SQL on both sides; row by row where they "
            "differ)",
            f"users         source={self.source_users} expected={self.expected} "
            f"equal={self.equal} missing={self.missing} different={self.different} "
            f"skipped-by-rule={sum(self.skipped.values())} ({reasons}); "
            f"passwords changed here since import={self.passwords_changed_here}",
            f"batches       {self.batches} key ranges: digests equal in "
            f"{self.batches - self.batches_compared}, compared row by row in "
            f"{self.batches_compared}",
            f"mysql only    users={self.here_only} (signed up here or gone from the source), "
            f"with an imported password={self.here_only_imported}",
            f"accounts      source={self.source_accounts} mysql={self.target_accounts} "
            f"different={self.accounts_different}",
            *[f"  {d}" for d in self.differences],
        ]
        if self.difference_count > len(self.differences):
            lines.append(f"  ... and {self.difference_count - len(self.differences)} more")
        lines.append("RESULT: " + ("clean" if self.clean else "MISMATCH"))
        return "\n".join(lines)
