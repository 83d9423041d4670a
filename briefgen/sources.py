"""Readers: files on disk → validated models, with file/line/field in every error.

Source records are ``.yaml``/``.yml``/``.json`` files or ``.md`` files with
YAML front matter whose body is the record's text. Briefs are YAML files and
settings come from ``briefgen.toml``.
"""
from __future__ import annotations

import difflib
import json
import logging
import re
import tomllib
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .errors import InputError
from .models import Brief, Settings, SourceRecord

log = logging.getLogger("briefgen")

RECORD_SUFFIXES = (".yaml", ".yml", ".json", ".md")
# C0 controls other than tab/newline/carriage return, and DEL: not allowed in XML.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
M = TypeVar("M", bound=BaseModel)
Lines = dict[tuple[Any, ...], int]


class _Loader(yaml.SafeLoader):
    """Safe YAML loader that rejects duplicate keys and remembers each key's line."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.lines: Lines = {}
        self._path: list[Any] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise InputError(f"duplicate key {key!r} (first on line {seen[key]})",
                                 line=line, field=str(key))
            seen[key] = line
        return super().construct_mapping(node, deep=True)


def _key_lines(node: yaml.Node | None, prefix: tuple[Any, ...] = ()) -> Lines:
    """Line of every mapping key and list item, by its path in the document."""
    lines: Lines = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            path = prefix + (key_node.value,)
            lines[path] = key_node.start_mark.line + 1
            lines.update(_key_lines(value_node, path))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[prefix + (index,)] = item.start_mark.line + 1
            lines.update(_key_lines(item, prefix + (index,)))
    return lines


def parse_yaml(text: str, path: Path, line_offset: int = 0) -> tuple[Any, Lines]:
    """Parse one YAML document; errors name the file and line."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except InputError as err:
        err.file, err.line = path, (err.line or 0) + line_offset
        raise
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 + line_offset if mark else None
        raise InputError(f"YAML syntax error: {err.problem or err.context}",
                         file=path, line=line) from None
    except yaml.YAMLError as err:
        raise InputError(f"YAML error: {err}", file=path) from None
    finally:
        loader.dispose()
    lines = {k: v + line_offset for k, v in _key_lines(node).items()}
    return data, lines


def read_text(path: Path) -> str:
    """Read UTF-8 text; a file in another encoding is a clear error."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise InputError(f"not UTF-8 text (byte 0x{raw[err.start]:02x}); "
                         "save the file as UTF-8", file=path, line=line) from None
    return _strip_controls(text, path)


def _strip_controls(text: str, path: Path) -> str:
    """Control characters would corrupt the DOCX: drop them, and say where."""
    match = _CONTROL.search(text)
    if match is None:
        return text
    line = text.count("\n", 0, match.start()) + 1
    log.warning("%s:%d: removed control character(s) such as U+%04X",
                path, line, ord(match.group()))
    return _CONTROL.sub("", text)


def _clean_strings(value: Any, path: Path) -> Any:
    """Strip control characters that arrived through escapes ("\\v", "\\u000b")."""
    if isinstance(value, str):
        return _strip_controls(value, path)
    if isinstance(value, dict):
        return {k: _clean_strings(v, path) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean_strings(v, path) for v in value]
    return value


def _load_mapping(path: Path) -> tuple[dict[str, Any], Lines]:
    """A record or brief file as a mapping plus the line of each field."""
    text = read_text(path)
    if path.suffix == ".json":
        data, lines = _parse_json(text, path), {}
    elif path.suffix == ".md":
        data, lines = _parse_front_matter(text, path)
    else:
        data, lines = parse_yaml(text, path)
    if data is None:
        raise InputError("the file is empty", file=path)
    if not isinstance(data, dict):
        raise InputError(f"expected a mapping of fields, found {type(data).__name__}",
                         file=path, line=1)
    return _clean_strings(data, path), lines


def _parse_json(text: str, path: Path) -> Any:
    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [k for k, _ in pairs]
        for key in keys:
            if keys.count(key) > 1:
                raise InputError(f"duplicate key {key!r}", file=path, field=key)
        return dict(pairs)

    if not text.strip():
        return None
    try:
        return json.loads(text, object_pairs_hook=no_duplicates)
    except json.JSONDecodeError as err:
        raise InputError(f"JSON syntax error: {err.msg}", file=path, line=err.lineno) from None


def _parse_front_matter(text: str, path: Path) -> tuple[Any, Lines]:
    """``---`` YAML ``---`` then the body, which becomes the record's ``text``."""
    match = re.match(r"---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|$)", text, re.S)
    if match is None:
        raise InputError("a .md record starts with YAML front matter between '---' lines",
                         file=path, line=1)
    data, lines = parse_yaml(match.group(1) or "", path, line_offset=1)
    body = text[match.end():].strip("\n")
    if isinstance(data, dict) and body:
        if "text" in data:
            raise InputError("give the text either as the body or as 'text:', not both",
                             file=path, line=lines.get(("text",)), field="text")
        data["text"] = body
    return data, lines


def validate(model: type[M], data: dict[str, Any], path: Path, lines: Lines) -> M:
    """Build a model; turn pydantic's report into one message with file/line/field."""
    try:
        return model.model_validate(data)
    except ValidationError as err:
        # A typo explains the "missing" error it causes: report it first.
        first = min(err.errors(), key=lambda e: e["type"] != "extra_forbidden")
        loc = tuple(first["loc"])
        field = ".".join(str(part) for part in loc) or None
        line = next((lines[loc[:n]] for n in range(len(loc), 0, -1) if loc[:n] in lines), None)
        message = _explain(model, first)
        more = len(err.errors()) - 1
        if more:
            message += f" (and {more} more problem{'s' if more > 1 else ''} in this file)"
        raise InputError(message, file=path, line=line, field=field) from None


def _explain(model: type[BaseModel], error: Any) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        name = str(error["loc"][-1])
        known = [f.alias or n for n, f in model.model_fields.items()]
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f"; known fields: {', '.join(known)}"
        return f"unknown field{hint}"
    if kind == "missing":
        return "required field is missing"
    message = str(error["msg"])
    return message.removeprefix("Value error, ")


def read_record(path: Path) -> SourceRecord:
    data, lines = _load_mapping(path)
    data.setdefault("id", path.stem)
    return validate(SourceRecord, data, path, lines)


def read_records(directory: Path) -> tuple[dict[str, SourceRecord], dict[str, Path]]:
    """Every record under ``directory`` and the file of each, keyed by id.

    An id used by two files is an error naming both.
    """
    records: dict[str, SourceRecord] = {}
    origin: dict[str, Path] = {}
    for path in sorted(directory.rglob("*")):
        if path.suffix.lower() not in RECORD_SUFFIXES or not path.is_file():
            continue
        record = read_record(path)
        if record.id in records:
            raise InputError(f"record id {record.id!r} is also used by {origin[record.id]}",
                             file=path, field="id")
        records[record.id] = record
        origin[record.id] = path
    return records, origin


def read_brief(path: Path) -> tuple[Brief, Lines]:
    """A brief spec and the line of each of its fields (for citation errors)."""
    data, lines = _load_mapping(path)
    data.setdefault("id", path.stem)
    return validate(Brief, data, path, lines), lines


def read_settings(path: Path) -> Settings:
    """``briefgen.toml``; a workspace without one gets the defaults."""
    if not path.exists():
        return Settings()
    try:
        data = tomllib.loads(read_text(path))
    except tomllib.TOMLDecodeError as err:
        line = re.search(r"line (\d+)", str(err))
        raise InputError(f"TOML syntax error: {err}", file=path,
                         line=int(line.group(1)) if line else None) from None
    return validate(Settings, data, path, {})
