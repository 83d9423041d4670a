"""Change single fields of a brief file and leave every other byte of it alone.

A Markdown brief's sections are replaced where their text is (the spans the
brief reader records); a field in YAML — a YAML brief, or a Markdown brief's
front matter — is replaced as one scalar (or one list), re-written in a YAML
style that reads back as the new value, at the indentation it had.
"""
from __future__ import annotations

import json
import re
import textwrap
from difflib import SequenceMatcher
from typing import Any

import yaml

from briefgen import yamllimits
from briefgen.briefs import markdown as md_brief
from briefgen.errors import InputError

Loc = tuple[Any, ...]
_ISO_DATE = re.compile(r"\d{4}-\d\d-\d\d")


class BriefText:
    """The text of a brief file and the edits to make to it."""

    def __init__(self, text: str, markdown: bool, data: dict[str, Any]) -> None:
        self.text, self.markdown = text, markdown
        self.edits: list[tuple[int, int, str]] = []
        self.spans: dict[Loc, tuple[int, int]] = {}
        self.values: dict[str, Any] = {}            # a .md brief's sections, as read
        self.yaml_offset = 0
        yaml_text = text
        if markdown:
            front = md_brief.front_matter(text)
            self.yaml_offset = text.find("\n") + 1
            yaml_text = front.text
            parsed = md_brief.parse(text, data)
            self.spans, self.values = parsed.spans, parsed.data
        self.yaml_text = yaml_text
        self.root = yamllimits.compose(yaml_text)

    # Where a field is ----------------------------------------------------------

    def _node(self, loc: Loc) -> tuple[yaml.Node, int] | None:
        """The YAML node at ``loc`` and the indentation a block value of it takes."""
        node, indent = self.root, 0
        for part in loc:
            if isinstance(node, yaml.MappingNode):
                found = next(((k, v) for k, v in node.value if k.value == part), None)
                if found is None:
                    return None
                indent, node = found[0].start_mark.column + 2, found[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) \
                    and part < len(node.value):
                node = node.value[part]
                indent = node.start_mark.column
            else:
                return None
        return node, indent

    # Edits -----------------------------------------------------------------------

    def set(self, loc: Loc, value: str) -> None:
        """The text field at ``loc`` now reads ``value``."""
        if loc in self.spans:
            self._set_lines(loc, value)
            return
        found = self._node(loc)
        if found is None or not isinstance(found[0], yaml.ScalarNode):
            raise InputError("cannot find this field in the brief to change it",
                             field=".".join(map(str, loc)))
        node, indent = found
        end = node.end_mark.index
        rest = self.yaml_text[end:self.yaml_text.find("\n", end) % (len(self.yaml_text) + 1)]
        if "\n" in value.rstrip("\n") and node.style not in ("|", ">") and rest.strip():
            self._replace(node, json.dumps(value, ensure_ascii=False))   # a comment follows
        else:
            self._replace(node, scalar(value, indent, node.style))

    def _set_lines(self, loc: Loc, value: str) -> None:
        """A section's text changed line by line: the lines the value did not change stay,
        and so do the HTML comments between them (``briefgen: ignore`` markers)."""
        start, end = self.spans[loc]
        item = len(loc) > 1 and isinstance(loc[-1], int)
        pad = " " * (start - self.text.rfind("\n", 0, start) - 1) if item else ""
        old: Any = self.values
        for part in loc:
            old = old[part]
        offsets, at = [], start                  # the file lines of the span
        for line in self.text[start:end].split("\n"):
            offsets.append((at, at + len(line)))
            at += len(line) + 1
        rows, row = [], 0                        # the file line of each line of the value
        for line in old.rstrip("\n").split("\n"):
            while row < len(offsets) and self.text[slice(*offsets[row])].strip() != line.strip():
                row += 1
            if row == len(offsets):
                self.edits.append((start, end, _indent(value.rstrip("\n"), len(pad))))
                return
            rows.append(row)
            row += 1
        old_lines, new_lines = old.rstrip("\n").split("\n"), value.rstrip("\n").split("\n")
        ops = SequenceMatcher(None, old_lines, new_lines, autojunk=False).get_opcodes()
        for tag, i1, i2, j1, j2 in ops:
            if tag == "equal":
                continue
            first = rows[i1] if i1 < len(rows) else None
            lines = [("" if first == 0 and n == 0 else pad) + line if line else ""
                     for n, line in enumerate(new_lines[j1:j2])]
            if i1 == i2 and first is not None:             # lines added before a line
                begin = offsets[first][0]             # (an item's first line: then indented)
                self.edits.append((begin, begin, "\n".join(lines) + "\n" + pad * (first == 0)))
            elif i1 == i2:                                 # lines added at the end
                self.edits.append((end, end, "\n" + "\n".join(lines)))
            else:
                begin, stop = offsets[rows[i1]][0], offsets[rows[i2 - 1]][1]
                if not lines:                              # lines removed, with a line end
                    stop, begin = (stop + 1, begin) if stop < end else (stop, begin - 1)
                self.edits.append((begin, stop, "\n".join(lines)))

    def set_list(self, loc: Loc, values: list[str]) -> None:
        """The list field at ``loc`` now holds ``values`` (items added or removed)."""
        items = [loc + (i,) for i in range(len(values) + 1000) if loc + (i,) in self.spans]
        if items:
            first, last = self.spans[items[0]][0], self.spans[items[-1]][1]
            line_start = self.text.rfind("\n", 0, first) + 1
            marker = self.text[line_start:first]
            bullet = marker.strip() + " "
            lines = [bullet + _indent(v, len(bullet)) if n == 0 else
                     marker[:len(marker) - len(marker.lstrip())] + bullet + _indent(v, len(bullet))
                     for n, v in enumerate(values)]
            self.edits.append((line_start, last, "\n".join(lines)))
            return
        found = self._node(loc)
        if found is None or not isinstance(found[0], yaml.SequenceNode):
            raise InputError("cannot find this list in the brief to change it",
                             field=".".join(map(str, loc)))
        node = found[0]
        if node.flow_style:
            self._replace(node, yaml.safe_dump(values, allow_unicode=True, width=10**9,
                                               default_flow_style=True).strip())
            return
        column = node.start_mark.column
        text = f"\n{' ' * column}".join("- " + scalar(v, column + 2, None) for v in values)
        self._replace(node, text)

    def add_review(self, entries: list[str]) -> None:
        """Append ``entries`` to the brief's ``review`` list (made when there is none);
        an entry already there is not added twice."""
        found = self._node(("review",))
        kept = [item.value for item in found[0].value] \
            if found is not None and isinstance(found[0], yaml.SequenceNode) else []
        entries = list(dict.fromkeys(e for e in entries if e not in kept))
        if not entries:
            return
        if found is not None and isinstance(found[0], yaml.SequenceNode):
            self.set_list(("review",), kept + entries)
            return
        if found is not None:
            raise InputError("'review' is not a list; make it one to keep comments there",
                             field="review")
        block = "review:\n" + "".join(f"- {scalar(e, 2, None)}\n" for e in entries)
        at = len(self.yaml_text)
        if at and not self.yaml_text.endswith("\n"):
            block = "\n" + block
        self.edits.append((self.yaml_offset + at, self.yaml_offset + at, block))

    def _replace(self, node: yaml.Node, text: str) -> None:
        start, end = node.start_mark.index, node.end_mark.index
        old = self.yaml_text[start:end]
        tail = old[len(old.rstrip()):]
        if old.rstrip() and not text.endswith("\n") and "\n" in tail:
            text += tail            # a block keeps the blank lines that followed it
        elif tail:
            text = text.rstrip("\n") + tail
        self.edits.append((self.yaml_offset + start, self.yaml_offset + end, text))

    def result(self) -> str:
        out = self.text
        for start, end, text in sorted(self.edits, reverse=True):
            out = out[:start] + text + out[end:]
        return out


def scalar(value: str, indent: int, style: str | None) -> str:
    """``value`` as a YAML scalar: a ``|`` block when it has lines (or had), else inline."""
    if _ISO_DATE.fullmatch(value):
        return value                  # a date stays a plain YAML date
    lines = value.rstrip("\n").split("\n")
    block = len(lines) > 1 or style in ("|", ">")
    if style == ">" and len(lines) == 1:
        folded = _folded(value, indent)
        if folded:
            return folded
    if block and lines[0][:1] not in (" ", "") and value.count("\n") - len(lines) + 1 <= 1:
        chomp = "" if value.endswith("\n") else "-"
        pad = " " * max(indent, 1)
        return f"|{chomp}\n" + "\n".join(pad + line if line else "" for line in lines)
    dumped = yaml.safe_dump(value, allow_unicode=True, width=10**9, default_style=None)
    return dumped.removesuffix("\n...\n").rstrip("\n")


def _folded(value: str, indent: int) -> str | None:
    """A one-line value as a ``>`` block wrapped like its neighbours, if it reads back the same."""
    pad = " " * max(indent, 1)
    lines = textwrap.wrap(value, width=max(40, 80 - len(pad)), break_long_words=False,
                          break_on_hyphens=False)
    text = (">" if value.endswith("\n") else ">-") + "".join("\n" + pad + line for line in lines)
    try:
        same = yaml.safe_load("key: " + text) == {"key": value}
    except yaml.YAMLError:
        same = False
    return text if same else None


def _indent(text: str, width: int) -> str:
    return "\n".join(line and " " * width + line if n else line
                     for n, line in enumerate(text.split("\n")))
