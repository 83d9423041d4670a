"""Where each text of a brief sits in its file, so a finding can name line and column.

YAML briefs are mapped through the YAML node tree; Markdown briefs through the
lines the Markdown reader kept for each field."""
from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import yaml

from briefgen import yamllimits
from briefgen.briefs import markdown as md_brief
from briefgen.errors import InputError
from briefgen.models import Brief
from briefgen.note.composer import text_fields

IGNORE = re.compile(r"briefgen:\s*ignore(?:\[(?P<rules>[^\]]*)\])?")
Point = tuple[int, int]
Loc = tuple[Any, ...]
Markers = dict[int, frozenset[str] | None]  # line → rules ignored there (None: all)


@dataclass(frozen=True)
class Span:
    """Where a scalar's value sits in the file, to find the line and column of any character."""

    value: str
    source: str
    begin: int
    end: int
    starts: list[int]  # where each line of the file starts

    @cached_property
    def indices(self) -> list[int]:
        return _align(self.value, self.source, self.begin, self.end)

    def point(self, offset: int) -> Point:
        return _line_col(self.starts, self.indices[min(max(offset, 0), len(self.indices) - 1)])


@dataclass(frozen=True)
class Text:
    """One text of a brief and where it is: its span, or else its key's line."""

    field: str
    text: str
    span: Span | None
    line: int = 1

    def position(self, offset: int) -> Point:
        return self.span.point(offset) if self.span else (self.line, 1)


@dataclass(frozen=True)
class Layout:
    """A YAML file's scalars and its ``briefgen: ignore`` comments."""

    spans: dict[Loc, Span]
    markers: Markers


def layout(text: str) -> Layout:
    try:
        root = yamllimits.compose(text)     # libyaml's marks count characters too
    except (yaml.YAMLError, InputError):
        return Layout({}, {})  # not YAML (a JSON brief PyYAML cannot read): key lines only
    starts = [0, *(i + 1 for i, c in enumerate(text) if c == "\n")]
    spans = {loc: Span(node.value, text, _content_start(text, node), node.end_mark.index, starts)
             for loc, node in _scalars(root, ())}
    return Layout(spans, _markers(text, [(s.begin, s.end) for s in spans.values()], starts))


def markdown_layout(text: str, brief: Brief) -> Layout:
    """A .md brief's texts (found by its own reader) and its ``<!-- briefgen: ignore -->`` comments."""
    parsed = md_brief.parse(text, {"type": brief.type, "lang": brief.lang})
    starts = [0, *(i + 1 for i, c in enumerate(text) if c == "\n")]
    values = dict(text_fields(brief))
    spans = {loc: Span(values[loc], text, begin, end, starts)
             for loc, (begin, end) in parsed.spans.items() if loc in values}
    return Layout(spans, md_brief.ignore_markers(text))


def _scalars(node: yaml.Node | None, loc: Loc) -> Iterator[tuple[Loc, yaml.ScalarNode]]:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield from _scalars(value, loc + (key.value,))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _scalars(item, loc + (index,))
    elif isinstance(node, yaml.ScalarNode):
        yield loc, node


def _content_start(text: str, node: yaml.ScalarNode) -> int:
    """A block scalar's text starts on the line after its ``|``/``>`` header (and comment)."""
    start = node.start_mark.index
    if node.style in ("|", ">"):
        newline = text.find("\n", start)
        return len(text) if newline < 0 else newline + 1
    return start


def _align(value: str, text: str, begin: int, end: int) -> list[int]:
    """The index in ``text`` of each character of a scalar's value, plus one for its end.

    Greedy: YAML only drops indentation, quotes and escapes, and folds line
    breaks into spaces, so each character is found a few characters on.
    """
    indices, i = [], begin
    for char in value:
        j = _next(text, char, i, end)
        indices.append(i if j is None else j)
        i = i if j is None else j + 1
    indices.append(min(i, max(end, begin)))
    return indices


def _next(text: str, char: str, i: int, end: int) -> int | None:
    skipped = 0
    for j in range(i, end):
        found = text[j]
        if found == char or (char == " " and found == "\n"):
            return j
        if not found.isspace():
            skipped += 1
            if skipped > 8:
                return None
    return None


def _line_col(starts: list[int], index: int) -> Point:
    row = bisect.bisect_right(starts, index)
    return row, index - starts[row - 1] + 1


def _markers(text: str, spans: list[tuple[int, int]], starts: list[int]) -> Markers:
    """``# briefgen: ignore[rule, ...]`` comments by line; the same words inside a text don't count."""
    markers: Markers = {}
    spans = sorted(spans)
    begins = [begin for begin, _ in spans]
    for match in IGNORE.finditer(text):
        line = _line_col(starts, match.start())[0]
        i = bisect.bisect_right(begins, match.start()) - 1        # the text it may be inside
        in_text = i >= 0 and match.start() < spans[i][1]
        if in_text or "#" not in text[starts[line - 1]:match.start()]:
            continue
        rules = None if match["rules"] is None else frozenset(
            r.strip() for r in match["rules"].split(",") if r.strip())
        before = markers.get(line, frozenset())
        markers[line] = None if rules is None or before is None else before | rules
    return markers


# Header-block, signature and scheduling texts: names, titles and times, not claims.
_NOT_PROSE = {"to", "from", "subject", "prepared_by", "approved_by", "spokesperson",
              "attachments", "consultations", "event", "agenda", "logistics"}


def texts(brief: Brief, where: Layout, lines: dict[Loc, int]) -> Iterator[Text]:
    """Every staff-written text field with the position of each character."""
    def make(loc: Loc, value: str) -> Text:
        return Text(".".join(map(str, loc)), value, where.spans.get(loc), lines.get(loc, 1))

    for loc, value in text_fields(brief):
        if loc[0] not in _NOT_PROSE and loc[-1] not in ("name", "title"):
            yield make(loc, value)


