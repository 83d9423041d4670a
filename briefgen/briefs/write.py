"""A brief written out as a Markdown document or as YAML (``briefgen convert``, ``new``).

The Markdown form puts the header fields in the front matter and every
section the type has under its ``##`` heading, in the order the note prints
them, labelled in the brief's language.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import yaml

from briefgen.briefs import sections as S
from briefgen.models import Brief


class _Dumper(yaml.SafeDumper):
    """Multi-line text as ``|`` blocks, dates as written; keys in the brief's order."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value.strip("\n") or value.endswith("\n") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _date(dumper: yaml.SafeDumper, value: dt.date) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:timestamp", value.isoformat())


_Dumper.add_representer(str, _text)
_Dumper.add_representer(dt.date, _date)


def dump_yaml(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=88)


def fields_of(brief: Brief, stem: str) -> dict[str, Any]:
    """The brief's given fields in the model's order; ``id`` only when the file name is not it."""
    data = brief.model_dump(by_alias=True, exclude_none=True)
    data = {k: v for k, v in data.items() if v not in ([], {}, "") or k == "type"}
    if data.get("id") == stem:
        del data["id"]
    for entry in data.get("options", []):
        for side in ("pros", "cons"):
            if not entry[side]:
                del entry[side]
    return data


def to_yaml(brief: Brief, stem: str) -> str:
    return dump_yaml(fields_of(brief, stem))


def to_markdown(brief: Brief, stem: str, lang: str) -> str:
    """The brief as a Markdown document: front matter, then its sections."""
    data = fields_of(brief, stem)
    custom = data.pop("fields", {})
    body = {name: data.pop(name) for name in list(data) if name in S.KIND}
    order = [n for n in S.sections_of(brief.type) if n in body]
    order += [n for n in body if n not in order]
    parts = [f"---\n{dump_yaml(data)}---\n"]
    parts += [_section(name, body[name], lang, brief.type) for name in order]
    parts += [_block(f"## {name}", _value(value)) for name, value in custom.items()]
    return "\n".join(parts)


def _block(heading: str, text: str) -> str:
    return f"{heading}\n\n{text.rstrip()}\n"


def _value(value: Any) -> str:
    """A custom field: a list, or prose."""
    return _bullets(value) if isinstance(value, list) else str(value)


def _bullets(values: list[str], numbered: bool = False) -> str:
    lines = []
    for index, value in enumerate(values, 1):
        marker = f"{index}. " if numbered else "- "
        lines.append(marker + _indent(value, len(marker)))
    return "\n".join(lines)


def _indent(text: str, width: int) -> str:
    """Continuation lines indented under the item (blank lines stay blank)."""
    return "\n".join(line and " " * width + line if n else line
                     for n, line in enumerate(text.split("\n")))


def _section(name: str, value: Any, lang: str, note_type: str) -> str:
    heading = f"## {S.label(name, lang, note_type)}"
    kind = S.KIND[name]
    if kind == S.PROSE:
        return _block(heading, value)
    if kind == S.LIST:
        return _block(heading, _bullets(value, numbered=name == "agenda"))
    if kind == S.PRESSED:
        return "\n".join(_block(f"{heading} {entry['topic']}", _bullets(entry["lines"]))
                         for entry in value)
    if kind == S.QA:
        return _block(heading, "\n\n".join(f"### {pair['question']}\n\n{pair['answer']}"
                                           for pair in value))
    if kind == S.OPTIONS:
        return _block(heading, "\n\n".join(_option(option, lang) for option in value))
    if kind == S.PARTICIPANTS:
        return _block(heading, _bullets([_person(p) for p in value]))
    return _block(heading, "\n".join(
        f"- {S.label(S.EVENT_KEYS[part], lang)}{' :' if lang == 'fr' else ':'} {text}"
        for part, text in value.items()))


def _option(option: dict[str, Any], lang: str) -> str:
    parts = [f"### {option['title']}"]
    for side in ("pros", "cons"):
        if option.get(side):
            colon = " :" if lang == "fr" else ":"
            parts.append(f"{S.label(side, lang)}{colon}\n\n{_bullets(option[side])}")
    return "\n\n".join(parts)


def _person(person: dict[str, str]) -> str:
    first = f"**{person['name']}**" + (f", {person['title']}" if person.get("title") else "")
    return first + (f"\n{person['bio']}" if person.get("bio") else "")
