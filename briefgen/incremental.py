"""Incremental builds: what each note was made from, so that the next build makes only the
notes whose inputs or outputs changed.

For each output folder and set of options (formats, checks) a build keeps a manifest
in ``.briefgen/builds/``: for every brief, the content hash of each thing its note
depends on — the brief, the records it cites, the templates it loaded (the workspace's
or the built-in), the reference.docx, its type's schema, the settings and the labels of
its language — and of every file it wrote. A note is up to date when all of these hash
the same again and its files are still there with those bytes. Any change of briefgen
itself (its code, the libraries that shape the files, ``SOURCE_DATE_EPOCH``) starts
afresh.

Each hash is taken before the build reads the file, or from what it read (records,
settings): a file changed while a build runs is seen as changed by the next one.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from briefgen import __version__
from briefgen.errors import BriefgenError
from briefgen.models import SourceRecord
from briefgen.workspace import Workspace, builtin_templates

log = logging.getLogger("briefgen")
MANIFEST_DIR = Path(".briefgen") / "builds"
MANIFEST_VERSION = 1
# Libraries whose version changes the bytes of the files briefgen writes.
SHAPING = ("python-docx", "lxml", "Markdown", "Jinja2", "Babel")
# Settings no note reads: changing them rebuilds nothing.
NOT_NOTES = frozenset({"labels", "digest", "smtp"})


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def file_digest(path: Path) -> str | None:
    """The hash of a file's bytes; None when there is no such (readable) file."""
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, lambda: hashlib.blake2b(digest_size=16)).hexdigest()
    except OSError:
        return None


@lru_cache(maxsize=1)
def _code() -> str:
    """briefgen's own code and the versions of the libraries that shape its files."""
    state = hashlib.blake2b(__version__.encode(), digest_size=16)
    package = Path(__file__).parent
    for path in sorted(p for p in package.rglob("*") if p.suffix in (".py", ".json")
                       and "_examples" not in p.parts):
        state.update(str(path.relative_to(package)).encode() + b"\0")
        state.update(path.read_bytes())
    for name in SHAPING:
        try:
            state.update(f"{name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            state.update(name.encode())
    return state.hexdigest()


def fingerprint() -> str:
    return digest(f"{_code()} {os.environ.get('SOURCE_DATE_EPOCH', '')}".encode())


@dataclass(frozen=True)
class Sources:
    """What one note was made from, as the process that made it saw."""

    lang: str
    type: str
    records: dict[str, str]           # id → hash of the record as the note read it
    templates: dict[str, str]         # the templates Jinja loaded for it: name → file


def record_digest(record: SourceRecord) -> str:
    """A record's hash as read (a change to its file that changes nothing read is none)."""
    return digest(record.model_dump_json().encode())


class Inputs:
    """Content hashes of a workspace's inputs, each computed once, before any note is made."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.settings = digest(ws.settings.model_dump_json(exclude=set(NOT_NOTES)).encode())
        self._files: dict[Path, str | None] = {}      # every file of the template folders
        self._folders = (ws.templates_dir, builtin_templates())
        for folder in self._folders:
            for top, _, names in os.walk(folder):
                for name in names:
                    path = Path(top, name)
                    self._files[path] = file_digest(path)
        self._templates: dict[str, Path | None] = {}
        self._records: dict[str, str | None] = {}
        self._library = True          # not known to be unreadable (read when first needed)
        self._labels: dict[str, str] = {}

    def brief(self, path: Path) -> str | None:
        return file_digest(path)

    def record(self, key: str) -> str | None:
        """The record's hash; None when there is no such record, or the library cannot be
        read (then every note is made, and fails as it does in a full build)."""
        if key not in self._records:
            records: Mapping[str, SourceRecord] = {}
            if self._library:
                try:
                    records = self.ws.records
                except BriefgenError:
                    self._library = False
            self._records[key] = record_digest(records[key]) if key in records else None
        return self._records[key]

    def template_file(self, name: str) -> Path | None:
        """The file a template name loads now: the workspace's, else the built-in
        (``builtin/NAME``: always the built-in), as the template loader chooses."""
        if name not in self._templates:
            own, builtin = self._folders
            candidates = [own / name, builtin / name]
            if name.startswith("builtin/"):
                candidates.append(builtin / name.removeprefix("builtin/"))
            self._templates[name] = next((path for path in candidates if path.is_file()), None)
        return self._templates[name]

    def template(self, name: str, loaded: str | None = None) -> str | None:
        """The hash of the file the name loads now (None: no such template, one that
        appeared after this build started, or not the file the note ``loaded``)."""
        path = self.template_file(name)
        if path is None or (loaded is not None and Path(loaded) != path):
            return None
        return self._files.get(path)

    def schema(self, note_type: str) -> str | None:
        return self._files.get(self.ws.templates_dir / f"{note_type}.schema.yaml")

    def labels(self, lang: str) -> str:
        if lang not in self._labels:
            from briefgen.note.labels import labels_for

            data = json.dumps(labels_for(lang, self.ws.settings.labels), sort_keys=True)
            self._labels[lang] = digest(data.encode())
        return self._labels[lang]


@dataclass(frozen=True)
class Options:
    """What the files of one build are: another set of options keeps its own manifest."""

    formats: tuple[str, ...]
    check: bool
    strict: bool

    def as_dict(self) -> dict[str, Any]:
        return {"formats": sorted(self.formats), "check": self.check, "strict": self.strict}


@dataclass
class Plan:
    """Which briefs to make and which are up to date; then what the made ones came from."""

    ws: Workspace
    out_dir: Path
    options: Options
    inputs: Inputs
    path: Path                                   # the manifest
    stale: list[Path] = field(default_factory=list)
    fresh: dict[Path, list[str]] = field(default_factory=dict)   # brief → its warnings
    briefs: dict[Path, str | None] = field(default_factory=dict)
    strings: dict[str, str] = field(default_factory=dict)        # one copy of each

    def key(self, brief: Path) -> str:
        return _inside(self.ws, brief)

    def entry(self, brief: Path, sources: Sources, outputs: dict[str, str],
              warnings: list[str]) -> dict[str, Any]:
        """A made note's manifest entry, from the hashes taken before it was made. Kept
        until the build ends, so names and hashes are shared across notes."""
        templates: dict[str, str | None] = dict(sources.templates)
        if {"docx", "pdf"} & set(self.options.formats):
            templates["reference.docx"] = None
        share = self._shared
        return {"brief": self.briefs.get(brief), "lang": share(sources.lang),
                "type": share(sources.type), "settings": self.inputs.settings,
                "labels": self.inputs.labels(sources.lang),
                "schema": self.inputs.schema(sources.type),
                "records": {share(key): share(h) for key, h in sources.records.items()},
                "templates": {share(name): self.inputs.template(name, loaded)
                              for name, loaded in templates.items()},
                "outputs": outputs, "warnings": warnings}

    def _shared(self, text: str) -> str:
        return self.strings.setdefault(text, text)

    def _fresh(self, entry: Any, brief: str | None) -> bool:
        """Whether the entry still holds: every input and output hashes as recorded."""
        inputs = self.inputs
        try:
            return (brief is not None and entry["brief"] == brief
                    and entry["settings"] == inputs.settings
                    and entry["labels"] == inputs.labels(entry["lang"])
                    and entry["schema"] == inputs.schema(entry["type"])
                    and all(h is not None and inputs.record(k) == h
                            for k, h in entry["records"].items())
                    and all(h is not None and inputs.template(n) == h
                            for n, h in entry["templates"].items())
                    and bool(entry["outputs"])
                    and all(_plain(name) and file_digest(self.out_dir / name) == h
                            for name, h in entry["outputs"].items())
                    and all(isinstance(w, str) for w in entry["warnings"]))
        except (KeyError, TypeError, AttributeError, ValueError):
            return False          # an entry briefgen did not write: make the note again

    def document(self, notes: Mapping[str, Any]) -> bytes:
        data = {"briefgen": MANIFEST_VERSION, "fingerprint": fingerprint(),
                "out": _inside(self.ws, self.out_dir), "options": self.options.as_dict(),
                "notes": notes}
        text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return f"{text}\n".encode()

    def updated(self, made: Mapping[Path, dict[str, Any]],
                paths: Iterable[Path] | None) -> bytes | None:
        """The manifest with the notes just made (its current entries re-read: another
        build may have recorded its own meanwhile); ``paths``: every brief there is, the
        entries of the others are dropped. None when it is unchanged."""
        notes = _entries(self.path)
        before = dict(notes)
        notes.update((self.key(path), entry) for path, entry in made.items())
        if paths is not None:
            keep = {self.key(path) for path in paths}
            notes = {key: entry for key, entry in notes.items() if key in keep}
        if notes == before and self.path.exists():
            return None
        return self.document(notes)


def _plain(name: str) -> bool:
    """An output's name as a manifest may give it: a file of the output folder."""
    return isinstance(name, str) and name not in ("", ".", "..") and "/" not in name \
        and "\\" not in name and "\0" not in name


def manifest_path(ws: Workspace, out_dir: Path, options: Options) -> Path:
    """One manifest per output folder (inside the workspace, which may move) and set of
    options."""
    name = digest(json.dumps([_inside(ws, out_dir), options.as_dict()]).encode())
    return ws.root / MANIFEST_DIR / f"{name}.json"


def _inside(ws: Workspace, path: Path) -> str:
    try:
        return path.relative_to(ws.root).as_posix()
    except ValueError:
        return path.as_posix()


def _entries(path: Path) -> dict[str, Any]:
    """The notes a manifest records; none when it is missing, damaged or of another
    briefgen (its code, libraries or SOURCE_DATE_EPOCH)."""
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("briefgen") != MANIFEST_VERSION \
            or data.get("fingerprint") != fingerprint() or not isinstance(data.get("notes"), dict):
        return {}
    return data["notes"]


def plan(ws: Workspace, paths: list[Path], out_dir: Path, options: Options,
         force: bool = False) -> Plan:
    """Hash every input once; each brief is up to date or to be made (all of them: ``force``)."""
    result = Plan(ws, out_dir, options, Inputs(ws), manifest_path(ws, out_dir, options))
    notes = {} if force else _entries(result.path)
    for path in paths:
        brief = result.briefs[path] = result.inputs.brief(path)
        entry = notes.get(result.key(path))
        if entry is not None and result._fresh(entry, brief):
            result.fresh[path] = list(entry["warnings"])
        else:
            result.stale.append(path)
    return result
