"""What the importers read: an RSS/Atom feed, a CSL-JSON export or an article file,
each turned into drafts of records."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefgen.errors import InputError
from briefgen.library import extract
from briefgen.library.fetch import (
    ARTICLE_SUFFIXES,
    CSL_SUFFIXES,
    FEED_SUFFIXES,
    Loaded,
)
from briefgen.library.records import slug
from briefgen.models import SourceRecord
from briefgen.readers import decode_text, load_json, parse_yaml

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


