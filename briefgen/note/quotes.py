"""Quotations and whether their words stand verbatim in the cited record."""
from __future__ import annotations

import difflib
import re
from collections.abc import Iterator

from briefgen.models import SourceRecord
from briefgen.note.language import unwrap

# "straight" (not across a blank line), “curly” or « French » quotation marks.
QUOTE = re.compile(r'"(?P<a>(?:[^"\n]|\n(?![ \t]*\n)){2,}?)"'
                    r"|“(?P<b>[^“”]{2,})”|«\s*(?P<c>[^«»]+?)\s*»")
_ELISION = re.compile(r"\s*(?:\[\s*(?:…|\.\.\.)\s*\]|…|\.\.\.)\s*")
_INSERTION = re.compile(r"\[[^\]]{1,40}\]")
_QUOTE_MARKS = re.compile(r"«\s*|\s*»|[\"“”‘’`]")


def _normalise(text: str) -> str:
    """Every kind of quotation mark and apostrophe as ``'``; runs of whitespace as one space."""
    return spaces(_QUOTE_MARKS.sub("'", text))


def spaces(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def quote_pattern(quote: str) -> re.Pattern[str]:
    """A regex for a quote: fragments around elisions in order, [insertions] as short gaps."""
    quote = re.sub(r"[*_]{1,2}", "", _normalise(unwrap(quote))).strip(" ,.;:")
    parts = [_fragment(f.strip(" ,;:")) for f in _ELISION.split(quote) if f.strip(" ,.;:")]
    return re.compile(".*?".join(parts), re.S)


def _fragment(fragment: str) -> str:
    """One run of quoted words: the first letter in either case, ``[...]`` any short span."""
    pieces = [re.escape(p.strip()) for p in _INSERTION.split(fragment)]
    escaped = r"\s?.{0,40}?\s?".join(pieces)
    first = fragment[0]
    if first.isalpha():
        escaped = f"[{first.lower()}{first.upper()}]" + escaped[len(re.escape(first)):]
    return escaped


def quote_found(quote: str, record: SourceRecord) -> bool:
    pattern = quote_pattern(quote)
    return any(pattern.search(_normalise(text)) for text in _haystacks(record))


def _haystacks(record: SourceRecord) -> list[str]:
    return [text for text in (record.text, *(q.text for q in record.quotes)) if text.strip()]


def windows(quote: str, record: SourceRecord) -> Iterator[tuple[float, str]]:
    target = spaces(quote)
    for hay in map(spaces, _haystacks(record)):
        match = difflib.SequenceMatcher(None, hay, target, autojunk=False).find_longest_match()
        start = max(0, match.a - match.b)
        start = hay.rfind(" ", 0, start + 1) + 1
        end = hay.find(" ", start + len(target))
        window = hay[start:end if end >= 0 else len(hay)].rstrip(" ,.;:")
        yield difflib.SequenceMatcher(None, window, target).ratio(), window


