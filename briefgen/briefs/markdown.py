"""Markdown briefs: YAML front matter for the header, ``##`` sections for the body.

The body is read line by line (a small block parser, never patterns over the
whole text), so every field keeps the line it came from and the place of its
text in the file: errors and ``briefgen check`` findings point at the ``.md``
file itself. The forms of each section are in docs/note-types.md.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from briefgen.briefs import sections as S
from briefgen.errors import InputError
from briefgen.note.labels import LABELS

Loc = tuple[Any, ...]
_ITEM = re.compile(r"( {0,3})([-*+]|\d{1,9}[.)])(?:[ \t]+|$)")
_FENCE = re.compile(r" {0,3}(```+|~~~+)")
_COMMENT_LINE = re.compile(r"\s*<!--.*?-->\s*$")
_IGNORE = re.compile(r"<!--\s*briefgen:\s*ignore(?:\[([^\]]{0,500})\])?\s*-->")


@dataclass(frozen=True)
class Line:
    number: int   # in the file, from 1
    start: int    # offset of its first character in the file
    text: str

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    @property
    def blank(self) -> bool:
        return not self.text.strip()


@dataclass
class Section:
    heading: str
    line: Line
    body: list[Line] = field(default_factory=list)


@dataclass
class Parsed:
    """A brief's body as fields, with the line of each and the span of each text."""

    data: dict[str, Any] = field(default_factory=dict)
    lines: dict[Loc, int] = field(default_factory=dict)
    spans: dict[Loc, tuple[int, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class FrontMatter:
    text: str       # the YAML between the '---' lines
    line: int       # the file line of its first line
    end: int        # offset where the body starts


def front_matter(text: str) -> FrontMatter:
    """The YAML between the first two ``---`` lines."""
    if text.split("\n", 1)[0].rstrip() != "---":
        raise InputError("a .md brief starts with YAML front matter between '---' lines "
                         "(type, subject, date, …)", line=1)
    begin = pos = text.find("\n") + 1
    while 0 < pos <= len(text):
        newline = text.find("\n", pos)
        end = len(text) if newline < 0 else newline
        if text[pos:end].rstrip() in ("---", "..."):
            return FrontMatter(text[begin:pos], 2, min(end + 1, len(text)))
        pos = newline + 1
    raise InputError("the front matter is not closed: add a '---' line after the header "
                     "fields", line=1)


def parse(text: str, front: dict[str, Any]) -> Parsed:
    """The body of a .md brief (``text`` is the whole file) as fields; ``front`` (its
    front matter) gives the type, and the language of the headings to suggest."""
    start = front_matter(text).end
    number = text.count("\n", 0, start) + 1
    reader = _Reader(str(front.get("type") or "briefing-note"), front.get("lang"))
    for section in _sections(_lines(text, start, number)):
        reader.section(section)
    return reader.out


def merge(front: dict[str, Any], lines: dict[Loc, int], body: Parsed) -> dict[str, Any]:
    """The front matter's fields and the sections' as one brief; a field given in both
    places is an error."""
    data = dict(front)
    for name, value in body.data.items():
        clash: Loc | None = (name,) if name in front else None
        if name == "fields" and isinstance(front.get(name), dict):
            both = sorted(set(front[name]) & set(value))
            clash = (name, both[0]) if both else None
            value = {**front[name], **value}
        if clash:
            where = ".".join(clash)
            raise InputError(f"'{where}' is given both in the front matter (line "
                             f"{lines.get(clash)}) and as a section; keep one",
                             line=body.lines.get(clash), field=where)
        data[name] = value
    lines.update(body.lines)
    return data


def _lines(text: str, start: int, number: int) -> list[Line]:
    """The body's lines, without HTML comments (they never reach the note)."""
    out: list[Line] = []
    comment: Line | None = None     # the first line of an open comment
    fence = False
    for offset, raw in _split(text, start):
        line = Line(number, offset, raw.expandtabs(4) if "\t" in raw else raw)
        number += 1
        if comment is not None:
            comment = comment if "-->" not in raw else None
            continue
        if _FENCE.match(raw):
            fence = not fence
        elif not fence and raw.lstrip().startswith("<!--"):
            if _COMMENT_LINE.match(raw):
                continue
            if "-->" not in raw:
                comment = line
                continue
        elif not fence and "<!--" in line.text:         # a comment after text on the line
            line = Line(line.number, line.start, _without_comments(line.text))
        out.append(line)
    if comment is not None:
        raise InputError("this comment is never closed: end it with '-->'", line=comment.number)
    return out


def _split(text: str, start: int) -> list[tuple[int, str]]:
    parts, offset = [], start
    for raw in text[start:].split("\n"):
        parts.append((offset, raw))
        offset += len(raw) + 1
    return parts


def _without_comments(text: str) -> str:
    """A line without its ``<!-- … -->`` comments (found with str.find: linear time)."""
    kept, pos = [], 0
    while (start := text.find("<!--", pos)) >= 0 and (end := text.find("-->", start + 4)) >= 0:
        kept.append(text[pos:start])
        pos = end + 3
    return ("".join(kept) + text[pos:]).rstrip()


def heading_level(line: Line) -> tuple[int, str] | None:
    """An ATX heading's level and text (``## Title ##`` → 2, "Title"), else None.

    Read by hand, not by a pattern: a long line of spaces costs linear time.
    """
    stripped = line.text.lstrip(" ")
    if len(line.text) - len(stripped) > 3 or not stripped.startswith("#"):
        return None
    rest = stripped.lstrip("#")
    level = len(stripped) - len(rest)
    if level > 6 or (rest and rest[0] not in " \t"):
        return None
    rest = rest.strip(" \t")
    closed = rest.rstrip("#")
    if closed != rest and (not closed or closed[-1] in " \t"):
        rest = closed.rstrip(" \t")
    return level, rest


def _sections(lines: list[Line]) -> list[Section]:
    """Split at ``##`` headings; deeper headings stay inside their section."""
    found: list[Section] = []
    fence = False
    for line in lines:
        if _FENCE.match(line.text):
            fence = not fence
        heading = None if fence else heading_level(line)
        if heading and heading[0] == 1:
            raise InputError("a '#' heading: the note's title comes from the front matter "
                             "(subject:); start each section with '## '", line=line.number)
        if heading and heading[0] == 2:
            found.append(Section(heading[1], line))
        elif found:
            found[-1].body.append(line)
        elif not line.blank:
            raise InputError("text before the first section; start each section with a "
                             "'## ' heading (the header fields go in the front matter)",
                             line=line.number)
    return found


def _trim(lines: list[Line]) -> list[Line]:
    """Without the blank lines around."""
    begin = next((i for i, line in enumerate(lines) if not line.blank), len(lines))
    end = len(lines) - next((i for i, line in enumerate(reversed(lines)) if not line.blank), 0)
    return lines[begin:end]


@dataclass
class Item:
    first: Line
    width: int                 # where the item's text starts: continuation lines indent so
    lines: list[Line] = field(default_factory=list)

    def rest(self) -> list[str]:
        """The continuation lines, without the indentation that makes them part of the item."""
        return [line.text[min(self.width, len(line.text) - len(line.text.lstrip(" "))):]
                for line in _trim(self.lines)]

    def text(self) -> str:
        return "\n".join([self.first.text[self.width:], *self.rest()]).strip("\n")

    def span(self) -> tuple[int, int]:
        last = _trim(self.lines)
        return self.first.start + self.width, (last[-1] if last else self.first).end


class _Reader:
    """Turns each section into its field; remembers lines and spans."""

    def __init__(self, note_type: str, lang: Any) -> None:
        self.type, self.lang = note_type, lang if lang in LABELS else None
        self.out = Parsed()
        self.seen: dict[Loc, int] = {}

    def section(self, section: Section) -> None:
        found = S.match(section.heading)
        if found is None and self.type not in S.ORDER and section.heading:
            found = ("fields", S.key(section.heading).replace(" ", "_"))
        if found is None:
            self._unknown(section)
        name, extra = found
        ident = (name, extra) if name in ("if_pressed", "fields") else (name,)
        if ident in self.seen:
            raise InputError(f"the section '## {section.heading}' is given twice (first on "
                             f"line {self.seen[ident]}); keep one", line=section.line.number,
                             field=name)
        self.seen[ident] = section.line.number
        body = _trim(section.body)
        if not body:
            raise InputError(f"the section '## {section.heading}' is empty; write it, or "
                             "delete the heading", line=section.line.number, field=name)
        getattr(self, f"_{S.KIND.get(name, name)}")(name, extra, section, body)

    def _unknown(self, section: Section) -> None:
        close = S.suggest(section.heading, self.type, self.lang)
        names = ", ".join(S.label(n, self.lang or "en", self.type)
                          for n in S.sections_of(self.type))
        hint = f"did you mean '## {close}'?" if close else f"a {self.type} has: {names}"
        raise InputError(f"unknown section '## {section.heading}'; {hint}",
                         line=section.line.number)

    def put(self, loc: Loc, value: Any, line: int, span: tuple[int, int] | None = None) -> None:
        target: Any = self.out.data
        for part, after in zip(loc, loc[1:]):
            empty: Any = [] if isinstance(after, int) else {}
            target = target[part] if isinstance(target, list) else target.setdefault(part, empty)
        if isinstance(target, list):
            target.append(value)
        else:
            target[loc[-1]] = value
        self.out.lines[loc] = line
        if span is not None:
            self.out.spans[loc] = span

    # The forms -------------------------------------------------------------

    def _prose(self, name: str, _: Any, section: Section, body: list[Line]) -> None:
        _no_headings(body, section.heading)
        self.put((name,), _join(body) + "\n", section.line.number, (body[0].start, body[-1].end))

    def _list(self, name: str, _: Any, section: Section, body: list[Line]) -> None:
        self.out.lines[(name,)] = section.line.number
        self.out.data[name] = []
        for index, item in enumerate(items(body, section.heading)):
            self.put((name, index), item.text(), item.first.number, item.span())

    def _fields(self, _: str, name: str, section: Section, body: list[Line]) -> None:
        """A custom type's field: a list when the section is one, else prose."""
        _no_headings(body, section.heading)
        self.out.lines.setdefault(("fields",), section.line.number)
        self.out.lines[("fields", name)] = section.line.number
        if _ITEM.match(body[0].text):
            try:
                found = items(body, section.heading)
            except InputError:
                found = None
            if found is not None:
                self.out.data.setdefault("fields", {})[name] = []
                for index, item in enumerate(found):
                    self.put(("fields", name, index), item.text(), item.first.number, item.span())
                return
        self.put(("fields", name), _join(body) + "\n", section.line.number,
                 (body[0].start, body[-1].end))

    def _if_pressed(self, name: str, topic: str, section: Section, body: list[Line]) -> None:
        if topic in ("", "…", "..."):
            label = section.heading[:len(section.heading) - len(topic)].rstrip()
            raise InputError(f"name the topic in the heading: '## {label} …'",
                             line=section.line.number, field=name)
        index = len(self.out.data.setdefault(name, []))
        self.out.data[name].append({"topic": topic, "lines": []})
        self.out.lines.setdefault((name,), section.line.number)
        self.out.lines[(name, index)] = section.line.number
        self._at(section.line, (name, index, "topic"), topic)
        for item in items(body, section.heading):
            self.put((name, index, "lines", len(self.out.data[name][index]["lines"])),
                     item.text(), item.first.number, item.span())

    def _at(self, line: Line, loc: Loc, value: str) -> None:
        """A short value found on one line (a heading, a title)."""
        begin = line.start + max(line.text.find(value), 0)
        self.out.lines[loc] = line.number
        self.out.spans[loc] = (begin, begin + len(value))

    def _qa(self, name: str, _: Any, section: Section, body: list[Line]) -> None:
        self.out.lines[(name,)] = section.line.number
        pairs = self.out.data[name] = []
        for index, (heading, lines) in enumerate(_subsections(body, section, "a question")):
            if not lines:
                raise InputError(f"the question '### {heading.text.lstrip('# ')}' has no answer; "
                                 "write it as a paragraph under the question",
                                 line=heading.number, field=f"qa.{index}.answer")
            if any(_ITEM.match(line.text) for line in lines):
                line = next(line for line in lines if _ITEM.match(line.text))
                raise InputError("a list where prose is expected: write the answer as a "
                                 "paragraph", line=line.number, field=f"qa.{index}.answer")
            question = heading_level(heading)[1]  # type: ignore[index]
            pairs.append({"question": question, "answer": _join(lines)})
            self.out.lines[(name, index)] = heading.number
            self._at(heading, (name, index, "question"), question)
            self.out.lines[(name, index, "answer")] = lines[0].number
            self.out.spans[(name, index, "answer")] = (lines[0].start, lines[-1].end)

    def _options(self, name: str, _: Any, section: Section, body: list[Line]) -> None:
        self.out.lines[(name,)] = section.line.number
        self.out.data[name] = []
        for index, (heading, lines) in enumerate(_subsections(body, section, "an option")):
            title = heading_level(heading)[1]  # type: ignore[index]
            where = f"the option '### {title}'"
            if not lines:
                raise InputError(f"{where} is empty; write 'Pros:' and 'Cons:', each followed "
                                 "by a list", line=heading.number, field=f"{name}.{index}")
            self.out.data[name].append({"title": title})
            self.out.lines[(name, index)] = heading.number
            self._at(heading, (name, index, "title"), title)
            for side, label, chunk in _sides(lines, where):
                for number, item in enumerate(items(chunk, label)):
                    self.put((name, index, side, number), item.text(), item.first.number,
                             item.span())

    def _participants(self, name: str, _: Any, section: Section, body: list[Line]) -> None:
        self.out.lines[(name,)] = section.line.number
        self.out.data[name] = []
        for index, item in enumerate(items(body, section.heading)):
            person = _person(item.first.text[item.width:])
            self.out.lines[(name, index)] = item.first.number
            for part, value in person.items():
                self._at(item.first, (name, index, part), value)
            lines = _trim(item.lines)
            if lines:
                person["bio"] = "\n".join(item.rest())
                self.out.lines[(name, index, "bio")] = lines[0].number
                self.out.spans[(name, index, "bio")] = (lines[0].start, lines[-1].end)
            self.out.data[name].append(person)

    def _event(self, name: str, _: Any, section: Section, body: list[Line]) -> None:
        event: dict[str, str] = {}
        self.out.lines[(name,)] = section.line.number
        for item in items(body, section.heading):
            text = item.text()
            part, sep, value = text.partition(":")
            found = S.EVENT_LINES.get(S.key(part)) if sep else None
            if found is None:
                raise InputError(f"write each line of '## {section.heading}' as 'Date: "
                                 "YYYY-MM-DD' (or Event, Time, Location)",
                                 line=item.first.number, field=name)
            if found in event:
                raise InputError(f"'{part.strip()}' is given twice in '## {section.heading}'",
                                 line=item.first.number, field=f"{name}.{found}")
            value = " ".join(value.split())
            if value:
                event[found] = value
                self._at(item.first, (name, found), value)
        self.out.data[name] = event


def _join(lines: list[Line]) -> str:
    return "\n".join(line.text for line in lines)


def _no_headings(body: list[Line], heading: str) -> None:
    for line in body:
        found = heading_level(line)
        if found:
            raise InputError(f"a '{'#' * found[0]}' heading is deeper than the section "
                             f"'## {heading}' allows; write it as text, or make it a '## ' "
                             "section", line=line.number)


def _subsections(body: list[Line], section: Section, what: str) -> list[tuple[Line, list[Line]]]:
    """``### `` headings and the lines under each (options, questions)."""
    found: list[tuple[Line, list[Line]]] = []
    for line in body:
        level = heading_level(line)
        if level and level[0] > 3:
            raise InputError(f"a '{'#' * level[0]}' heading is deeper than the section "
                             f"'## {section.heading}' allows; use '### ' for {what}",
                             line=line.number)
        if level and not level[1]:
            raise InputError(f"an empty heading; write the text of {what} after the '### '",
                             line=line.number)
        if level:
            found.append((line, []))
        elif found:
            found[-1][1].append(line)
        elif not line.blank:
            raise InputError(f"text where {what} is expected: start each with a '### ' "
                             "heading", line=line.number)
    return [(heading, _trim(lines)) for heading, lines in found]


def _sides(lines: list[Line], where: str) -> list[tuple[str, str, list[Line]]]:
    """``Pros:`` and ``Cons:`` lines, each followed by its list: (side, label, list lines)."""
    chunks: list[tuple[str, Line, list[Line]]] = []
    for line in lines:
        side = S.SIDES.get(S.key(line.text))
        if side and any(side == s for s, _, _ in chunks):
            raise InputError(f"'{line.text.strip()}' is given twice under {where}",
                             line=line.number)
        if side:
            chunks.append((side, line, []))
        elif chunks:
            chunks[-1][2].append(line)
        elif not line.blank:
            raise InputError(f"prose where a list is expected: under {where}, write 'Pros:' "
                             "and 'Cons:', each followed by a list", line=line.number)
    for _, label, chunk in chunks:
        if not _trim(chunk):
            raise InputError(f"'{label.text.strip()}' under {where} has no items; add '- ' "
                             "lines or delete it", line=label.number)
    return [(side, label.text.strip(), _trim(chunk)) for side, label, chunk in chunks]


def items(body: list[Line], heading: str) -> list[Item]:
    """A Markdown list: an item per marker; indented (or directly following) lines continue it."""
    found: list[Item] = []
    after_blank = False
    for line in body:
        if line.blank:
            if found:
                found[-1].lines.append(line)
            after_blank = True
            continue
        marker = _ITEM.match(line.text)
        indent = len(line.text) - len(line.text.lstrip(" "))
        if marker and (not found or indent < found[-1].width):
            width = marker.end() if line.text[marker.end():].strip() else len(line.text)
            found.append(Item(line, width))
        elif found and (indent >= found[-1].width or not after_blank):
            found[-1].lines.append(line)
        else:
            raise InputError(f"prose where a list is expected in '{heading}': start each item "
                             "with '- '", line=line.number)
        after_blank = False
    for item in found:
        if not item.text().strip():
            raise InputError(f"an empty item in '{heading}'; write it or delete the line",
                             line=item.first.number)
    return found


def _person(first: str) -> dict[str, str]:
    """``**Name**, title`` (or ``Name, title``) → name and title."""
    bold = re.fullmatch(r"\*\*(.+?)\*\*\s*(?:,\s*(.*))?", first.strip())
    name, _, title = first.strip().partition(", ") if bold is None else (bold[1], "", bold[2])
    return {"name": name.strip(), **({"title": title.strip()} if title and title.strip() else {})}


def ignore_markers(text: str) -> dict[int, frozenset[str] | None]:
    """``<!-- briefgen: ignore[rule] -->``: on a line of its own, about the next line of text."""
    markers: dict[int, frozenset[str] | None] = {}
    lines = text.split("\n")
    after = len(lines)              # the next line of text below, found walking up
    for number in range(len(lines), 0, -1):
        line = lines[number - 1]
        alone = _COMMENT_LINE.fullmatch(line) is not None
        match = _IGNORE.search(line)
        if match is not None:
            target = after if alone else number
            rules = None if match[1] is None else frozenset(
                r.strip() for r in match[1].split(",") if r.strip())
            before = markers.get(target, frozenset())
            markers[target] = None if rules is None or before is None else before | rules
        if line.strip() and not alone:
            after = number
    return markers
