"""Note types: a brief's ``type`` picks ``templates/<type>.md.j2``.

The built-in types say which fields a brief must give, which ones their
template prints, their purpose line and, for some, a citation style and a
number of key messages. A custom type (a workspace template of its own name)
is checked by its ``<type>.schema.yaml`` instead, see :mod:`briefgen.note.templates`.
"""
from __future__ import annotations

import difflib
import logging
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from briefgen.briefs import sections
from briefgen.errors import InputError, shown_path
from briefgen.models import Brief
from briefgen.note.render import builtin_templates
from briefgen.readers import Lines
from briefgen.workspace import Workspace

log = logging.getLogger("briefgen")

# Templates that are parts of notes (or of the digest), never a note type of their own.
NOT_NOTE_TYPES = frozenset({"base", "citation", "digest"})
# Fields every type prints (base.md.j2's header block, signature, sources) or that are not text.
COMMON = frozenset({"id", "type", "tracking_number", "classification", "lang", "to", "from",
                    "subject", "date", "purpose", "prepared_by", "approved_by", "sources",
                    "fields", "attachments", "consultations", "spokesperson", "approval_status",
                    "contact", "review",
                    # disclosure data: exported, not printed
                    "title_en", "title_fr", "originating_sector_en", "originating_sector_fr",
                    "addressee", "action_required", "date_received", "minister",
                    "additional_information_en", "additional_information_fr"})


@dataclass(frozen=True)
class NoteType:
    name: str
    purpose: str | None                # the purpose line it prints by default; None: none
    required: dict[str, str]           # field → what the message asks for
    prints: frozenset[str]             # fields its built-in template prints (besides COMMON)
    citations: str | None = None       # a citation style the type always uses
    messages: tuple[int, int] | None = None   # how many key messages it holds
    purposes: tuple[str, ...] = field(default=("information", "decision", "signature"))


BUILTIN: dict[str, NoteType] = {t.name: t for t in (
    NoteType("briefing-note", "information", {}, frozenset({
        "summary", "background", "current_status", "considerations", "options",
        "recommendation", "next_steps", "talking_points"})),
    NoteType("decision-note", "decision", {
        "issue": "an issue: what the minister is asked to decide",
        "options": "options: at least one, each with a title, pros and cons",
        "recommendation": "a recommendation",
    }, frozenset({"issue", "background", "considerations", "options", "recommendation",
                  "next_steps"}), purposes=("decision", "signature")),
    NoteType("qp-note", None, {
        "issue": "an issue: the question the minister may be asked",
        "key_messages": "key_messages: 3 to 5 lines the minister can say",
        "background": "background: what the minister should know (published with the note)",
    }, frozenset({"issue", "key_messages", "if_pressed", "background"}),
        citations="sources-list", messages=(3, 5)),
    NoteType("media-lines", None, {
        "key_messages": "key_messages: the lines a spokesperson gives first",
    }, frozenset({"issue", "key_messages", "responsive_lines", "qa", "background",
                  "spokesperson", "approval_status"})),
    NoteType("meeting-brief", "information", {
        "event": "an event: title, date, and time and location if known",
        "objectives": "objectives: what the minister wants from the meeting",
    }, frozenset({"event", "participants", "objectives", "agenda", "key_messages",
                  "background", "logistics"})),
)}


def _note_templates(folder: Path) -> set[str]:
    if not folder.is_dir():
        return set()
    names = {p.name.removesuffix(".md.j2") for p in folder.glob("*.md.j2") if p.is_file()}
    return {n for n in names if not n.startswith("_") and n not in NOT_NOTE_TYPES}


def known_types(ws: Workspace) -> list[str]:
    """Built-in types first, in their order, then the workspace's own."""
    own = sorted(_note_templates(ws.templates_dir) - set(BUILTIN))
    return [*BUILTIN, *own]


def _type_line(lines: Lines) -> int | None:
    return lines.get(("type",))


def template_for(ws: Workspace, brief: Brief, path: Path, lines: Lines) -> str:
    """The template a brief's type names; an unknown type lists the known ones."""
    name = brief.type
    if name in NOT_NOTE_TYPES:
        raise InputError(f"{name!r} is not a note type; known types: "
                         f"{', '.join(known_types(ws))}", file=path, line=_type_line(lines),
                         field="type")
    if name in _note_templates(ws.templates_dir) | _note_templates(builtin_templates()):
        return f"{name}.md.j2"
    schema = ws.templates_dir / f"{name}.schema.yaml"
    if schema.is_file():
        raise InputError(f"no template for the note type {name!r}: {shown_path(schema)} is "
                         f"there but {shown_path(ws.templates_dir / f'{name}.md.j2')} is not; "
                         "add it", file=path, line=_type_line(lines), field="type")
    known = known_types(ws)
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.7)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise InputError(f"unknown note type {name!r}; {hint}known types: {', '.join(known)} "
                     f"(a custom type needs templates/{name}.md.j2)", file=path,
                     line=_type_line(lines), field="type")


def _given(brief: Brief, name: str) -> bool:
    return getattr(brief, name) not in (None, "", [], {})


def validate(ws: Workspace, brief: Brief, path: Path, lines: Lines) -> NoteType | None:
    """What a built-in type asks of a brief; None for a custom type."""
    kind = BUILTIN.get(brief.type)
    if kind is None:
        return None
    where = {"file": path}
    for name, wanted in kind.required.items():
        if not _given(brief, name):
            hint = _section_hint(ws, brief, name, path)
            raise InputError(f"a {kind.name} needs {wanted}{hint}", **where,
                             line=lines.get((name,), _type_line(lines)), field=name)
    if brief.purpose is not None and brief.purpose not in kind.purposes:
        raise InputError(f"a {kind.name} is for {' or '.join(kind.purposes)}; set purpose to "
                         f"{kind.purposes[0]} or leave it out", **where,
                         line=lines.get(("purpose",)), field="purpose")
    if kind.name == "decision-note":
        for index, option in enumerate(brief.options):
            for side in ("pros", "cons"):
                if not getattr(option, side):
                    raise InputError(f"each option of a decision-note needs pros and cons; "
                                     f"option {index + 1} ({option.title!r}) has no {side}",
                                     **where, line=lines.get(("options", index)),
                                     field=f"options.{index}.{side}")
    _warn_shape(ws, brief, kind, path, lines)
    return kind


def _section_hint(ws: Workspace, brief: Brief, name: str, path: Path) -> str:
    """In a .md brief, the heading to add, in the brief's language."""
    if path.suffix.lower() != ".md" or name not in sections.KIND:
        return ""
    heading = sections.label(name, brief.lang or ws.settings.language, brief.type)
    return f"; add a '## {heading}' section"


def message_count(ws: Workspace, brief: Brief) -> tuple[str, str] | None:
    """Too many or too few key messages for the type: ``briefgen check``'s rule and message."""
    kind = BUILTIN.get(brief.type)
    if kind is None or not kind.messages:
        return None
    low, high = kind.messages
    count = len(brief.key_messages)
    pages = ws.settings.check.pages.get(kind.name)
    fits = f" to fit on {pages:g} page{'s' * (pages != 1)}" if pages else ""
    if count > high:
        return "page-budget", (f"{count} key messages: over budget; a {kind.name} holds "
                               f"{low} to {high}{fits}")
    if count < low:
        return "talking-points-count", (f"{count} key message{'s' * (count != 1)}; a "
                                        f"{kind.name} holds {low} to {high}")
    return None


def _warn_shape(ws: Workspace, brief: Brief, kind: NoteType, path: Path, lines: Lines) -> None:
    """Fields the type drops (the count of key messages is a rule of ``briefgen check``)."""
    if (ws.templates_dir / f"{kind.name}.md.j2").is_file():
        return          # the workspace's own template may print any field
    for name in type(brief).model_fields:
        shown = "from" if name == "from_" else name
        if shown not in COMMON and shown not in kind.prints and _given(brief, name):
            _warn_unprinted(shown_path(path), lines.get((shown,), 1), shown, kind.name,
                            _stamp(path))


def _stamp(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


@lru_cache(maxsize=256)
def _warn_unprinted(shown: str, line: int, field: str, kind: str, stamp: int) -> None:
    """Once per version of the file: a build reads a brief to make it and again to check it."""
    log.warning("%s:%d: warning: %s: a %s does not print this field; it is left out",
                shown, line, field, kind)
