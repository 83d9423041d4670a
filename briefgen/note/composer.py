"""Resolve stage: a brief spec plus the library → one note ready for the writers.

Checks the citations and the classification, renders the note's template to
Markdown, then turns citations into numbered footnotes (or a sources list).
"""
from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefgen.errors import ClassificationError, InputError
from briefgen.models import MARKDOWN_FIELDS, MARKDOWN_LIST_FIELDS, Brief, SourceRecord
from briefgen.note import notetypes, typography
from briefgen.note.citations import Citations, check_keys
from briefgen.note.labels import labels_for
from briefgen.note.render import Markdown, environment, render
from briefgen.note.templates import check_fields
from briefgen.readers import Lines, read_brief
from briefgen.workspace import Workspace

if TYPE_CHECKING:
    import jinja2

LANGUAGE_TAGS = {"en": "en-CA", "fr": "fr-CA"}


@dataclass(frozen=True)
class Note:
    """Everything a writer needs: the Markdown body and the note's metadata."""

    brief: Brief
    source: Path
    lang: str
    level: str
    marking: str
    labels: dict[str, str]
    body: str          # Markdown with footnotes, without the classification lines
    author: str

    @property
    def name(self) -> str:
        return self.brief.id

    @property
    def timestamp(self) -> dt.datetime:
        """SOURCE_DATE_EPOCH when set, else the brief's date: never the clock."""
        epoch = os.environ.get("SOURCE_DATE_EPOCH")
        if epoch and epoch.strip().isdigit():
            return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).replace(tzinfo=None)
        return dt.datetime.combine(self.brief.date, dt.time())


def compose(ws: Workspace, path: Path) -> Note:
    brief, lines = read_brief(path)
    template = notetypes.template_for(ws, brief, path, lines)
    check_fields(ws, brief.type, brief.fields, path, lines)
    kind = notetypes.validate(ws, brief, path, lines)
    lang = brief.lang or ws.settings.language
    cited = _check_citations(ws, brief, path, lines)
    level = classify(ws, brief, path, lines, cited)
    labels = labels_for(lang, ws.settings.labels)
    env = environment(ws.templates_dir)
    context = _context(ws, brief, lang, level, labels, cited)
    if brief.purpose is None:
        context["brief"]["purpose"] = kind.purpose if kind else "information"
    body = render(env, template, context)
    return finish(ws, env, brief, path, lang, level, labels, body, ws.records,
                  kind.citations if kind else None)


def finish(ws: Workspace, env: jinja2.Environment, brief: Brief, source: Path, lang: str,
           level: str, labels: dict[str, str], body: str,
           records: Mapping[str, SourceRecord], citation_style: str | None = None) -> Note:
    """Rendered Markdown → the Note the writers take: citations become footnotes (or a
    numbered sources list) with references from ``citation.md.j2``. Briefs and digests
    both end here. French text gets French spacing first (the references keep theirs)."""
    if lang == "fr":
        body = typography.french(body)

    def reference(key: str, locator: str | None, first: bool) -> str:
        ref = {"record": records[key], "locator": locator, "first": first, "lang": lang}
        return render(env, "citation.md.j2", ref).strip()

    citations = Citations(reference, citation_style or ws.settings.citations)
    body = citations.resolve(body)
    body += _notes(citations, brief.sources, labels)
    return Note(brief=brief, source=source, lang=lang, level=level,
                marking=ws.scale.marking(level, lang), labels=labels, body=body,
                author=brief.prepared_by or ws.settings.department.name or "briefgen")


def text_fields(brief: Brief) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Every staff-written text of the brief with its path in the spec."""
    for name in ("to", "from_", "subject", *MARKDOWN_FIELDS, "prepared_by", "approved_by"):
        value = getattr(brief, name)
        if value:
            yield (name.rstrip("_"),), value
    for name in MARKDOWN_LIST_FIELDS:
        for index, value in enumerate(getattr(brief, name)):
            yield (name, index), value
    for name in ("options", "if_pressed", "qa", "participants"):
        yield from _strings([item.model_dump() for item in getattr(brief, name)], (name,))
    if brief.spokesperson:
        yield ("spokesperson",), brief.spokesperson
    if brief.event:
        yield from _strings(brief.event.model_dump(exclude={"date"}), ("event",))
    yield from _strings(brief.fields, ("fields",))


def _strings(value: Any, loc: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Every string inside a custom type's ``fields:`` (nested lists and mappings too)."""
    if isinstance(value, str):
        yield loc, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*loc, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*loc, index))


def _line(lines: Lines, loc: tuple[Any, ...]) -> int | None:
    return next((lines[loc[:n]] for n in range(len(loc), 0, -1) if loc[:n] in lines), None)


def _check_citations(ws: Workspace, brief: Brief, path: Path, lines: Lines) -> dict[str, SourceRecord]:
    """Records the brief cites or lists, in order; an unknown id is an error."""
    keys: list[str] = []
    for loc, text in text_fields(brief):
        where = {"file": path, "line": _line(lines, loc), "field": ".".join(map(str, loc))}
        keys += check_keys(text, ws.records, **where)
    for index, key in enumerate(brief.sources):
        check_keys(f"[@{key}]", ws.records, file=path, line=_line(lines, ("sources", index)),
                   field="sources")
        keys.append(key)
    return {key: ws.records[key] for key in dict.fromkeys(keys)}


def classify(ws: Workspace, brief: Brief, path: Path, lines: Lines,
              cited: dict[str, SourceRecord]) -> str:
    """The note's level: as marked, else the highest of its records and the default."""
    scale = ws.scale
    levels = {}
    for key, record in cited.items():
        try:
            levels[key] = scale.normalise(record.classification or ws.default_level)
        except ValueError as err:
            raise InputError(str(err), file=ws.record_path(key), field="classification") from None
    if brief.classification is None:
        return scale.highest([ws.default_level, *levels.values()])
    line = _line(lines, ("classification",))
    try:
        level = scale.normalise(brief.classification)
    except ValueError as err:
        raise InputError(str(err), file=path, line=line, field="classification") from None
    for key, record_level in levels.items():
        if scale.rank(record_level) > scale.rank(level):
            raise ClassificationError(
                f"the brief is marked {level} but cites '{key}' ({ws.record_path(key)}), "
                f"which is {record_level}; mark the brief {record_level} or higher, "
                "or stop citing that record", file=path, line=line, field="classification")
    return level


def _context(ws: Workspace, brief: Brief, lang: str, level: str, labels: dict[str, str],
             cited: dict[str, SourceRecord]) -> dict[str, Any]:
    """What a template sees. Staff-written text is Markdown; everything else is data."""
    data = brief.model_dump(by_alias=True)
    for loc, text in text_fields(brief):
        target: Any = data
        for part in loc[:-1]:
            target = target[part]
        target[loc[-1]] = Markdown(text)
    return {"brief": data, "labels": labels, "lang": lang, "marking": ws.scale.marking(level, lang),
            "level": level, "department": ws.settings.department.name, "records": cited}


def _notes(citations: Citations, listed: list[str], labels: dict[str, str]) -> str:
    """Footnote definitions, or the numbered Sources list, after the body."""
    extra = citations.add_uncited(listed)
    if citations.mode == "footnotes":
        text = "".join(f"\n[^{n}]: {note}\n" for n, note in enumerate(citations.notes, 1))
        if extra:
            text = f"\n## {labels['other_sources']}\n\n" + "".join(f"- {e}\n" for e in extra) + text
        return text
    entries = citations.notes + extra
    if not entries:
        return ""
    return f"\n## {labels['sources']}\n\n" + "".join(f"{n}. {e}\n" for n, e in enumerate(entries, 1))
