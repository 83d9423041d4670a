"""Accessibility rules of ``briefgen check``: what the author writes that no writer can fix.

An image needs alt text, a link needs words that say where it goes, headings
go down one level at a time, a table needs a header row, and a long run of
capitals is hard to read (and some screen readers spell it out). The rules
read each staff-written text of the brief; :mod:`briefgen.note.check` runs
them with the others and documents them in docs/checks.md.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Protocol

WARNING = "warning"
RULES: dict[str, tuple[str, str]] = {
    "image-alt": (WARNING, "an image has no alt text"),
    "link-text": (WARNING, "a link's text is a bare address or 'click here'"),
    "heading-level": (WARNING, "a heading skips a level"),
    "table-header": (WARNING, "a table has no header row"),
    "all-caps": (WARNING, "several words in capitals"),
}
SECTION_LEVEL = 2          # a text field sits under its section's "## " heading
CAPS_WORDS = 4             # this many capitalised words in a row are "shouting"

_CODE = re.compile(r"```.*?```|`[^`\n]*`", re.S)
# Link and image texts hold no bracket: each try stops at the next one (linear time).
_IMAGE = re.compile(r"!\[(?P<alt>[^\[\]\n]*)\]\([^()\n]*\)")
_LINK = re.compile(r"(?<!!)\[(?P<text>[^\[\]\n]*)\]\((?P<href>[^()\s]*)[^()\n]*\)"
                   r"|<(?P<auto>https?://[^<>\s]+)>")
_VAGUE = re.compile(r"\s*(?:(?:https?://|www\.)\S*|click here|here|cliquez ici|ici)\s*", re.I)
_HEADING = re.compile(r"^[ \t]{0,3}(?P<marks>#{1,6})[ \t]+\S", re.M)
_TABLE_HEAD = re.compile(r"^[ \t]*(?P<head>\|.*\|)[ \t]*\n[ \t]*\|?[ \t]*:?-{3,}", re.M)
_CAPS = re.compile(rf"\b[A-ZÀ-Ý][A-ZÀ-Ý'’-]+(?:[ \t]+[A-ZÀ-Ý][A-ZÀ-Ý'’-]+){{{CAPS_WORDS - 1},}}\b")


class Text(Protocol):
    text: str


Finding = tuple[str, str, Text, int]        # rule, message, text, offset in the text


def findings(texts: Iterable[Text]) -> Iterator[Finding]:
    """Every accessibility finding in the texts, in order."""
    for text in texts:
        plain = _CODE.sub(lambda m: " " * len(m.group()), text.text)
        yield from _images(text, plain)
        yield from _links(text, plain)
        yield from _headings(text, plain)
        yield from _tables(text, plain)
        yield from _capitals(text, plain)


def _images(text: Text, plain: str) -> Iterator[Finding]:
    for match in _IMAGE.finditer(plain):
        if not match["alt"].strip():
            yield ("image-alt", "the image has no alt text; write what it shows between "
                   "the brackets: ![Map of the border crossings](map.png)", text, match.start())


def _links(text: Text, plain: str) -> Iterator[Finding]:
    for match in _LINK.finditer(plain):
        words = match["auto"] or match["text"]
        if _VAGUE.fullmatch(words):
            yield ("link-text", f"the link reads '{words.strip()}'; give it words that say "
                   "where it goes: [the CBSA's statement](https://...)", text, match.start())


def _headings(text: Text, plain: str) -> Iterator[Finding]:
    level = SECTION_LEVEL
    for match in _HEADING.finditer(plain):
        new = len(match["marks"])
        if new > level + 1:
            yield ("heading-level", f"a level-{new} heading under a level-{level} one; "
                   f"use {'#' * (level + 1)}", text, match.start("marks"))
        level = new


def _tables(text: Text, plain: str) -> Iterator[Finding]:
    for match in _TABLE_HEAD.finditer(plain):
        if not match["head"].replace("|", "").strip():
            yield ("table-header", "the table's first row is empty; put column headings "
                   "there so that readers know what each column holds", text, match.start("head"))


def capital_runs(text: str) -> list[tuple[int, int]]:
    """Where ``text`` has several words in capitals (the acronym rule leaves them to us)."""
    return [match.span() for match in _CAPS.finditer(text)]


def _capitals(text: Text, plain: str) -> Iterator[Finding]:
    for match in _CAPS.finditer(plain):
        yield ("all-caps", f"'{match.group()}' is in capitals; write it in sentence case "
               "(use **bold** for emphasis)", text, match.start())
