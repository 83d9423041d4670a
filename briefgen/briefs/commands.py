"""``briefgen new`` and ``briefgen convert``: brief files made or rewritten, atomically."""
from __future__ import annotations

import bisect
import datetime as dt
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from briefgen import yamllimits
from briefgen.briefs import markdown as md_brief
from briefgen.briefs import sections as S
from briefgen.briefs.write import dump_yaml, to_markdown, to_yaml
from briefgen.errors import InputError, OutputError, shown_path
from briefgen.models import Brief, check_id
from briefgen.note.notetypes import BUILTIN, known_types
from briefgen.readers import read_brief, read_text
from briefgen.workspace import BRIEF_SUFFIXES, Workspace, probe

log = logging.getLogger("briefgen")
SUFFIXES = {"md": ".md", "yaml": ".yaml"}
MAX_NAME = 100          # out/NAME.docx and its temp file stay well under 255 bytes
DESCRIPTIONS = {
    "briefing-note": "memo to the minister, for information",
    "decision-note": "memo asking the minister to decide between options",
    "qp-note": "Question Period card: key messages and 'if pressed' lines",
    "media-lines": "what a spokesperson says, with anticipated questions and answers",
    "meeting-brief": "what the minister needs for a meeting: event, participants, agenda",
}

# The optional contact block, commented out: YAML cannot leave its name empty.
CONTACT = {
    "en": "# The contact block (optional): delete the '# ' of the four lines below.\n"
          "# contact:\n#   name: Jane Doe\n#   title: Senior Analyst\n#   phone: 613-555-0142\n",
    "fr": "# Personne-ressource (facultatif) : retirez le « # » des quatre lignes ci-dessous.\n"
          "# contact:\n#   name: Jeanne Tremblay\n#   title: Analyste principale\n"
          "#   phone: 613-555-0142\n",
}


def list_types(ws: Workspace) -> list[tuple[str, str]]:
    """Every note type ``new`` can start, with a line about each."""
    return [(name, DESCRIPTIONS.get(name, f"custom: templates/{name}.md.j2"))
            for name in known_types(ws)]


def new(ws: Workspace, note_type: str, name: str | None, lang: str | None,
        today: dt.date | None = None) -> Path:
    """A new ``briefs/NAME.md`` with the type's header fields and every section, each
    with a comment saying what belongs there."""
    known = known_types(ws)
    if note_type not in known:
        raise InputError(f"unknown note type {note_type!r}; known types: {', '.join(known)} "
                         "(briefgen new --list)")
    today = today or dt.date.today()
    name = name if name is not None else f"{note_type}-{today.isoformat()}"
    _check_name(name, note_type)
    for suffix in BRIEF_SUFFIXES:
        existing = ws.briefs_dir / f"{name}{suffix}"
        if probe(existing, Path.exists):
            raise OutputError(f"{shown_path(existing)} already exists; choose another name")
    target = ws.briefs_dir / f"{name}.md"
    _write(target, skeleton(ws, note_type, lang, today), replace=False)
    return target


def _check_name(name: str, note_type: str) -> None:
    """A name that makes one file of a length every file system takes, with no suffix twice."""
    suffix = Path(name).suffix
    if suffix in BRIEF_SUFFIXES:
        raise InputError(f"give the name without {suffix!r}: "
                         f"briefgen new {note_type} {name[:-len(suffix)]}")
    if len(name) > MAX_NAME:
        raise InputError(f"a name of {len(name)} characters is too long; keep it to {MAX_NAME}")
    try:
        check_id(name)
    except ValueError as err:
        raise InputError(f"{err}; choose another name") from None


def skeleton(ws: Workspace, note_type: str, lang: str | None, today: dt.date) -> str:
    """The text of a new brief: front matter to fill in, then the sections."""
    shown = lang or ws.settings.language
    header: dict[str, Any] = {"type": note_type, **({"lang": lang} if lang else {}),
                              "tracking_number": None, "to": None, "from": None,
                              "subject": None, "date": today}
    if note_type == "media-lines":
        header.update(spokesperson=None, approval_status="draft")
    header.update(prepared_by=None, approved_by=None)
    front = dump_yaml(header).replace(": null\n", ":\n") + CONTACT[shown]
    hints = S.HINTS[shown]
    if note_type in BUILTIN:
        parts = [_heading(field, shown, note_type) + f"\n\n<!-- {hints[field]} -->\n"
                 for field in S.sections_of(note_type)]
    else:
        parts = [f"## {field}\n\n<!-- {what} -->\n" for field, what in _custom_fields(ws, note_type)]
        parts = parts or [f"<!-- One '## name' section per field templates/{note_type}.md.j2 "
                          "uses as brief.fields.name -->\n"]
    return f"---\n{front}---\n\n" + "\n".join(parts)


def _heading(field: str, lang: str, note_type: str) -> str:
    heading = f"## {S.label(field, lang, note_type)}"
    return f"{heading} …" if field == "if_pressed" else heading


def _custom_fields(ws: Workspace, note_type: str) -> list[tuple[str, str]]:
    from briefgen.note.templates import schema_fields

    required, optional = schema_fields(ws, note_type)
    return [(n, "required") for n in required] + [(n, "optional") for n in optional]


def convert(ws: Workspace, name: str, to: str, force: bool = False) -> tuple[Path, Path]:
    """Rewrite a brief as Markdown or YAML; the new file replaces the old one.

    The new text is read back before it is written: a brief that the other form
    would change (a heading inside a text, say) is refused, and nothing is written.
    """
    source = ws.brief_paths([name])[0]
    if source.suffix.lower() not in BRIEF_SUFFIXES:
        raise InputError("not a brief: convert takes a .md, .yaml or .yml file", file=source)
    suffix = SUFFIXES[to]
    if source.suffix.lower() in ((".yaml", ".yml") if to == "yaml" else (".md",)):
        raise InputError(f"the brief is already {'YAML' if to == 'yaml' else 'Markdown'}",
                         file=source)
    brief, _ = read_brief(source)
    original = read_text(source)
    target = source.with_suffix(suffix)
    if target.exists() and not force:
        raise OutputError(f"{shown_path(target)} already exists; add --force to replace it")
    lang = brief.lang or ws.settings.language
    text = to_markdown(brief, source.stem, lang) if to == "md" else to_yaml(brief, source.stem)
    _same(brief, _read_back(target, text, source), source)
    _write(target, text, replace=True)
    source.unlink()
    if _has_comments(original, source):
        log.warning("%s: warning: its comments are not carried over to %s; take the ones you "
                    "need from the old version", shown_path(source), shown_path(target))
    return source, target


def _has_comments(text: str, source: Path) -> bool:
    """Comments the new form cannot carry: YAML ``#`` comments, or a .md brief's ``<!-- -->``."""
    if source.suffix.lower() == ".md":
        try:
            front = md_brief.front_matter(text)
        except InputError:
            return False
        return "<!--" in text[front.end:] or _yaml_comments(front.text)
    return _yaml_comments(text)


def _yaml_comments(text: str) -> bool:
    """A ``#`` after a space or at a line's start, outside every value, is a comment."""
    try:
        root = yamllimits.compose(text)          # the readers' limits: no alias bomb here either
    except (yaml.YAMLError, InputError):
        return False
    spans = sorted(_scalar_spans(root))
    starts = [begin for begin, _ in spans]
    for match in re.finditer(r"(?:^|[ \t])#", text, re.M):
        at = match.end() - 1
        index = bisect.bisect_right(starts, at) - 1
        if index < 0 or at >= spans[index][1]:
            return True
    return False


def _scalar_spans(node: yaml.Node | None) -> Iterator[tuple[int, int]]:
    if isinstance(node, yaml.ScalarNode):
        yield node.start_mark.index, node.end_mark.index
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield from _scalar_spans(key)
            yield from _scalar_spans(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _scalar_spans(item)


def _read_back(target: Path, text: str, source: Path) -> Brief:
    """The brief as ``text`` would read, from a file of the target's name."""
    folder = Path(tempfile.mkdtemp(prefix=".convert-", dir=target.parent))
    try:
        trial = folder / target.name
        trial.write_text(text, encoding="utf-8")
        return read_brief(trial)[0]
    except InputError as err:
        raise OutputError(f"cannot convert this brief without changing it: in its new form, "
                          f"{err.message}", file=source, field=err.field) from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _same(before: Brief, after: Brief, source: Path) -> None:
    """Equal but for blank lines around texts, which never change the note."""
    old, new = _stripped(before.model_dump()), _stripped(after.model_dump())
    for field in old:
        if old[field] != new.get(field):
            raise OutputError(f"{field}: cannot convert this brief without changing it; "
                              "keep it in its current form", file=source)


def _stripped(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip("\n")
    if isinstance(value, dict):
        return {k: _stripped(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_stripped(v) for v in value]
    return value


def _write(target: Path, text: str, replace: bool) -> None:
    """Write through a temp file beside the target: a reader sees the old file or the
    new one, never half of one. Without ``replace`` an existing file is never touched."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as err:
        raise OutputError(f"cannot write the file: {err.strerror or err}", file=target) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.chmod(temp, 0o644)
        if replace:
            os.replace(temp, target)
        else:
            os.link(temp, target)
    except FileExistsError:
        raise OutputError(f"{shown_path(target)} already exists; choose another name") from None
    except OSError as err:
        raise OutputError(f"cannot write the file: {err.strerror or err}", file=target) from None
    finally:
        Path(temp).unlink(missing_ok=True)
