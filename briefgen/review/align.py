"""Carry a reviewer's edit of a paragraph back onto the Markdown it was built from.

Three texts meet: the Markdown source of one paragraph (S), the paragraph as
briefgen printed it (R) and the paragraph as the reviewer left it (E). R and S
are aligned character by character; every stretch where E differs from R is
then written into S at the aligned place. Whatever the edit does not touch —
emphasis, links, straight quotes, citations — stays as the author wrote it.

Citations take part as single characters: a cluster ``[@key, p. 4]`` in S, the
footnote reference it became in R, and the same footnote in E all stand as one
private-use character, so a footnote the reviewer kept keeps its citation, one
that went with a deleted sentence is missed, and one the reviewer wrote is new.
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from briefgen.note.citations import find_clusters
from briefgen.review.docxread import MARK, Para, is_mark

_CITE = 0x100000                # citation stand-ins (plane 16), apart from footnote marks
_NUMBERED = re.compile(r"\[\d+(?:[,–-]\s?\d+)*\]")     # "[3]" of a sources-list note
_ESCAPE = re.compile(r"([\\`*_\[\]<])")
_ITEM = re.compile(r"( {0,3})([-*+]|\d{1,9}[.)])[ \t]+")
_WORD = re.compile(r"\w+|\s+|[^\w\s]")
RESYNC = 64           # words looked ahead, after a difference, for where texts agree again
MAX_DIFF = 4000       # words of a changed stretch compared one by one; beyond, one change


@dataclass
class Marks:
    """Stand-in characters for citations and footnotes, shared by a whole note."""

    numbered: bool = False                 # the note lists its sources: "[3]" in the text
    text: dict[str, str] = field(default_factory=dict)        # stand-in → cluster text
    chars: dict[str, str] = field(default_factory=dict)       # key → stand-in
    by_note: dict[str, str] = field(default_factory=dict)     # footnote text → stand-in

    def char(self, key: str, cluster: str = "") -> str:
        if key not in self.chars:
            self.chars[key] = chr(_CITE + len(self.chars))
            self.text[self.chars[key]] = cluster
        return self.chars[key]

    def source(self, text: str) -> str:
        """S with each citation cluster as one character."""
        out, last = [], 0
        for start, end, _ in find_clusters(text):
            out += [text[last:start], self.char("cite:" + text[start:end], text[start:end])]
            last = end
        return "".join(out) + text[last:]

    def printed(self, para: Para, notes: list[str], source: str | None = None) -> str:
        """R or E with each footnote reference (or "[n]") as a character; for R, the
        footnotes pair with S's clusters in order and are remembered by their text."""
        found = list(_references(para.text, notes, self.numbered))
        cites = [c for c in source or "" if ord(c) >= _CITE and self.text.get(c)]
        paired = source is not None and len(cites) == len(found)
        out, last = [], 0
        for index, (start, end, key) in enumerate(found):
            if paired:
                self.by_note.setdefault(key, cites[index])
                char = cites[index]
            else:
                char = self.by_note.get(key) or self.char("new:" + key)
            out += [para.text[last:start], char]
            last = end
        return "".join(out) + para.text[last:]

    def new_notes(self, text: str) -> list[str]:
        """Footnotes in ``text`` that no citation of the brief made (written by a reviewer)."""
        return [key[4:] for key, c in self.chars.items() if key.startswith("new:") and c in text]

    def cited(self, text: str) -> list[str]:
        return [self.text[c] for c in text if self.text.get(c)]

    def restore(self, text: str) -> str:
        """Stand-ins back to the clusters they stand for; a reviewer's footnote goes."""
        return "".join(self.text.get(c, "") if ord(c) >= _CITE else c for c in text)


def _references(text: str, notes: list[str], numbered: bool) -> Iterator[tuple[int, int, str]]:
    if numbered:
        for match in _NUMBERED.finditer(text):
            yield match.start(), match.end(), match.group()
        return
    for index, char in enumerate(text):
        if is_mark(char):
            yield index, index + 1, notes[ord(char) - MARK]


def transfer(source: str, rebuilt: str, edited: str, escape: bool = True) -> str:
    """``source`` with the changes that turn ``rebuilt`` into ``edited`` (the typed text
    Markdown-escaped when ``source`` is Markdown). Word by word, in time linear in the
    text: a paragraph can be long."""
    if rebuilt == edited:
        return source
    (r, r_at), (s, s_at), (e, e_at) = _tokens(rebuilt), _tokens(source), _tokens(edited)
    blocks = _align(r, s)
    starts = [a for a, _, _ in blocks]

    def at(i: int) -> int:
        """Where the word ``i`` of R (or the gap it is in) starts in S."""
        k = bisect.bisect_right(starts, i) - 1
        if i >= len(r) or k < 0:
            return len(source) if i >= len(r) else 0
        a, b, size = blocks[k]
        return s_at[b + i - a] if i < a + size else s_at[b + size]

    out = source
    for i1, i2, j1, j2 in reversed(_changes(r, e)):
        start = at(i1)
        end = max(start, at(i2))
        typed = edited[e_at[j1]:e_at[j2]]
        if not typed and out[start:end] and all(ord(c) >= _CITE for c in out[start:end]):
            start -= out[start - 1:start] in (" ", "\t")    # a citation goes with its space
        out = out[:start] + (escape_markdown(typed) if escape else typed) + out[end:]
    return _drop_removed(out, rebuilt, edited)


def _tokens(text: str) -> tuple[list[str], list[int]]:
    """Words, runs of space and single signs, and where each starts (and the end)."""
    found = list(_WORD.finditer(text))
    return [m.group() for m in found], [m.start() for m in found] + [len(text)]


def _align(a: list[str], b: list[str]) -> list[tuple[int, int, int]]:
    """Stretches (i, j, size) where two texts that differ only here and there agree:
    after each difference, the nearest place where three words agree again."""
    blocks: list[tuple[int, int, int]] = []
    i = j = 0
    while i < len(a) and j < len(b):
        if a[i] == b[j]:
            i0, j0 = i, j
            while i < len(a) and j < len(b) and a[i] == b[j]:
                i, j = i + 1, j + 1
            blocks.append((i0, j0, i - i0))
            continue
        step = next(((di, d - di) for d in range(1, RESYNC) for di in range(d + 1)
                     if _agree(a, i + di, b, j + d - di)), None)
        if step is None:
            break                 # the rest does not align: edits there land at its start
        inner = SequenceMatcher(None, a[i:i + step[0]], b[j:j + step[1]], autojunk=False)
        blocks += [(i + x, j + y, n) for x, y, n in inner.get_matching_blocks() if n]
        i, j = i + step[0], j + step[1]
    return blocks


def _agree(a: list[str], i: int, b: list[str], j: int) -> bool:
    return i < len(a) and j < len(b) and a[i] == b[j] and a[i + 1:i + 3] == b[j + 1:j + 3]


def _changes(r: list[str], e: list[str]) -> list[tuple[int, int, int, int]]:
    """The stretches (i1, i2, j1, j2) of R that E changes: the common start and end set
    aside, the rest word by word, or as one change when it is long."""
    head = 0
    while head < min(len(r), len(e)) and r[head] == e[head]:
        head += 1
    tail = 0
    while tail < min(len(r), len(e)) - head and r[-1 - tail] == e[-1 - tail]:
        tail += 1
    r_end, e_end = len(r) - tail, len(e) - tail
    if max(r_end, e_end) - head > MAX_DIFF:
        return [(head, r_end, head, e_end)]
    ops = SequenceMatcher(None, r[head:r_end], e[head:e_end], autojunk=False).get_opcodes()
    return [(head + i1, head + i2, head + j1, head + j2)
            for tag, i1, i2, j1, j2 in ops if tag != "equal"]


def _drop_removed(out: str, rebuilt: str, edited: str) -> str:
    """A footnote the reviewer removed by itself (the sentence stayed) takes its citation
    along, even where the alignment put it beside the punctuation it moved over."""
    for char in {c for c in rebuilt if ord(c) >= _CITE}:
        extra = out.count(char) - edited.count(char)
        if extra > 0 and edited.count(char) < rebuilt.count(char):
            out = re.sub(f"[ \t]?{re.escape(char)}", "", out, count=extra)
    return out


def escape_markdown(text: str) -> str:
    """Typed text as Markdown that prints it as typed."""
    return _ESCAPE.sub(r"\\\1", text)


def markdown(para: Para, marks: Marks, notes: list[str]) -> str:
    """A paragraph the reviewer added, as Markdown (bold and italic kept)."""
    out = []
    for text, bold, italic in para.runs:
        if is_mark(text[:1]):
            out.append(marks.printed(Para("", text), notes))
            continue
        core = escape_markdown(text.strip())
        if core and (bold or italic):
            wrap = "**" if bold else ""
            wrap += "*" if italic else ""
            core = f"{wrap}{core}{wrap[::-1]}"
        lead, trail = text[:len(text) - len(text.lstrip())], text[len(text.rstrip()):]
        out.append(lead + core + trail if core else text)
    return " ".join("".join(out).split("\n"))


@dataclass(frozen=True)
class Unit:
    """One paragraph's (or list item's) Markdown inside a field's text."""

    start: int
    end: int
    item: bool


def units(text: str) -> list[Unit]:
    """The paragraphs and list items of a prose field, as the note prints them one each."""
    found: list[Unit] = []
    offset = 0
    block: list[tuple[int, str]] = []
    for line in [*text.split("\n"), ""]:
        if line.strip():
            block.append((offset, line))
        elif block:
            found += _block_units(block)
            block = []
        offset += len(line) + 1
    return found


def _block_units(block: list[tuple[int, str]]) -> list[Unit]:
    if not _ITEM.match(block[0][1]):
        return [Unit(block[0][0], block[-1][0] + len(block[-1][1]), False)]
    found: list[Unit] = []
    for offset, line in block:
        marker = _ITEM.match(line)
        if marker and (not found or len(marker.group(1)) < 2):
            found.append(Unit(offset + marker.end(), offset + len(line), True))
        elif found:
            found[-1] = Unit(found[-1].start, offset + len(line), True)
    return found
