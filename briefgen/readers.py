"""Readers: files on disk → validated models, with file/line/field in every error.

Source records are ``.yaml``/``.yml``/``.json`` files or ``.md`` files with
YAML front matter whose body is the record's text. Briefs are YAML files or
``.md`` documents (front matter, then ``##`` sections: see
:mod:`briefgen.briefs.markdown`); settings come from ``briefgen.toml``.
"""
from __future__ import annotations

import difflib
import json
import logging
import os
import re
import tomllib
import typing
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from briefgen import yamllimits
from briefgen.briefs import markdown as md_brief
from briefgen.errors import InputError, shown_path
from briefgen.models import Brief, Settings, SourceRecord, check_id
from briefgen.yamllimits import LimitedLoader

log = logging.getLogger("briefgen")

RECORD_SUFFIXES = (".yaml", ".yml", ".json", ".md")
# C0 controls other than tab/newline/carriage return, and DEL: not allowed in XML. Bidirectional
# embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): they reorder text unseen.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
_warned: set[tuple[str, str, str]] = set()     # each removal is reported once, however often read
M = TypeVar("M", bound=BaseModel)
Lines = dict[tuple[Any, ...], int]


class _Loader(LimitedLoader):
    """Safe YAML loader that rejects duplicate keys and remembers each key's line."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            try:
                hash(key)
            except TypeError:
                raise InputError("a key must be a plain name, not a list or mapping",
                                 line=line) from None
            if key in seen:
                raise InputError(f"duplicate key {key!r} (first on line {seen[key]})",
                                 line=line, field=str(key))
            seen[key] = line
        return super().construct_mapping(node, deep=True)

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> str:  # type: ignore[override]
        """Keep dates as text: the models check them (2024-02-30 is an error with a line)."""
        return self.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


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
        raise InputError(f"YAML syntax error: {err.problem or err.context}{yaml_hint(err, text)}",
                         file=path, line=line) from None
    except yaml.YAMLError as err:
        raise InputError(f"YAML error: {err}", file=path) from None
    finally:
        loader.dispose()
    lines = {k: v + line_offset for k, v in _key_lines(node).items()}
    return data, lines


def yaml_hint(err: yaml.MarkedYAMLError, text: str) -> str:
    """What to do about YAML's usual traps in prose: a ``: `` in a value, a citation
    that starts a value or sits in a ``[...]`` list, a quotation mark never closed."""
    problem = f"{err.problem} {err.context}"
    lines = text.split("\n")
    mark = err.context_mark if "quoted scalar" in problem else err.problem_mark
    line = lines[mark.line] if mark is not None and mark.line < len(lines) else ""
    name = re.match(r"\s*(?:-\s+)?([\w.-]+)\s*:", line)
    block = f"'{name.group(1) if name else 'summary'}: |'"
    if "mapping values are not allowed" in problem:
        return (f"; a value that contains ': ' must be in quotes (\"…\"), or written as a "
                f"block: {block} and the text on the next lines, indented")
    at = line[mark.column:mark.column + 1] if mark is not None else ""
    if "cannot start any token" in problem and ("[@" in line or at in ("@", "`")):
        return (f"; a citation at the start of a value or inside a [...] list reads as YAML: "
                f"put the value in quotes, or write it as a block ({block} and the text "
                "indented on the next lines); write a list one '- ' item a line")
    if "quoted scalar" in problem and mark is not None:
        return (f"; the quotation mark on line {mark.line + 1} is never closed: close it, or "
                f"write the text as a block ({block}) without quotes")
    if "expected key" in problem and re.match(r"\s*(?:-\s+)?[\w.-]+:\s*[\"']", line):
        return (f"; a value that starts with a quotation mark must end with it: quote the "
                f"whole value, or write it as a block ({block})")
    return ""


def read_text(path: Path) -> str:
    """Read UTF-8 text; a file in another encoding, or one that cannot be read, is a clear error."""
    try:
        raw = path.read_bytes()
    except OSError as err:      # no permission; a folder named like a file
        raise InputError(f"cannot read the file: {err.strerror or err}", file=path) from None
    return decode_text(raw, path)


def decode_text(raw: bytes, path: Path) -> str:
    """UTF-8 bytes (from ``path``) as text with ``\\n`` line ends and no control characters."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError("UTF-16 text; save the file as UTF-8", file=path, line=1)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise InputError(f"not UTF-8 text (byte 0x{raw[err.start]:02x}); "
                         "save the file as UTF-8", file=path, line=line) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # Windows line ends
    return _strip_controls(text, path)


def _strip_controls(text: str, path: Path, line: int | None = None,
                    field: str | None = None) -> str:
    """Control characters would corrupt the DOCX: drop them, and say where.

    Without ``line`` the text is a whole file and the line is counted in it.
    """
    match = _CONTROL.search(text)
    if match is None:
        return text
    if line is None and field is None:
        line = text.count("\n", 0, match.start()) + 1
    where = f"{shown_path(path)}:{line}" if line is not None else shown_path(path)
    if (where, field or "", match.group()) not in _warned:
        _warned.add((where, field or "", match.group()))
        log.warning("%s: warning: %sremoved control character(s) such as U+%04X",
                    where, f"{field}: " if field else "", ord(match.group()))
    return _CONTROL.sub(lambda m: " " if m.group() in "\x0b\x0c" else "", text)


def _clean_strings(value: Any, path: Path, lines: Lines, loc: tuple[Any, ...] = ()) -> Any:
    """Strip control characters that arrived through escapes ("\\v", "\\u000b")."""
    if isinstance(value, str):
        line = next((lines[loc[:n]] for n in range(len(loc), 0, -1) if loc[:n] in lines), None)
        return _strip_controls(value, path, line, ".".join(map(str, loc)) or "value")
    if isinstance(value, dict):
        return {k: _clean_strings(v, path, lines, loc + (k,)) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean_strings(v, path, lines, loc + (i,)) for i, v in enumerate(value)]
    return value


def _load_mapping(path: Path) -> tuple[dict[str, Any], Lines]:
    """A record or brief file as a mapping plus the line of each field."""
    text = read_text(path)
    suffix = path.suffix.lower()
    if suffix == ".json":
        data, lines = _parse_json(text, path)
    elif suffix == ".md":
        data, lines = _parse_front_matter(text, path)
    else:
        data, lines = parse_yaml(text, path)
    return _clean_strings(_mapping(data, path), path, lines), lines


def _mapping(data: Any, path: Path, line: int = 1) -> dict[str, Any]:
    if data is None:
        raise InputError("the file is empty", file=path)
    if not isinstance(data, dict):
        raise InputError(f"expected fields written as 'name: value', found {_found(data)}",
                         file=path, line=line)
    return data


def _parse_json(text: str, path: Path) -> tuple[Any, Lines]:
    """JSON, with the line of each key taken from reading it as YAML (a superset)."""
    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [k for k, _ in pairs]
        for key in keys:
            if keys.count(key) > 1:
                raise InputError(f"duplicate key {key!r}", file=path, field=key)
        return dict(pairs)

    if not text.strip():
        return None, {}
    try:
        data = load_json(text, path, object_pairs_hook=no_duplicates)
    except InputError as err:
        if err.field is None:
            raise
        try:  # the YAML reader names the line of the repeated key
            parse_yaml(text, path)
        except InputError as located:
            if located.field == err.field:
                raise located from None
        except Exception:  # noqa: BLE001 - only looking for a line number
            pass
        raise
    try:
        return data, parse_yaml(text, path)[1]
    except Exception:  # noqa: BLE001 - valid JSON PyYAML cannot read: usable, without lines
        return data, {}


def load_json(text: str, path: Path, **hooks: Any) -> Any:
    """JSON with the limits YAML has (nesting, long numbers); any failure is one located error."""
    try:
        data = json.loads(text, parse_int=_json_int, **hooks)
        deep = not yamllimits.shallow(data)
    except json.JSONDecodeError as err:
        raise InputError(f"JSON syntax error: {err.msg}", file=path, line=err.lineno) from None
    except RecursionError:
        deep = True
    except InputError as err:
        err.file = path
        raise
    if deep:
        raise InputError(f"lists and fields nest more than {yamllimits.MAX_DEPTH} levels deep",
                         file=path)
    return data


def _json_int(digits: str) -> int:
    if len(digits) > yamllimits.MAX_DIGITS:
        raise InputError(f"a number of more than {yamllimits.MAX_DIGITS} characters; "
                         "put it in quotes to keep it as text")
    return int(digits)


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
        owner = _model_at(model, error["loc"][:-1])
        known = [f.alias or n for n, f in owner.model_fields.items()]
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f"; known fields: {', '.join(known)}"
        return f"unknown field{hint}"
    if kind == "missing":
        return "required field is missing"
    if kind.endswith("_type") and error.get("input") is None:     # "title:" and nothing after
        return "the field is empty; give it a value"
    if kind in ("model_type", "dict_type"):
        return f"expected fields written as 'name: value', found {_found(error.get('input'))}"
    message = str(error["msg"]).removeprefix("Value error, ")
    if kind == "string_type" and isinstance(error.get("input"), (int, float, bool)):
        message += "; put the value in quotes to keep it as written"
    return message


def _found(value: Any) -> str:
    """What a value is, in words: ``found a list``."""
    if isinstance(value, bool):
        return "true or false"
    for kind, words in ((str, "text"), ((int, float), "a number"), (list, "a list"),
                        (dict, "fields")):
        if isinstance(value, kind):
            return words
    return type(value).__name__


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel]:
    """The (nested) model that holds the field at ``loc``: ``quotes.0.speker`` → Quote."""
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            break
        nested = _nested_model(field.annotation)
        if nested is None:
            break
        model = nested
    return model


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _nested_model(arg)
        if found is not None:
            return found
    return None


def read_record(path: Path) -> SourceRecord:
    data, lines = _load_mapping(path)
    _no_blank_level(data, path, lines)
    return validate(SourceRecord, _default_id(data, path), path, lines)


def _default_id(data: dict[str, Any], path: Path) -> dict[str, Any]:
    """The id defaults to the file name, which must then be a valid id itself."""
    if "id" not in data:
        try:
            check_id(path.stem)
        except ValueError as err:
            raise InputError(f"{err}; rename the file or give it an 'id:' field",
                             file=path, field="id") from None
        data["id"] = path.stem
    return data


def read_records(directory: Path) -> tuple[dict[str, SourceRecord], dict[str, Path]]:
    """Every record under ``directory`` and the file of each, keyed by id.

    An id used by two files is an error naming both.
    """
    records: dict[str, SourceRecord] = {}
    origin: dict[str, Path] = {}
    for _ in os.walk(directory, onerror=unreadable_folder):
        pass                        # rglob skips a folder it cannot read without a word
    for path in sorted(directory.rglob("*")):
        if any(part.startswith(".") for part in path.relative_to(directory).parts):
            continue  # hidden: editor and OS leftovers (.#x.yaml, ._x.md), .git
        if path.suffix.lower() not in RECORD_SUFFIXES or not path.is_file():
            if path.suffix.lower() in RECORD_SUFFIXES:
                not_a_record(path, path.is_dir())
            continue
        stay_inside(path, directory)
        record = read_record(path)
        if record.id in records:
            other = shown_path(origin[record.id])
            raise InputError(f"record id {record.id!r} is also used by {other}",
                             file=path, field="id")
        records[record.id] = record
        origin[record.id] = path
    return records, origin


def unreadable_folder(err: OSError) -> None:
    """A folder of records or briefs that cannot be listed is an error, not an empty folder."""
    if not isinstance(err, FileNotFoundError):
        raise InputError(f"cannot read the folder: {err.strerror or err}",
                         file=Path(err.filename or "")) from None


def not_a_record(path: Path, folder: bool) -> None:
    """Say why a name that looks like a record is not read as one."""
    if folder:
        log.warning("%s: warning: a folder, not a record file (the files in it are read)",
                    shown_path(path))
    else:
        log.warning("%s: warning: a link to nothing (its target is missing, or links back to "
                    "itself); not read", shown_path(path))


def stay_inside(path: Path, directory: Path) -> None:
    """A link in sources/ must not read a file from elsewhere on the machine."""
    if not path.resolve().is_relative_to(directory.resolve()):
        raise InputError(f"links to {path.resolve()}, outside {directory.name}/; "
                         "copy the file in instead", file=path)


def read_brief(path: Path) -> tuple[Brief, Lines]:
    """A brief spec and the line of each of its fields (for citation errors)."""
    data, lines = _markdown_brief(path) if path.suffix.lower() == ".md" else _load_mapping(path)
    _no_blank_level(data, path, lines)
    return validate(Brief, _default_id(data, path), path, lines), lines


def _markdown_brief(path: Path) -> tuple[dict[str, Any], Lines]:
    """A ``.md`` brief: its front matter and its sections as one mapping."""
    text = read_text(path)
    try:
        front = md_brief.front_matter(text)
        data, lines = parse_yaml(front.text, path, line_offset=front.line - 1)
        data = _mapping(data if data is not None else {}, path, front.line)
        data = md_brief.merge(data, lines, md_brief.parse(text, data))
    except InputError as err:
        err.file = err.file or path
        raise
    return _clean_strings(data, path, lines), lines


def _no_blank_level(data: dict[str, Any], path: Path, lines: Lines) -> None:
    """``classification:`` with nothing after it would quietly mean the lowest level."""
    if "classification" in data and data["classification"] in (None, ""):
        raise InputError("the field is empty; give the level, or leave the line out for the "
                         "workspace default", file=path, line=lines.get(("classification",)),
                         field="classification")


def read_settings(path: Path) -> Settings:
    """``briefgen.toml``; a workspace without one gets the defaults."""
    if not path.exists():
        return Settings()
    text = read_text(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        line = re.search(r"line (\d+)", str(err))
        raise InputError(f"TOML syntax error: {err}", file=path,
                         line=int(line.group(1)) if line else None) from None
    return validate(Settings, data, path, _toml_lines(text))


_TOML_TABLE = re.compile(r"\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?")
_TOML_KEY = re.compile(r"\s*([A-Za-z0-9_.\"' -]+?)\s*=")


def _toml_lines(text: str) -> Lines:
    """Line of each ``key =`` and ``[table]`` (plain keys only; enough for messages)."""
    lines: Lines = {}
    table: tuple[str, ...] = ()

    def parts(name: str) -> tuple[str, ...]:
        return tuple(p.strip().strip("\"'") for p in name.split("."))

    for number, line in enumerate(text.splitlines(), 1):
        if match := _TOML_TABLE.fullmatch(line):
            table = parts(match.group(1))
            lines.setdefault(table, number)
        elif match := _TOML_KEY.match(line):
            lines.setdefault(table + parts(match.group(1)), number)
    return lines


def has_control_characters(value: Any) -> bool:
    """Whether any text in ``value`` (nested lists and mappings) holds a character reading
    a record removes."""
    if isinstance(value, str):
        return _CONTROL.search(value) is not None
    if isinstance(value, dict):
        return any(has_control_characters(item) for item in value.values())
    if isinstance(value, list):
        return any(has_control_characters(item) for item in value)
    return False
