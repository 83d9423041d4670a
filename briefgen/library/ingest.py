"""Getting records into the library: ``briefgen sources import``.

The importers (:mod:`formats`) read an RSS/Atom feed (through feedparser), a CSL-JSON export
(Zotero's "Export → CSL JSON") or an article file (.txt, .md, .html), from a
file or an http(s) address, and make one source record per entry, item or
article. Each record is validated, written as YAML in the order of
:class:`models.SourceRecord`'s fields (:mod:`records`) and read back before anything is saved;
the records of one import are then written together: every file or none.
Re-importing adds nothing: a record whose address (or, without one, title and
date) is already in the library is skipped.
"""
from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefgen.errors import BriefgenError, InputError, shown_path
from briefgen.library import extract
from briefgen.library.fetch import (
    FETCH_TIMEOUT,
    load,
)
from briefgen.library.formats import READERS, Draft, Rejected, detect
from briefgen.library.keys import clean_url, title_key, url_key
from briefgen.library.records import checked_yaml, make_id, write_new
from briefgen.models import SourceRecord
from briefgen.readers import validate
from briefgen.workspace import Workspace

if TYPE_CHECKING:
    from briefgen.library.index import Index

log = logging.getLogger("briefgen")

FORMATS = ("feed", "csl", "article")



# Dates, ids, duplicates ---------------------------------------------------------

def zone(ws: Workspace) -> dt.tzinfo:
    """Where the department is (``[digest] timezone``, in which the digest counts weeks)."""
    import zoneinfo

    return zoneinfo.ZoneInfo(ws.settings.digest.timezone)


def today(ws: Workspace) -> dt.date:
    """Today in the department's time zone: the date new records are ``added``."""
    return dt.datetime.now(zone(ws)).date()


def local_date(value: Any, where: dt.tzinfo) -> Any:
    """A feed's time (UTC) as a date where the department is; text as a date if it is one."""
    if isinstance(value, dt.datetime):
        return value.astimezone(where).date()
    if isinstance(value, str):
        return extract.parse_date(value) or value
    return value


@dataclass
class Library:
    """What is already in sources/, asked of the source index (one indexed lookup per
    question, however large the library), and what this import adds."""

    index: Index | None = None
    taken_now: set[str] = field(default_factory=set)          # ids and names this import adds
    by_url: dict[str, str] = field(default_factory=dict)      # this import's records by key
    by_title: dict[str, str] = field(default_factory=dict)
    paths: dict[str, str] = field(default_factory=dict)       # id → file, relative to sources/
    new: set[str] = field(default_factory=set)                # ids this import adds

    @classmethod
    @contextmanager
    def read(cls, ws: Workspace) -> Iterator[Library]:
        """The library with its index open and up to date (none: no sources/ yet)."""
        if not ws.sources_dir.is_dir():
            yield cls()
            return
        from briefgen.library.index import open_index

        with open_index(ws.root, ws.sources_dir) as index:
            yield cls(index)

    def note(self, key: str, url: str | None, title: str | None, date: Any, rel: str) -> None:
        """A record this import adds."""
        self.taken_now.add(key)
        self.taken_now.add(Path(rel).stem)
        self.paths.setdefault(key, rel)
        if url:
            self.by_url.setdefault(url_key(url), key)
        if title:
            self.by_title.setdefault(title_key(title, date), key)

    def duplicate(self, data: dict[str, Any]) -> str | None:
        """The id of the record already holding this one: same address, else same title
        and date (for records without an address)."""
        url = data.get("url")
        if url:
            key = url_key(url)
            return (self.index and self.index.same_url(key)) or self.by_url.get(key)
        title = data.get("title")
        if not title:
            return None
        key = title_key(title, data.get("date"))
        return (self.index and self.index.same_title(key)) or self.by_title.get(key)

    def taken(self, key: str) -> bool:
        """Whether a record has the id ``key`` or a file the name ``key``."""
        return key in self.taken_now or bool(self.index and self.index.taken(key))

    def path_of(self, key: str) -> str | None:
        """The file of the record ``key`` (else of the file so named), relative to sources/."""
        return self.paths.get(key) or (self.index.path_of(key) if self.index else None)

    def new_id(self, base: str) -> str:
        """``base``, or ``base-2``, ``base-3``... if another record has it."""
        key, number = base, 1
        while self.taken(key):
            number += 1
            key = f"{base}-{number}"
        return key


# Import --------------------------------------------------------------------------

@dataclass
class Options:
    """What ``briefgen sources import`` was asked: tags to add, fields to set, a cut-off."""

    tags: list[str] = field(default_factory=list)
    since: dt.date | None = None
    fields: dict[str, Any] = field(default_factory=dict)   # kind, publisher, title... for every record
    format: str | None = None                              # feed | csl | article (default: detect)
    timeout: float = FETCH_TIMEOUT
    today: dt.date | None = None


@dataclass
class Added:
    record: SourceRecord
    path: Path
    yaml: str
    origin: str
    notes: list[str] = field(default_factory=list)


@dataclass
class Report:
    """What an import added, skipped as duplicates (or too old) and rejected."""

    added: list[Added] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)

    def lines(self, dry_run: bool = False, counts: bool = True) -> tuple[list[str], list[str]]:
        """What to print: a line per record added or skipped and (with ``counts``) how
        many; and, apart, a line per rejected entry."""
        verb = "would add" if dry_run else "added"
        done = []
        for added in self.added:
            record = added.record
            found = [f"{len(items)} {name}{'s' if len(items) != 1 else ''}" for items, name in
                     ((record.quotes, "quote"), (record.key_facts, "key fact")) if items]
            extra = "; ".join(filter(None, [", ".join(found), *added.notes]))
            done.append(f"{verb} {shown_path(added.path)}: {record.title}"
                        + (f" ({extra})" if extra else ""))
        done += [f"skipped {origin}: {why}" for origin, why in self.skipped]
        if counts:
            done.append(f"{len(self.added)} {'to add' if dry_run else 'added'}, "
                        f"{len(self.skipped)} skipped, {len(self.rejected)} rejected"
                        + (" (dry run: nothing written)" if dry_run else ""))
        problems = [f"briefgen: rejected {origin}: {why}" for origin, why in self.rejected]
        return done, problems


SINGLE = ("title", "date", "url")   # fields that name one article, not a whole feed
# Options of `sources add` and `sources import` that set a record field, by field name.
FIELD_OPTIONS = ("kind", "title", "publisher", "author", "date", "url", "accessed", "atip_number",
                 "pages", "classification", "language", "tags", "summary", "key_facts", "quotes",
                 "text")


def option_date(value: str | None, option: str) -> dt.date | None:
    """A date given on the command line."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(f"{option}: {value!r} is not a date; write it as YYYY-MM-DD") from None


def plan_import(ws: Workspace, sources: Iterable[str], options: Options) -> Report:
    """Read every source and decide what each entry becomes; nothing is written.

    A source that cannot be read at all (unreachable, malformed, binary) is an
    error; an entry that cannot become a record is rejected, and the rest go on.
    """
    loaded = [item for source in sources for item in load(source, options.timeout)]
    formats = [options.format or detect(item) for item in loaded]
    single = [name for name in SINGLE if options.fields.get(name) is not None]
    if single and (len(loaded) > 1 or formats[0] != "article"):
        what = ("several files" if len(loaded) > 1
                else {"feed": "a feed", "csl": "a CSL-JSON file"}[formats[0]])
        raise InputError(f"--{single[0]} sets a field of one article; it cannot apply to {what}")
    fields = checked_fields(ws, {k: v for k, v in options.fields.items() if k != "tags"})
    drafts: list[Draft | Rejected] = []
    for item, kind in zip(loaded, formats):
        drafts.extend(READERS[kind](item))
    report = Report()
    day = options.today or today(ws)
    with Library.read(ws) as library:
        for draft in drafts:
            if isinstance(draft, Rejected):
                report.rejected.append((draft.origin, draft.reason))
                continue
            _settle(ws, draft, fields, options, day, library, report)
    return report


def checked_fields(ws: Workspace, fields: dict[str, Any]) -> dict[str, Any]:
    """Flags given for every record, in the form records keep them (the classification
    as the workspace spells its levels)."""
    fields = {k: v for k, v in fields.items() if v is not None and v != []}
    if fields.get("classification"):
        try:
            fields["classification"] = ws.scale.normalise(fields["classification"])
        except ValueError as err:
            raise InputError(f"--classification: {err}") from None
    return fields


def _settle(ws: Workspace, draft: Draft, fields: dict[str, Any], options: Options,
            day: dt.date, library: Library, report: Report) -> None:
    """One draft → added, skipped or rejected."""
    data = {k: v for k, v in draft.data.items() if v is not None and v != [] and v != ""}
    data.update(fields)
    if "date" in data:
        data["date"] = local_date(data["date"], zone(ws))
    if isinstance(data.get("url"), str):
        data["url"] = clean_url(data["url"])
    notes = [note for note in draft.notes if not (note.startswith("title") and "title" in fields)]
    data["tags"] = list(dict.fromkeys([*data.get("tags", []), *options.tags]))
    data["added"] = day
    if data.get("url") and "accessed" not in data:
        data["accessed"] = day
    title = data.get("title", "")
    if options.since and isinstance(data.get("date"), dt.date) and data["date"] < options.since:
        report.skipped.append((draft.origin, f"{title!r} was published before {options.since}"))
        return
    if (same := library.duplicate(data)) is not None:
        where = "earlier in this import" if same in library.new else "in the library"
        report.skipped.append((draft.origin, f"already {where} as {same}"))
        return
    base = make_id(data.get("publisher"), data.get("date") if isinstance(data.get("date"), dt.date)
                   else None, title)
    key = library.new_id(base)
    path = ws.sources_dir / f"{key}.yaml"
    try:
        record = validate(SourceRecord, {"id": key, **data}, Path(draft.origin), {})
        text = checked_yaml(record, path)
    except BriefgenError as err:
        field_name = f"{err.field}: " if err.field else ""
        report.rejected.append((draft.origin, f"{field_name}{err.message}"))
        return
    library.note(key, record.url, record.title, record.date and record.date.isoformat(),
                 path.name)
    library.new.add(key)
    report.added.append(Added(record, path, text, draft.origin, notes))


def write_report(report: Report, ws: Workspace | None = None) -> None:
    """Write every added record (all or none), and enter them in the workspace's index."""
    write_new([(added.path, added.yaml) for added in report.added])
    if ws is not None:
        remember(ws, report.added)


def remember(ws: Workspace, added: list[Added]) -> None:
    """Enter records just written in the source index, as written (no file is read again),
    so the next command, a re-import above all, need not parse them. Where the index cannot
    be used the next refresh reads them instead."""
    from briefgen.library.index import Index, IndexUnavailable, index_path

    if not added or not index_path(ws.root).is_file():
        return
    try:
        with Index(index_path(ws.root), ws.sources_dir) as index:
            index.add_written([(item.path, item.yaml.encode("utf-8"), item.record)
                               for item in added])
    except (IndexUnavailable, sqlite3.Error, OSError) as err:
        log.debug("the new records are indexed at the next refresh: %s", err)


def import_sources(ws: Workspace, sources: Iterable[str], options: Options | None = None,
                   dry_run: bool = False) -> Report:
    """``briefgen sources import``: read, check, then write every new record at once."""
    report = plan_import(ws, sources, options or Options())
    if not dry_run:
        write_report(report, ws)
    return report


