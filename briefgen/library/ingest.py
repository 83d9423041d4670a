"""Getting records into the library: ``briefgen sources add`` and ``sources import``.

The importers read an RSS/Atom feed (through feedparser), a CSL-JSON export
(Zotero's "Export → CSL JSON") or an article file (.txt, .md, .html), from a
file or an http(s) address, and make one source record per entry, item or
article. Each record is validated, written as YAML in the order of
:class:`models.SourceRecord`'s fields and read back before anything is saved;
the records of one import are then written together: every file or none.
Re-importing adds nothing: a record whose address (or, without one, title and
date) is already in the library is skipped.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import shlex
import subprocess
import sys
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from briefgen.errors import BriefgenError, InputError, OutputError, shown_path
from briefgen.library import extract
from briefgen.library.fetch import (ARTICLE_SUFFIXES, CSL_SUFFIXES, FEED_SUFFIXES, FETCH_TIMEOUT,
                                    Loaded, load)
from briefgen.models import SourceRecord
from briefgen.readers import decode_text, load_json, parse_yaml, read_text, validate
from briefgen.workspace import Workspace
from briefgen.yamllimits import LimitedLoader

FORMATS = ("feed", "csl", "article")
TRACKING = ("utm_", "fbclid=", "gclid=", "mc_cid=", "mc_eid=")

# CSL type → record kind (docs/sources.md has the whole mapping).
CSL_KINDS = {
    "article-newspaper": "news", "article-magazine": "news", "broadcast": "news",
    "webpage": "web", "post": "web", "post-weblog": "web", "software": "web",
    "report": "report", "article-journal": "report", "article": "report", "book": "report",
    "chapter": "report", "thesis": "report", "paper-conference": "report",
    "entry-encyclopedia": "report", "entry-dictionary": "report", "review": "report",
    "speech": "statement", "interview": "statement", "personal_communication": "statement",
    "dataset": "statistic", "figure": "statistic", "manuscript": "memo",
}
_ATIP_GENRE = re.compile(r"\bATIP\b|\bATI\b|access to information|accès à l.information|AIPRP", re.I)


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


def slug(text: str | None, limit: int) -> str:
    """Lowercase ASCII words joined by '-', whole words up to ``limit`` characters."""
    if not text:
        return ""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    ascii_text = re.sub(r"(?<=\w)[.'](?=\w)", "", ascii_text)      # U.S. → US, Canada's
    out = ""
    for word in re.findall(r"[a-z0-9]+", ascii_text.lower()):
        if out and len(out) + 1 + len(word) > limit:
            break
        out = f"{out}-{word}" if out else word[:limit]
    return out


def make_id(publisher: str | None, date: dt.date | None, title: str | None) -> str:
    """The stable id of a new record: publisher-date-title, e.g.
    ``the-canadian-press-2024-12-13-canadian-officials-prepared-for-any-us``."""
    parts = [slug(publisher, 30), date.isoformat() if date else "", slug(title, 40)]
    return "-".join(part for part in parts if part) or "record"


def clean_url(url: str) -> str:
    """An address without its tracking parameters (utm_source=rss...)."""
    parts = urlsplit(url.strip())
    query = "&".join(p for p in parts.query.split("&") if p and not p.lower().startswith(TRACKING))
    return parts._replace(query=query).geturl()


def url_key(url: str) -> str:
    """An address as compared for duplicates: no scheme, www., fragment or tracking query."""
    parts = urlsplit(clean_url(url))
    path = parts.path.rstrip("/") or "/"
    return parts.netloc.lower().removeprefix("www.") + path + (f"?{parts.query}" if parts.query else "")


def title_key(title: str, date: Any) -> str:
    return " ".join(re.findall(r"\w+", title.casefold())) + f"|{date or ''}"


@dataclass
class Library:
    """What is already in sources/: the ids and file names in use, and each record by
    address and by title and date (to skip duplicates)."""

    taken: set[str] = field(default_factory=set)
    by_url: dict[str, str] = field(default_factory=dict)
    by_title: dict[str, str] = field(default_factory=dict)
    paths: dict[str, str] = field(default_factory=dict)     # id → file, relative to sources/
    new: set[str] = field(default_factory=set)              # ids this import adds

    @classmethod
    def read(cls, ws: Workspace) -> Library:
        library = cls()
        if not ws.sources_dir.is_dir():
            return library
        from briefgen.library.index import open_index

        with open_index(ws.root, ws.sources_dir) as index:
            rows = index.fields("url", "title", "date")
        for rel, key, url, title, date in rows:
            library.taken.add(Path(rel).stem)
            if key is None:
                continue
            library.note(key, url, title, date, rel)
        return library

    def note(self, key: str, url: str | None, title: str | None, date: Any, rel: str) -> None:
        self.taken.add(key)
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
            return self.by_url.get(url_key(url))
        title = data.get("title")
        return self.by_title.get(title_key(title, data.get("date"))) if title else None

    def new_id(self, base: str) -> str:
        """``base``, or ``base-2``, ``base-3``... if another record has it."""
        key, number = base, 1
        while key in self.taken:
            number += 1
            key = f"{base}-{number}"
        return key


# YAML in a stable field order ----------------------------------------------------

# libyaml's emitter when PyYAML has it; no &anchors (added and accessed are often one date).
_Dumper: Any = type("_Dumper", (getattr(yaml, "CSafeDumper", yaml.SafeDumper),),
                    {"ignore_aliases": lambda self, data: True})


class _Literal(str):
    """Printed as a ``|`` block: the record's text, line for line."""


class _Folded(str):
    """Printed as a ``>`` block: a long one-paragraph summary."""


class _Flow(list):  # type: ignore[type-arg]
    """Printed on one line: ``tags: [canada-us, border]``."""


_STR = "tag:yaml.org,2002:str"
_Dumper.add_representer(_Literal, lambda d, v: d.represent_scalar(_STR, str(v), style="|"))
_Dumper.add_representer(_Folded, lambda d, v: d.represent_scalar(_STR, str(v), style=">"))
_Dumper.add_representer(_Flow, lambda d, v: d.represent_sequence(
    "tag:yaml.org,2002:seq", list(v), flow_style=True))


def record_yaml(record: SourceRecord) -> str:
    """The record as a YAML file: fields in the model's order, empty ones left out,
    the id left to the file name."""
    data: dict[str, Any] = {}
    for name in SourceRecord.model_fields:
        value = getattr(record, name)
        if name == "id" or value is None or value == [] or value == "":
            continue
        if name == "quotes":
            value = [{k: v for k, v in quote.model_dump().items() if v is not None} for quote in value]
        elif name in ("tags", "author"):
            value = _Flow(value)
        elif isinstance(value, str) and "\n" in value:
            value = _Literal(value)
        elif name == "summary" and len(value) > 70:
            value = _Folded(value)
        data[name] = value
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=88)


def checked_yaml(record: SourceRecord, path: Path) -> str:
    """:func:`record_yaml`, read back as the library will read it: the same record or an error."""
    text = record_yaml(record)
    data = yaml.load(text, Loader=LimitedLoader)  # noqa: S506 - the safe loader, with limits
    if SourceRecord.model_validate({"id": record.id, **data}) != record:
        raise OutputError(f"the record would not read back as written (please report this): "
                          f"{record.id}", file=path)
    return text


# Writing -------------------------------------------------------------------------

def write_new(files: list[tuple[Path, str]]) -> None:
    """Write new files, all or none, never replacing a file.

    Each file is written to a hidden temp file beside it, the batch is flushed to
    disk once (a flush per file would cost more than the import), then each is
    linked into place; if any step fails, the files already placed are removed.
    """
    staged: list[tuple[Path, Path]] = []
    placed: list[Path] = []
    try:
        for path, text in files:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            staged.append((Path(temp), path))
            with os.fdopen(fd, "wb") as handle:
                handle.write(text.encode("utf-8"))
                if not hasattr(os, "sync"):
                    os.fsync(handle.fileno())
        if hasattr(os, "sync"):
            os.sync()
        for temp, path in staged:
            os.chmod(temp, 0o644)
            _place(temp, path)
            placed.append(path)
    except BaseException as err:
        for path in placed:
            path.unlink(missing_ok=True)
        if isinstance(err, FileExistsError):
            raise OutputError(f"{shown_path(Path(err.filename or ''))} appeared while importing; "
                              "nothing was added") from None
        if isinstance(err, OSError):
            raise OutputError(f"cannot write the records: {err}; nothing was added") from None
        raise
    finally:
        for temp, _ in staged:
            temp.unlink(missing_ok=True)


def _place(temp: Path, path: Path) -> None:
    """Link ``temp`` to ``path``, failing if ``path`` exists (a hard link, where the
    file system has them; else a checked rename)."""
    try:
        os.link(temp, path)
    except FileExistsError:
        raise FileExistsError(17, "exists", str(path)) from None
    except OSError:
        if path.exists():
            raise FileExistsError(17, "exists", str(path)) from None
        os.replace(temp, path)


def detect(loaded: Loaded) -> str:
    """feed, csl or article: from the HTTP content type, the file name, then the content."""
    kind = loaded.content_type.split(";")[0].strip()
    if kind in ("application/xhtml+xml",) or kind.endswith("html"):
        return "article"
    if "rss" in kind or "atom" in kind or kind.endswith("/xml"):
        return "feed"
    if kind.endswith("json"):
        return "csl"
    if loaded.suffix in FEED_SUFFIXES:
        return "feed"
    if loaded.suffix in CSL_SUFFIXES:
        return "csl"
    if loaded.suffix in ARTICLE_SUFFIXES:
        return "article"
    head = loaded.data[:512].lstrip().lower()
    if head.startswith((b"<?xml", b"<rss", b"<feed", b"<rdf")):
        return "feed"
    if head.startswith((b"[", b"{")):
        return "csl"
    return "article"


def _text(loaded: Loaded) -> str:
    """The source as text: UTF-8 (or, for HTML, the charset it declares); never binary."""
    data = loaded.data
    if data.startswith(b"%PDF"):
        raise loaded.error("a PDF file: importing PDFs is not supported; "
                           "save the text as .txt and import that")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):   # UTF-16 (Windows Notepad's "Unicode")
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            raise loaded.error("UTF-16 text that cannot be read; save it as UTF-8") from None
    if b"\x00" in data[:65536]:
        raise loaded.error("a binary file, not text; import a .txt, .md, .html, "
                           "feed or CSL-JSON file")
    declared = re.search(rb"charset=[\"']?([\w.:-]+)", loaded.content_type.encode()
                         + b" " + data[:2048], re.I)
    if declared and declared.group(1).lower() not in (b"utf-8", b"utf8"):
        try:
            data = data.decode(declared.group(1).decode()).encode("utf-8")
        except (LookupError, UnicodeDecodeError):
            pass                        # a wrong declaration: read it as UTF-8 below
    try:
        return decode_text(data, Path(loaded.name))
    except InputError as err:
        raise loaded.error(err.message, err.line) from None


# Importers -----------------------------------------------------------------------

@dataclass
class Draft:
    """A record read from a source, before it is checked against the library."""

    origin: str                 # "feed.xml, entry 3"
    data: dict[str, Any]
    notes: list[str] = field(default_factory=list)


Reader = Callable[[Loaded], Iterator["Draft | Rejected"]]


@dataclass
class Rejected:
    origin: str
    reason: str


def read_feed(loaded: Loaded) -> Iterator[Draft | Rejected]:
    """One ``news`` record per entry of an RSS or Atom feed."""
    import xml.sax

    import feedparser

    headers = {"content-type": loaded.content_type} if loaded.content_type else {}
    if loaded.url:
        headers["content-location"] = loaded.url
    feed = feedparser.parse(loaded.data, response_headers=headers, sanitize_html=False,
                            resolve_relative_uris=False)
    problem = feed.get("bozo_exception")
    if isinstance(problem, xml.sax.SAXParseException):
        raise loaded.error(f"not a well-formed feed: {problem.getMessage()} "
                           f"(column {problem.getColumnNumber()})", problem.getLineNumber())
    if not feed.get("version") and not feed.entries:
        reason = f": {problem}" if problem else ""
        raise loaded.error(f"not an RSS or Atom feed{reason}")
    channel = feed.get("feed", {})
    publisher = _plain(channel.get("title"), channel.get("title_detail"))
    language = _language(channel.get("language"))
    for number, entry in enumerate(feed.entries, 1):
        origin = f"{loaded.name}, entry {number}"
        title = _plain(entry.get("title"), entry.get("title_detail"))
        if not title:
            yield Rejected(origin, "the entry has no title")
            continue
        link = entry.get("link") or (entry.get("id") if entry.get("guidislink") else None)
        if not (isinstance(link, str) and re.match(r"https?://[^\s<>]+$", link)):
            guid = entry.get("id")
            link = guid if isinstance(guid, str) and re.match(r"https?://[^\s<>]+$", guid) else None
        when = entry.get("published_parsed") or entry.get("updated_parsed") or entry.get("created_parsed")
        content = entry.get("content") or []
        body = _plain(content[0].get("value"), content[0]) if content else None
        summary = _plain(entry.get("summary"), entry.get("summary_detail"))
        data: dict[str, Any] = {
            "kind": "news", "title": title, "publisher": publisher,
            "author": [a["name"] for a in entry.get("authors", []) if a.get("name")],
            "date": dt.datetime(*when[:6], tzinfo=dt.timezone.utc) if when else None, "url": link,
            "language": _language(entry.get("language")) or language,
            "summary": summary if summary and summary != body else None,
        }
        if body:
            data.update(text=body, quotes=extract.quotes(body), key_facts=extract.key_facts(body))
        yield Draft(origin, data)


def _plain(value: Any, detail: Any = None) -> str | None:
    """A feed's text as plain text (HTML when the feed says so, or when it looks like it)."""
    if not isinstance(value, str) or not value.strip():
        return None
    kind = (detail or {}).get("type", "") if isinstance(detail, dict) else ""
    if "html" in kind or "<" in value:
        value = extract.html_to_text(value)
    return value.strip() or None


def _language(code: Any) -> str | None:
    if not isinstance(code, str):
        return None
    code = code.strip().lower()[:2]
    return code if code in ("en", "fr") else None


def read_csl(loaded: Loaded) -> Iterator[Draft | Rejected]:
    """One record per item of a CSL-JSON file (a list of items, as Zotero exports them)."""
    text = _text(loaded)
    try:
        items = load_json(text, Path(loaded.name))
    except InputError as err:
        raise loaded.error(err.message, err.line) from None
    if isinstance(items, dict) and ("items" in items or "title" in items):
        items = items.get("items", [items])      # {"items": [...]}, or a single item
    if not isinstance(items, list):
        raise loaded.error(f"expected a CSL-JSON list of items ([{{...}}, {{...}}]), found "
                           f"{'one object without a title' if isinstance(items, dict) else 'no list'}")
    for number, item in enumerate(items, 1):
        origin = f"{loaded.name}, item {number}"
        if not isinstance(item, dict):
            yield Rejected(origin, f"expected an item (a JSON object), found {type(item).__name__}")
            continue
        if isinstance(item.get("id"), (str, int)):
            origin += f" (id {item['id']})"
        yield _csl_item(item, origin)


def _csl_item(item: dict[str, Any], origin: str) -> Draft | Rejected:
    title = _csl_text(item.get("title"))
    if not title:
        return Rejected(origin, "the item has no title; give it one in Zotero and export again")
    kind = CSL_KINDS.get(str(item.get("type", "")), "other")
    genre = _csl_text(item.get("genre")) or ""
    atip = bool(_ATIP_GENRE.search(genre))
    container, publisher = _csl_text(item.get("container-title")), _csl_text(item.get("publisher"))
    periodical = str(item.get("type", "")).startswith(("article-", "post", "broadcast"))
    url = _csl_text(item.get("URL"))
    if not url and (doi := _csl_text(item.get("DOI"))):
        url = f"https://doi.org/{doi.removeprefix('https://doi.org/')}"
    notes = []
    date = _csl_date(item.get("issued"))
    if item.get("issued") and date is None:
        notes.append("its date is not a whole day (year or month only), so it has none")
    data: dict[str, Any] = {
        "kind": "atip" if atip else kind, "title": title,
        "publisher": (container or publisher) if periodical else (publisher or container),
        "author": [name for name in map(_csl_name, item.get("author") or []) if name],
        "date": date, "url": url, "accessed": _csl_date(item.get("accessed")),
        "atip_number": _csl_text(item.get("number")) if atip else None,
        "pages": _csl_pages(item.get("number-of-pages")),
        "language": _language(item.get("language")),
        "tags": [t for t in (slug(k, 40) for k in _csl_keywords(item.get("keyword"))) if t],
        "summary": _csl_text(item.get("abstract")),
    }
    return Draft(origin, data, notes)


def _csl_text(value: Any) -> str | None:
    """CSL text (which may carry <i>, <b>, <span class="nocase"> markup) as plain text."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    value = " ".join(re.sub(r"</?(?:i|b|sup|sub|span)\b[^>]*>", "", value).split())
    return value or None


def _csl_keywords(value: Any) -> list[str]:
    """Keywords as CSL writes them ("a, b; c"), or as a list, as some exporters do."""
    values = value if isinstance(value, list) else [value]
    return [k for v in values if isinstance(v, str) for k in re.split(r"[,;]", v)]


def _csl_name(name: Any) -> str | None:
    if not isinstance(name, dict):
        return _csl_text(name)
    if literal := _csl_text(name.get("literal")):
        return literal
    parts = [_csl_text(name.get(k)) for k in ("given", "non-dropping-particle", "family", "suffix")]
    return " ".join(p for p in parts if p) or None


def _csl_date(value: Any) -> dt.date | None:
    """A CSL date ``{"date-parts": [[2024, 12, 13]]}`` or ``{"raw": "2024-12-13"}``: whole days only."""
    if not isinstance(value, dict):
        return None
    parts = value.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and len(parts[0]) >= 3:
        try:
            return dt.date(*(int(p) for p in parts[0][:3]))
        except (TypeError, ValueError, OverflowError):      # 2024-02-30, year 99999999999
            return None
    return extract.parse_date(value.get("raw") or value.get("literal"))


def _csl_pages(value: Any) -> int | None:
    text = _csl_text(value)
    sensible = text and text.isascii() and text.isdigit() and len(text) <= 9
    return int(text) if sensible and int(text) > 0 else None


def read_article(loaded: Loaded) -> Iterator[Draft | Rejected]:
    """One record for an article file: its text, quotations and sentences with figures;
    title and date from its metadata when it has some."""
    text = _text(loaded)
    if loaded.suffix in (".html", ".htm") or "html" in loaded.content_type or (
            not loaded.suffix and re.match(r"\s*<(?:!doctype html|html)", text, re.I)):
        data, notes = _html_article(text)
    elif loaded.suffix in (".md", ".markdown"):
        data, notes = _markdown_article(text, loaded)
    else:
        data, notes = _text_article(text)
    if loaded.url and not data.get("url"):
        data["url"] = loaded.url
    body = data.get("text") or ""
    if not body.strip():
        raise loaded.error("the article has no text")
    if not data.get("title"):
        data["title"] = extract.first_sentence_title(body)
        notes.append("title from the first sentence")
    publisher, date = extract.publication_line(body)
    data.setdefault("publisher", publisher)
    if not data.get("date") and date:
        data["date"] = date
    data.setdefault("kind", "news")
    data.update(quotes=extract.quotes(body), key_facts=extract.key_facts(body))
    yield Draft(loaded.name, data, notes)


def _html_article(html: str) -> tuple[dict[str, Any], list[str]]:
    page = extract.read_page(html)
    data = {"title": page.title, "publisher": page.publisher, "author": page.authors,
            "date": page.date, "url": page.url, "summary": page.summary,
            "language": _language(page.language), "text": page.text}
    return {k: v for k, v in data.items() if v}, []


_HEADER = re.compile(r"(?P<key>title|date|published|publisher|source|author|by|url|link)"
                     r"\s*:\s*(?P<value>.+)", re.I)
_HEADER_FIELDS = {"title": "title", "date": "date", "published": "date", "publisher": "publisher",
                  "source": "publisher", "author": "author", "by": "author", "url": "url",
                  "link": "url"}


def _text_article(text: str) -> tuple[dict[str, Any], list[str]]:
    """A .txt article, with optional ``Title:``/``Date:``/``Source:``... lines before a blank line."""
    data: dict[str, Any] = {}
    head, _, rest = text.strip().partition("\n\n")
    matches = [_HEADER.fullmatch(line.strip()) for line in head.splitlines()]
    if rest and matches and all(matches):
        for match in matches:
            name = _HEADER_FIELDS[match.group("key").lower()]
            value = match.group("value").strip()
            data[name] = extract.parse_date(value) or value if name == "date" else value
        text = rest
    return {**data, "text": "\n\n".join(extract.paragraphs(text))}, []


def _markdown_article(text: str, loaded: Loaded) -> tuple[dict[str, Any], list[str]]:
    """A .md article: YAML front matter (title, date, author...) when present, the rest as text."""
    data: dict[str, Any] = {}
    match = re.match(r"---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|$)", text, re.S)
    if match:
        meta, _ = parse_yaml(match.group(1) or "", Path(loaded.name), line_offset=1)
        if isinstance(meta, dict):
            known = SourceRecord.model_fields
            data = {k: v for k, v in meta.items() if k in known and k not in ("id", "text") and v}
        text = text[match.end():]
    body = text.strip("\n")
    heading = re.match(r"#\s+(.+)\n+", body)
    if heading and not data.get("title"):
        data["title"] = heading.group(1).strip()
        body = body[heading.end():]
    return {**data, "text": body}, []


READERS: dict[str, Reader] = {"feed": read_feed, "csl": read_csl, "article": read_article}


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
    fields = _checked_fields(ws, {k: v for k, v in options.fields.items() if k != "tags"})
    drafts: list[Draft | Rejected] = []
    for item, kind in zip(loaded, formats):
        drafts.extend(READERS[kind](item))
    library = Library.read(ws)
    report = Report()
    day = options.today or today(ws)
    for draft in drafts:
        if isinstance(draft, Rejected):
            report.rejected.append((draft.origin, draft.reason))
            continue
        _settle(ws, draft, fields, options, day, library, report)
    return report


def _checked_fields(ws: Workspace, fields: dict[str, Any]) -> dict[str, Any]:
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


def write_report(report: Report) -> None:
    """Write every added record (all or none)."""
    write_new([(added.path, added.yaml) for added in report.added])


def import_sources(ws: Workspace, sources: Iterable[str], options: Options | None = None,
                   dry_run: bool = False) -> Report:
    """``briefgen sources import``: read, check, then write every new record at once."""
    report = plan_import(ws, sources, options or Options())
    if not dry_run:
        write_report(report)
    return report


# Add -----------------------------------------------------------------------------

def add_command(ws: Workspace, fields: dict[str, Any], record_id: str | None = None,
                edit: bool = False, dry_run: bool = False) -> Report:
    """``briefgen sources add``: from the options, or in the editor with ``edit`` (or when
    no title is given and someone is at the terminal)."""
    fields = {k: v for k, v in fields.items() if v is not None and v != []}
    if fields.get("quotes"):
        fields["quotes"] = [{"text": text} for text in fields["quotes"]]
    report = Report()
    if edit or ("title" not in fields and sys.stdin.isatty()):
        added = add_with_editor(ws, fields, record_id, dry_run)
        if added is None:
            report.skipped.append(("the new record", "left empty or unchanged: nothing added"))
            return report
    else:
        added = add(ws, fields, record_id, dry_run)
    report.added.append(added)
    return report


def add(ws: Workspace, fields: dict[str, Any], record_id: str | None = None,
        dry_run: bool = False, day: dt.date | None = None) -> Added:
    """``briefgen sources add`` with flags: one record, validated, never replacing another."""
    data = _checked_fields(ws, fields)
    for required in ("kind", "title"):
        if not data.get(required):
            raise InputError(f"--{required} is required (or use --edit to write the record "
                             "in your editor)")
    return _add(ws, data, record_id, dry_run, day, origin="command line", flags=True)


def _add(ws: Workspace, data: dict[str, Any], record_id: str | None, dry_run: bool,
         day: dt.date | None, origin: str, flags: bool, lines: dict | None = None) -> Added:
    library = Library.read(ws)
    data.setdefault("added", day or today(ws))
    if data.get("url") and not data.get("accessed"):
        data["accessed"] = data["added"]
    if (same := library.duplicate({"url": data.get("url")} if data.get("url") else data)) is not None:
        raise InputError(f"already in the library as {same} "
                         f"({shown_path(ws.sources_dir / library.paths[same])}); nothing added")
    date = extract.parse_date(str(data["date"])) if data.get("date") else None
    key = record_id or make_id(data.get("publisher"), date, str(data.get("title") or ""))
    if key in library.taken:
        used = library.paths.get(key, f"{key}.yaml")
        raise InputError(f"the id {key!r} is already used by "
                         f"{shown_path(ws.sources_dir / used)}; choose another with --id",
                         field="id")
    path = ws.sources_dir / f"{key}.yaml"
    try:
        record = validate(SourceRecord, {"id": key, **data}, Path(origin), lines or {})
    except InputError as err:
        if not flags:
            raise
        option = "--" + (err.field or "").split(".")[0].replace("_", "-")
        raise InputError(f"{option}: {err.message}") from None
    text = checked_yaml(record, path)
    if not dry_run:
        write_new([(path, text)])
    return Added(record, path, text, origin)


EDIT_HELP = """\
# A new source record. Fill in the fields, save and close the editor.
# An empty file, or one saved unchanged, adds nothing. Only kind and title
# are required; dates are YYYY-MM-DD; the id is made from publisher, date and
# title unless you give one (id: my-record).
# kind: news | atip | memo | report | statement | statistic | web | other
"""
_EDIT_FIELDS = ("kind", "title", "publisher", "author", "date", "url", "atip_number", "pages",
                "classification", "language", "tags", "summary", "key_facts", "quotes", "text")


def edit_template(fields: dict[str, Any]) -> str:
    """The file opened in the editor: the fields given as flags filled in, the others empty."""
    lines = [EDIT_HELP.rstrip("\n")]
    for name in _EDIT_FIELDS:
        value = fields.get(name)
        if value in (None, [], ""):
            empty = {"author": " []", "tags": " []", "key_facts": " []", "quotes": " []",
                     "text": " |", "language": " en"}.get(name, "")
            lines.append(f"{name}:{empty}")
            if name == "quotes":
                lines.append("#  - text: the words, exactly as in the source\n#    speaker: who said them")
        else:
            lines.append(_draft_field(name, value))
    return "\n".join(lines) + "\n"


def _draft_field(name: str, value: Any) -> str:
    """One field given as a flag, as block YAML the draft reads back: lists of words on
    one line, quotes as a list of fields, the text as a ``|`` block."""
    if name in ("tags", "author"):
        value = _Flow(value)
    elif name == "text" or (isinstance(value, str) and "\n" in value):
        value = _Literal(value)
    dumped = yaml.dump({name: value}, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                       default_flow_style=False, width=88)
    return dumped.rstrip("\n")


def add_with_editor(ws: Workspace, fields: dict[str, Any], record_id: str | None = None,
                    dry_run: bool = False, editor: str | None = None,
                    day: dt.date | None = None) -> Added | None:
    """``briefgen sources add --edit``: the record written in ``$VISUAL``/``$EDITOR``.

    An invalid record opens again with the error at the top; saving it unchanged
    gives up (the draft is kept and its path printed). None: nothing was added.
    """
    command = editor or os.environ.get("VISUAL") or os.environ.get("EDITOR") or (
        "notepad" if sys.platform == "win32" else "vi")
    fd, name = tempfile.mkstemp(prefix="briefgen-record-", suffix=".yaml")
    draft = Path(name)
    template = edit_template(_checked_fields(ws, fields))
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(template)
    before, error = template, None
    while True:
        _run_editor(command, draft)
        if not draft.is_file():
            raise InputError(f"the editor removed the draft {draft}; nothing added")
        text = read_text(draft)
        body = re.sub(r"(?m)^# error: .*\n", "", text)
        if not body.strip() or body == template:
            draft.unlink(missing_ok=True)
            return None
        if text == before and error is not None:
            raise InputError(f"{error}; nothing added (your draft is kept in {draft})")
        try:
            data, lines = parse_yaml(body, draft)
            if not isinstance(data, dict):
                raise InputError("expected fields such as 'kind: news'", file=draft, line=1)
            data = {k: v for k, v in data.items() if v not in (None, "", [])}
            key = data.pop("id", None) or record_id
            added = _add(ws, data, key, dry_run, day, origin=str(draft), flags=False, lines=lines)
        except InputError as err:   # shown in a comment above the record: one line lower
            where = f"line {err.line + 1}: " if err.line else ""
            error = f"{where}{err.field + ': ' if err.field else ''}{err.message}"
            before = f"# error: {error}\n{body}"
            draft.write_text(before, encoding="utf-8")
            continue
        draft.unlink(missing_ok=True)
        return added


def _run_editor(command: str, path: Path) -> None:
    try:
        result = subprocess.run([*shlex.split(command), str(path)])
    except OSError as err:
        raise InputError(f"cannot start the editor {command!r} ({err.strerror or err}); "
                         "set $EDITOR, or give the fields as options") from None
    if result.returncode != 0:
        raise InputError(f"the editor {command!r} exited with status {result.returncode}; "
                         f"nothing added (your draft is in {path})")
