"""Resolve stage: a brief spec plus the library → one note ready for the writers.

Checks the citations and the classification, renders the note's template to
Markdown, then turns citations into numbered footnotes (or a sources list).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefgen.errors import BriefgenError, ClassificationError, InputError, shown_path
from briefgen.models import MARKDOWN_FIELDS, MARKDOWN_LIST_FIELDS, Brief, SourceRecord
from briefgen.note import language, notetypes, typography
from briefgen.note.citations import Citations, check_keys, cited_keys
from briefgen.note.labels import labels_for, misspelled_labels
from briefgen.note.render import Markdown, environment, render
from briefgen.note.templates import check_fields
from briefgen.readers import Lines, read_brief
from briefgen.workspace import SETTINGS_FILE, Workspace

if TYPE_CHECKING:
    import jinja2

log = logging.getLogger("briefgen")
LANGUAGE_TAGS = {"en": "en-CA", "fr": "fr-CA"}


def language_tag(lang: str) -> str:
    """A note's or a passage's language as the outputs tag it: ``en`` is Canadian English."""
    return LANGUAGE_TAGS.get(lang.lower(), lang)


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
    records: tuple[str, ...] = ()     # the ids of the records it cites or lists

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


def note_stamp(note: Note) -> str:
    """``briefgen NAME#HASH``: the brief a DOCX was built from (its file name without the
    suffix, which converting to the other form keeps) and a hash of its note, so
    ``briefgen absorb`` can tell which brief it belongs to and whether the brief has
    changed since. Words and spaces: LibreOffice rewrites punctuation in keywords."""
    text = f"{note.marking}\n{note.body}".encode("utf-8", "surrogatepass")   # any text at all
    digest = hashlib.sha256(text).hexdigest()[:16]
    return f"briefgen {note.source.stem}#{digest}"


@dataclass(frozen=True)
class _Draft:
    """A brief read and checked, ready to render at some level."""

    ws: Workspace
    brief: Brief
    path: Path
    lines: Lines
    template: str
    kind: notetypes.NoteType | None
    lang: str
    labels: dict[str, str]
    cited: dict[str, SourceRecord]      # what the brief's own text cites or lists
    env: jinja2.Environment

    def render(self, level: str) -> str:
        context = _context(self.ws, self.brief, self.lang, level, self.labels, self.cited)
        if self.brief.purpose is None:
            context["brief"]["purpose"] = self.kind.purpose if self.kind else "information"
        return render(self.env, self.template, context)

    def template_file(self) -> Path:
        """The template file the note was rendered from (for messages)."""
        return Path(self.env.get_template(self.template).filename or self.template)


def _draft(ws: Workspace, path: Path) -> _Draft:
    env = environment(ws.templates_dir)     # first: an unreadable templates/ is an error
    brief, lines = read_brief(path)
    template = notetypes.template_for(ws, brief, path, lines)
    check_fields(ws, brief.type, brief.fields, path, lines)
    kind = notetypes.validate(ws, brief, path, lines)
    lang = brief.lang or ws.settings.language
    cited = _check_citations(ws, brief, path, lines)
    return _Draft(ws, brief, path, lines, template, kind, lang, note_labels(ws, lang), cited, env)


def note_labels(ws: Workspace, lang: str) -> dict[str, str]:
    """The note's labels; a settings key close to a known label reads as a typo."""
    for key, known in misspelled_labels(ws.settings.labels, lang):
        _warn_label(ws.root / SETTINGS_FILE, lang, key, known)
    return labels_for(lang, ws.settings.labels)


@lru_cache(maxsize=64)
def _warn_label(settings: Path, lang: str, key: str, known: str) -> None:
    """Once per run, not once per note."""
    log.warning("%s: warning: [labels.%s] unknown label %r; did you mean %r?",
                shown_path(settings), lang, key, known)


def compose(ws: Workspace, path: Path) -> Note:
    draft = _draft(ws, path)
    body, level = _render_marked(draft)
    return finish(ws, draft.env, draft.brief, path, draft.lang, level, draft.labels, body,
                  ws.records, draft.kind.citations if draft.kind else None)


def _render_marked(draft: _Draft) -> tuple[str, str]:
    """Render the note and mark it by every citation that reaches it: the brief's own
    and any its template adds (``{{ "id" | cite }}`` or ``[@id]`` in the template).

    A template citation above an explicit marking is an error; without one, the
    note is rendered again at the raised level, so ``marking`` in the template is
    right. Levels only go up, so this ends within the scale's length.
    """
    ws, brief = draft.ws, draft.brief
    level = classify(ws, brief, draft.path, draft.lines, draft.cited)
    while True:
        body = draft.render(level)
        added = _template_citations(draft, body)
        found = classify(ws, brief, draft.path, draft.lines, {**draft.cited, **added},
                         via={key: draft.template_file() for key in added})
        if ws.scale.rank(found) <= ws.scale.rank(level):
            return body, level
        level = found


def _template_citations(draft: _Draft, body: str) -> dict[str, SourceRecord]:
    """Records the rendered note cites that the brief's text does not: its template's."""
    keys = _added_keys(draft, body)
    for key in keys:
        check_keys(f"[@{key}]", draft.ws.records, file=draft.template_file())
    return {key: draft.ws.records[key] for key in keys}


def _added_keys(draft: _Draft, body: str) -> list[str]:
    return [key for key in dict.fromkeys(cited_keys(body)) if key not in draft.cited]


def note_citations(ws: Workspace, path: Path) -> tuple[Path, dict[str, SourceRecord], list[str]]:
    """What ``check`` reads of a brief's note as built: the template it is rendered
    from, the records the rendered note cites (the brief's and its template's), and the
    ids it cites that name no record. A brief the build cannot render gives nothing
    here: the build stops on it with its own message."""
    try:
        draft = _draft(ws, path)
        level = classify(ws, draft.brief, path, draft.lines, draft.cited)
        keys = list(dict.fromkeys(cited_keys(draft.render(level))))
    except BriefgenError:
        return Path(), {}, []
    known = {key: ws.records[key] for key in keys if key in ws.records}
    return draft.template_file(), known, [key for key in keys if key not in known]


def finish(ws: Workspace, env: jinja2.Environment, brief: Brief, source: Path, lang: str,
           level: str, labels: dict[str, str], body: str,
           records: Mapping[str, SourceRecord], citation_style: str | None = None) -> Note:
    """Rendered Markdown → the Note the writers take: citations become footnotes (or a
    numbered sources list) with references from ``citation.md.j2``. Briefs and digests
    both end here. Quotations of records in the other language are marked as such;
    French text gets French spacing, English typographic quotes (the references keep
    theirs). Whatever the caller computed, no note leaves here marked below a record
    it cites."""
    body = language.tag_quotations(body, records, lang)
    body = typography.french(body) if lang == "fr" else typography.english(body)

    used: list[str] = []

    def reference(key: str, locator: str | None, first: bool) -> str:
        if first:                 # each record the note cites or lists comes here first once
            _check_marking(ws, level, key, records, source)
            used.append(key)
        ref = {"record": records[key], "locator": locator, "first": first, "lang": lang}
        return _marked(ws, key, records[key], lang, render(env, "citation.md.j2", ref).strip())

    separator = typography.NNBSP + "; " if lang == "fr" else "; "
    citations = Citations(reference, citation_style or ws.settings.citations, separator)
    body = citations.resolve(body)
    body += _notes(citations, brief.sources, labels)
    return Note(brief=brief, source=source, lang=lang, level=level,
                marking=ws.scale.marking(level, lang), labels=labels, body=body,
                author=brief.prepared_by or ws.settings.department.name or "briefgen",
                records=tuple(used))


def _marked(ws: Workspace, key: str, record: SourceRecord, lang: str, reference: str) -> str:
    """A reference to a record above the lowest level ends with the record's marking,
    "… (PROTECTED B)", whatever the citation template prints."""
    level = _level_of(ws, key, record)
    if ws.scale.rank(level) == 0:
        return reference
    return f"{reference.rstrip('.')} ({ws.scale.marking(level, lang)})"


def _check_marking(ws: Workspace, level: str, key: str, records: Mapping[str, SourceRecord],
                   source: Path) -> None:
    """The last guard: each record the finished text cites is one the note carries, at or
    below its level."""
    if key not in records and key in ws.records:    # a digest's template, past its ceiling
        raise ClassificationError(
            f"a template cites '{key}' ({ws.record_path(key)}), a record this note leaves "
            "out; remove that citation from the template", file=source)
    check_keys(f"[@{key}]", records, file=source)
    record_level = _level_of(ws, key, records[key])
    if ws.scale.rank(record_level) > ws.scale.rank(level):
        raise ClassificationError(
            f"the note is marked {level} but cites '{key}', which is {record_level}",
            file=source, field="classification")


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
             cited: Mapping[str, SourceRecord], via: Mapping[str, Path] | None = None) -> str:
    """The note's level: as marked, else the highest of its records and the default.
    ``via`` names the template that cites a record the brief itself does not."""
    scale = ws.scale
    levels = {key: _level_of(ws, key, record) for key, record in cited.items()}
    if brief.classification is None:
        return scale.highest([ws.default_level, *levels.values()])
    line = _line(lines, ("classification",))
    try:
        level = scale.normalise(brief.classification)
    except ValueError as err:
        raise InputError(str(err), file=path, line=line, field="classification") from None
    for key, record_level in levels.items():
        if scale.rank(record_level) > scale.rank(level):
            who = f"its template {shown_path(via[key])} " if via and key in via else ""
            raise ClassificationError(
                f"the brief is marked {level} but {who}cites '{key}' ({ws.record_path(key)}), "
                f"which is {record_level}; mark the brief {record_level} or higher, "
                "or stop citing that record", file=path, line=line, field="classification")
    return level


def _level_of(ws: Workspace, key: str, record: SourceRecord) -> str:
    try:
        return ws.scale.normalise(record.classification or ws.default_level)
    except ValueError as err:
        raise InputError(str(err), file=ws.record_path(key), field="classification") from None


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
