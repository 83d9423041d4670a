"""One exception hierarchy; the CLI turns these into one-line messages."""
from __future__ import annotations

from pathlib import Path
from typing import Any


class BriefgenError(Exception):
    """A problem the user can fix. Carries where it is: file, line, field."""

    exit_code = 2

    def __init__(self, message: str, *, file: Path | str | None = None,
                 line: int | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.field = field

    def __reduce__(self) -> tuple[Any, ...]:
        """Errors cross process boundaries whole (parallel builds): every attribute kept."""
        return _restore, (type(self), self.args, self.__dict__)

    def __str__(self) -> str:
        where = ""
        if self.file is not None:
            where = shown_path(Path(self.file))
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        field = f"{self.field}: " if self.field else ""
        return f"{where}{field}{self.message}"


class InputError(BriefgenError):
    """A source record, brief or settings file that cannot be used as written."""


class InputErrors(InputError):
    """Every problem found in a set of files at once, rather than only the first; exit status 2."""

    def __init__(self, problems: list[BriefgenError], what: str) -> None:
        count = len(problems)
        super().__init__(f"{count} problem{'s' * (count != 1)} in {what}; nothing written")
        self.problems = problems


class NoBriefs(InputError):
    """briefs/ holds no brief: an error to build, an empty list to export."""


class CitationError(InputError):
    """A citation that names no known record."""


class ClassificationError(InputError):
    """A note marked lower than material it carries."""


class TemplateError(BriefgenError):
    """A template that does not compile or render."""


class OutputError(BriefgenError):
    """An output that cannot be produced or written."""


def _restore(cls: type[BriefgenError], args: tuple[Any, ...], state: dict[str, Any]) -> BriefgenError:
    error = cls.__new__(cls, *args)
    error.args = args
    error.__dict__.update(state)
    return error


def shown_path(path: Path) -> str:
    """A path as the user typed it: relative to the current folder when inside it."""
    try:
        return str(path.absolute().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


class ChecksFailed(BriefgenError):
    """``briefgen check`` found errors (or warnings, with --strict); exit status 1."""

    exit_code = 1

    def __init__(self, findings: list, summary: str) -> None:
        super().__init__(summary)
        self.findings = findings


class BuildFailed(BriefgenError):
    """Some briefs of a batch failed; the others were written. Exit status 1."""

    exit_code = 1

    def __init__(self, failures: list, total: int, up_to_date: int = 0) -> None:
        super().__init__(f"{len(failures)} of {total} briefs failed")
        self.failures = failures
        self.up_to_date = up_to_date     # briefs an incremental build did not need to make
