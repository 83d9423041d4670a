"""``briefgen sources add``: one record from the options, or written in the user's editor."""
from __future__ import annotations

import datetime as dt
import os
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from briefgen.errors import InputError, shown_path
from briefgen.library import extract
from briefgen.library.ingest import Added, Library, Report, checked_fields, remember, today
from briefgen.library.records import checked_yaml, field_yaml, make_id, write_new
from briefgen.models import SourceRecord
from briefgen.readers import parse_yaml, read_text, validate
from briefgen.workspace import Workspace

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
    data = checked_fields(ws, fields)
    for required in ("kind", "title"):
        if not data.get(required):
            raise InputError(f"--{required} is required (or use --edit to write the record "
                             "in your editor)")
    return _add(ws, data, record_id, dry_run, day, origin="command line", flags=True)


def _add(ws: Workspace, data: dict[str, Any], record_id: str | None, dry_run: bool,
         day: dt.date | None, origin: str, flags: bool, lines: dict | None = None) -> Added:
    with Library.read(ws) as library:
        data.setdefault("added", day or today(ws))
        if data.get("url") and not data.get("accessed"):
            data["accessed"] = data["added"]
        same = library.duplicate({"url": data.get("url")} if data.get("url") else data)
        if same is not None:
            raise InputError(f"already in the library as {same} "
                             f"({shown_path(ws.sources_dir / (library.path_of(same) or same))}); "
                             "nothing added")
        date = extract.parse_date(str(data["date"])) if data.get("date") else None
        key = record_id or make_id(data.get("publisher"), date, str(data.get("title") or ""))
        if library.taken(key):
            used = library.path_of(key) or f"{key}.yaml"
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
        added = Added(record, path, text, origin)
        if not dry_run:
            write_new([(path, text)])
            remember(ws, [added])
        return added


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
            lines.append(field_yaml(name, value))
    return "\n".join(lines) + "\n"



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
    template = edit_template(checked_fields(ws, fields))
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
