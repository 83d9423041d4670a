"""A workspace: briefgen.toml, sources/, briefs/, templates/, out/."""
from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from briefgen.errors import InputError, NoBriefs, OutputError, shown_path
from briefgen.models import Settings, SourceRecord
from briefgen.note.classification import Scale
from briefgen.readers import read_settings

SETTINGS_FILE = "briefgen.toml"
BRIEF_SUFFIXES = (".md", ".yaml", ".yml")
# What a workspace reads: an output folder may be none of these, nor hold one.
INPUT_FOLDERS = ("sources", "briefs", "templates", ".briefgen")


@dataclass
class Workspace:
    root: Path
    settings: Settings = field(init=False)

    def __post_init__(self) -> None:
        self.root = self.root.resolve()
        if not self.root.is_dir():
            raise InputError("workspace folder not found", file=self.root)
        self.settings = read_settings(self.root / SETTINGS_FILE)
        try:
            self.scale = Scale(self.settings.classification_levels)
            default = self.settings.classification
            self.default_level = self.scale.normalise(default) if default else self.scale.levels[0]
        except ValueError as err:
            raise InputError(str(err), file=self.root / SETTINGS_FILE, field="classification") from None

    @property
    def sources_dir(self) -> Path:
        return self.root / "sources"

    @property
    def briefs_dir(self) -> Path:
        return self.root / "briefs"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @cached_property
    def _library(self) -> tuple[Mapping[str, SourceRecord], dict[str, Path]]:
        if not self.sources_dir.is_dir():
            return {}, {}
        from briefgen.library.index import (
            library,  # through .briefgen/index.sqlite when the library is large
        )
        return library(self.root, self.sources_dir)

    @property
    def records(self) -> Mapping[str, SourceRecord]:
        return self._library[0]

    def record_path(self, key: str) -> Path:
        """The file a record came from, relative to the workspace (for messages)."""
        return self._library[1][key].relative_to(self.root)

    def inside(self, path: Path, what: str) -> Path:
        """``path`` resolved, refusing anything outside the workspace."""
        try:
            resolved = (self.root / path).resolve()
        except RuntimeError:                # a loop of links (before Python 3.13)
            raise OutputError(f"{what} {str(path)!r} is a loop of symbolic links") from None
        if not resolved.is_relative_to(self.root):
            raise OutputError(f"{what} {str(path)!r} is outside the workspace {self.root}")
        return resolved

    def output_dir(self, path: Path) -> Path:
        """Where outputs may go: a folder inside the workspace that holds none of its inputs.

        Outputs replace files of their names and the build clears its own temp
        files there: in the workspace root, ``sources/`` or ``briefs/`` that could
        overwrite a record or a brief.
        """
        resolved = self.inside(path, "output folder")
        try:
            resolved.stat()
        except (FileNotFoundError, NotADirectoryError):
            pass                    # made when written; a file in the way is said then
        except OSError as err:      # a name too long, a loop of links, no permission
            raise OutputError(f"output folder {str(path)[:80]!r}: {err.strerror or err}") from None
        for name in INPUT_FOLDERS:
            for inputs in {self.root / name, _resolved(self.root / name)}:
                if resolved.is_relative_to(inputs) or inputs.is_relative_to(resolved):
                    raise OutputError(
                        f"output folder {str(path)!r} would mix outputs with the workspace's "
                        f"{name}/; choose a folder of its own, such as out/")
        return resolved

    def brief_paths(self, names: list[str]) -> list[Path]:
        """Brief files named on the command line (path or bare name); default: all of briefs/.

        Two files of one name (``a.md`` and ``a.yaml``) would make the same note: an error.
        """
        if not names:
            if self.briefs_dir.is_dir() and not os.access(self.briefs_dir, os.R_OK | os.X_OK):
                raise InputError(f"cannot read the folder: {os.strerror(errno.EACCES)}",
                                 file=self.briefs_dir)
            paths = sorted(p for p in self.briefs_dir.glob("*")
                           if p.suffix in BRIEF_SUFFIXES and not p.name.startswith("."))
            if not paths:
                raise NoBriefs("no briefs to build: add a .md or .yaml file",
                               file=self.briefs_dir)
            seen: dict[str, Path] = {}
            for path in paths:
                if path.stem in seen:
                    raise InputError(f"brief id {path.stem!r} is also used by "
                                     f"{shown_path(seen[path.stem])}; rename or delete one",
                                     file=path, line=1)
                seen[path.stem] = path
            return paths
        return [self._find_brief(name) for name in names]

    def _find_brief(self, name: str) -> Path:
        for candidate in (Path(name), self.briefs_dir / name,
                          *(self.briefs_dir / f"{name}{suffix}" for suffix in BRIEF_SUFFIXES)):
            if probe(candidate, Path.is_file):
                return self.inside(candidate.absolute(), "brief")
        raise InputError(f"brief {name!r} not found (looked in {self.briefs_dir})")


def probe(path: Path, test: Callable[[Path], bool]) -> bool:
    """``test(path)``, such as ``Path.exists``; a folder that cannot be searched is one
    clear error naming it rather than a traceback."""
    try:
        return test(path)
    except OSError as err:
        raise InputError(f"cannot read the folder: {err.strerror or err}",
                         file=path.parent) from None


def _resolved(path: Path) -> Path:
    """Where a link leads; a loop of links leads nowhere else (reading it says so later)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):     # RuntimeError: a loop, before Python 3.13
        return path


def builtin_templates() -> Path:
    """Built-in templates: inside the wheel, or the repo's top-level templates/."""
    packaged = Path(__file__).parent / "_templates"
    return packaged if packaged.is_dir() else Path(__file__).parent.parent / "templates"


def examples_dir() -> Path:
    """The example workspace: inside the wheel, or the repo itself."""
    packaged = Path(__file__).parent / "_examples"
    return packaged if packaged.is_dir() else Path(__file__).parent.parent


def init(target: Path, examples: Path | None = None) -> list[Path]:
    """A new workspace at ``target`` with the example records and brief."""
    examples = examples or examples_dir()
    names = (SETTINGS_FILE, "sources", "briefs")
    for name in names:
        if (target / name).exists():
            raise OutputError(f"{target / name} already exists; not overwriting a workspace")
    created = []
    try:
        target.mkdir(parents=True, exist_ok=True)
        for name in names:
            source, dest = examples / name, target / name
            if source.is_dir():
                shutil.copytree(source, dest)
            else:
                shutil.copyfile(source, dest)
            created.append(dest)
        (target / "templates").mkdir(exist_ok=True)
        (target / ".gitignore").write_text("out/\n.briefgen/\n", encoding="utf-8")
    except OSError as err:        # a file of that name, no permission, disk full
        raise OutputError(f"cannot create the workspace: {err.strerror or err}",
                          file=err.filename or target) from None
    created.append(target / "templates")
    return created
