"""What a build says: the check findings of its notes, in the briefs' order, as the notes
come in; and its last line."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefgen.errors import shown_path

log = logging.getLogger("briefgen")


@dataclass
class Report:
    """What a build did."""

    out_dir: Path
    files: list[Path] = field(default_factory=list)     # the outputs of the notes made
    written: list[Path] = field(default_factory=list)   # those whose bytes changed
    made: int = 0
    up_to_date: int = 0

    def summary(self, seconds: float) -> str:
        """"built 3 notes (6 files written), 1,797 up to date in 0.4 s → out/"""
        return (f"built {_count(self.made, 'note')} ({_count(len(self.written), 'file')} "
                f"written){and_up_to_date(self.up_to_date)} in {seconds:.1f} s → "
                f"{shown_path(self.out_dir)}/")


def and_up_to_date(count: int) -> str:
    """", 1,797 up to date" for a build's last line (nothing when none was)."""
    return f", {count:,} up to date" if count else ""


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'s' * (number != 1)}"


class Findings:
    """Check findings logged in the briefs' order as their notes come in (with ``hold``,
    PDF page budgets to come: at the end). Without ``keep_going`` a failed brief stops
    the log there: the build stops on its error."""

    def __init__(self, keep_going: bool, hold: bool) -> None:
        self.waiting: dict[int, tuple[list[Any], bool]] = {}
        self.next, self.keep_going, self.hold = 0, keep_going, hold

    def add(self, index: int, findings: list[Any], failed: bool) -> None:
        self.waiting[index] = (findings, failed)
        if not self.hold:
            self.flush()

    def flush(self) -> None:
        while self.next in self.waiting:
            findings, failed = self.waiting[self.next]
            if failed and not self.keep_going:
                return
            del self.waiting[self.next]
            self.next += 1
            for finding in findings:     # a failed brief's too: its errors are why it failed
                if getattr(finding, "severity", "warning") == "error":
                    log.error("%s", finding)
                else:
                    log.warning("%s", finding)
