"""Template customization: list, show, eject and check templates; custom note types.

A workspace's ``templates/`` overrides the built-ins by name (the MkDocs theme
idea). Staff add a note type with ``templates/<type>.md.j2`` and, optionally,
``templates/<type>.schema.yaml`` naming the ``fields:`` a brief of that type
must give.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from briefgen.errors import (
    BriefgenError,
    InputError,
    OutputError,
    TemplateError,
    shown_path,
)
from briefgen.note.render import builtin_templates, readable
from briefgen.readers import Lines, parse_yaml, read_text
from briefgen.workspace import Workspace

TEMPLATE_SUFFIXES = (".md.j2", ".schema.yaml")
REFERENCE = "reference.docx"


@dataclass(frozen=True)
class TemplateInfo:
    name: str
    origin: str          # "builtin" or "workspace"
    path: Path
    overrides: bool      # a workspace file that replaces a built-in of the same name


def _names(folder: Path) -> dict[str, Path]:
    readable(folder)        # a templates/ that cannot be read is said, not a traceback
    if not folder.is_dir():
        return {}
    return {p.name: p for p in sorted(folder.iterdir())
            if p.is_file() and (p.name.endswith(TEMPLATE_SUFFIXES) or p.name == REFERENCE)}


def list_templates(ws: Workspace) -> list[TemplateInfo]:
    """Every template the workspace sees: its own first, then built-ins it does not replace."""
    builtin, own = _names(builtin_templates()), _names(ws.templates_dir)
    found = [TemplateInfo(n, "workspace", p, n in builtin) for n, p in own.items()]
    found += [TemplateInfo(n, "builtin", p, False) for n, p in builtin.items() if n not in own]
    return sorted(found, key=lambda t: t.name)


def find(ws: Workspace, name: str) -> TemplateInfo:
    """One template by name (``briefing-note`` or ``briefing-note.md.j2``)."""
    _check_name(name)
    candidates = [name, f"{name}.md.j2"]
    for info in list_templates(ws):
        if info.name in candidates:
            return info
    known = ", ".join(t.name for t in list_templates(ws))
    raise InputError(f"no template named {name!r}; known templates: {known}")


def _check_name(name: str) -> None:
    """Template names are file names inside templates/: no folders, no way out."""
    if not name or "/" in name or "\\" in name or name.startswith(".") or ".." in name:
        raise InputError(f"{name!r} is not a template name (a file name in templates/, "
                         "without folders)")


def eject(ws: Workspace, name: str, force: bool = False) -> Path:
    """Copy a built-in into the workspace's templates/ to edit it there."""
    info = find(ws, name)
    builtin = builtin_templates() / info.name
    if not builtin.is_file():
        raise InputError(f"{info.name!r} is not a built-in template")
    target = ws.templates_dir / info.name
    if target.exists() and not force:
        raise OutputError(f"{shown_path(target)} already exists; add --force to replace it")
    return _copy(builtin, target)


def write_reference_docx(target: Path, force: bool = False) -> Path:
    """The built-in reference.docx, to restyle in Word or LibreOffice."""
    if target.is_dir() or target.suffix.lower() != ".docx":
        target = target / REFERENCE     # a folder, existing or not
    if target.exists() and not force:
        raise OutputError(f"{shown_path(target)} already exists; add --force to replace it")
    return _copy(builtin_templates() / REFERENCE, target)


def _copy(source: Path, target: Path) -> Path:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    except OSError as err:
        raise OutputError(f"cannot write the file: {err.strerror or err}", file=target) from None
    return target


def text(ws: Workspace, name: str) -> str:
    """A template's text (``briefgen templates show``)."""
    info = find(ws, name)
    if info.name == REFERENCE:
        raise InputError("a Word document, not text: open it in Word or LibreOffice",
                         file=info.path)
    return read_text(info.path)


# Custom note types ----------------------------------------------------------

def check_fields(ws: Workspace, note_type: str, fields: dict[str, Any], path: Path,
                 lines: Lines) -> None:
    """A custom type's ``<type>.schema.yaml`` lists the ``fields:`` its briefs must give.

    Schema format::

        required: [scenario, risks]     # names under fields:
        optional: [owner]               # anything else is a typo
    """
    schema_path = ws.templates_dir / f"{note_type}.schema.yaml"
    if not schema_path.is_file():
        return
    schema = _read_schema(schema_path)
    required, optional = schema.get("required", []), schema.get("optional", None)
    for name in required:
        if fields.get(name) in (None, "", [], {}):
            raise InputError(f"a {note_type} needs fields.{name} (see {schema_path.name})",
                             file=path, line=lines.get(("fields",)), field=f"fields.{name}")
    if optional is not None:
        for name in fields:
            if name not in required and name not in optional:
                known = ", ".join([*required, *optional])
                raise InputError(f"unknown field for a {note_type}; known: {known}", file=path,
                                 line=lines.get(("fields", name)), field=f"fields.{name}")


def schema_fields(ws: Workspace, note_type: str) -> tuple[list[str], list[str]]:
    """The ``fields:`` a custom type's schema names: the required ones, then the optional."""
    path = ws.templates_dir / f"{note_type}.schema.yaml"
    if not path.is_file():
        return [], []
    schema = _read_schema(path)
    return schema.get("required", []), schema.get("optional", [])


def _read_schema(path: Path) -> dict[str, list[str]]:
    data, lines = parse_yaml(read_text(path), path)
    if not isinstance(data, dict) or set(data) - {"required", "optional"}:
        raise InputError("a schema is a mapping with 'required' and 'optional' lists of field "
                         "names", file=path, line=1)
    for key, value in data.items():
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InputError("expected a list of field names", file=path,
                             line=lines.get((key,)), field=key)
    return data


# Checking every template ------------------------------------------------------

def check_templates(ws: Workspace) -> list[BriefgenError]:
    """Compile every template and render every brief of the workspace; collect the errors
    (a broken template that several briefs use is one problem, not one per brief)."""
    from briefgen.note.composer import compose
    from briefgen.note.render import environment

    problems: list[BriefgenError] = []
    env = environment(ws.templates_dir)
    for info in list_templates(ws):
        try:
            if info.name.endswith(".schema.yaml"):
                _read_schema(info.path)     # before any brief of its type is written
            elif info.name.endswith(".md.j2"):
                env.get_template(info.name)
        except Exception as err:  # noqa: BLE001 - each template is reported, not fatal
            problems.append(_as_template_error(err, info.path))
    for path in ws.brief_paths([]) if ws.briefs_dir.is_dir() else []:
        try:
            compose(ws, path)
        except BriefgenError as err:
            problems.append(err)
    return list({str(problem): problem for problem in problems}.values())  # each once


def _as_template_error(err: Exception, path: Path) -> BriefgenError:
    import jinja2

    if isinstance(err, jinja2.TemplateSyntaxError):
        return TemplateError(f"template syntax error: {err.message}", file=path, line=err.lineno)
    if isinstance(err, BriefgenError):
        return err
    return TemplateError(f"template error: {err}", file=path)
