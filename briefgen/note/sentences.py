"""Sentences of a brief's text, found in one linear pass."""
from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from briefgen.note.citations import CLUSTER

_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "st", "p", "pp", "vs", "etc", "e.g", "i.e", "inc", "ltd",
    "co", "corp", "jr", "sr", "prof", "gen", "sen", "rep", "hon", "gov", "dept", "approx", "fig",
    "para", "paras", "ch", "art", "vol", "al", "cf", "ca", "ex", "env", "mme", "mmes",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "janv", "févr", "avr", "juill", "déc"}
_LONGEST_TOKEN = 24     # characters: longer than any abbreviation or initials ("U.S.A.")
_END = re.compile(r"[.!?][\"”»’)\]]*(?:\[\^\d+\])?(?=\s+\S)")
_BLOCKS = re.compile(r"\n[ \t]*\n|\n(?=[ \t]*(?:[-*+]|\d+[.)])[ \t])")
_CLUSTER_AFTER = re.compile(rf"[ \t\n]*{CLUSTER}[.,;:!?]*")
_LEAD = re.compile(r"\s*(?:(?:[-*+]|\d{1,9}[.)]|>)[ \t]+)?")


def sentences(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each sentence, without the space or list marker before it.

    List items and paragraphs always end a sentence; a citation right after
    the full stop (``... in 2024. [@a]``) belongs to the sentence before it.
    """
    return iter(_sentences(text))


@functools.lru_cache(maxsize=16)
def _sentences(text: str) -> tuple[tuple[int, int], ...]:
    """:func:`sentences`, found once per text although several rules ask for them."""
    found: list[tuple[int, int]] = []
    start = 0
    for block in [*_BLOCKS.finditer(text), None]:
        stop = block.start() if block else len(text)
        found.extend(_split(text, start, stop))
        start = block.end() if block else len(text)
    return tuple(found)


def _split(text: str, start: int, stop: int) -> Iterator[tuple[int, int]]:
    begin = start
    for match in _END.finditer(text, start, stop):
        if match.start() < begin or not _ends_sentence(text, begin, match, stop):
            continue
        end = match.end()
        if cluster := _CLUSTER_AFTER.match(text, end, stop):
            end = cluster.end()
        yield _trim(text, begin, end)
        begin = end
    if text[begin:stop].strip():
        yield _trim(text, begin, stop)


_TOKEN_BEFORE = re.compile(r"[\w.]+\Z")
_INITIALS = re.compile(r"(?:[^\W\d_]\.)*[^\W\d_]")
_NOT_SPACE = re.compile(r"\S")


def _ends_sentence(text: str, begin: int, match: re.Match[str], stop: int) -> bool:
    """Not after an abbreviation (``Nov.``, ``p.``) or initials (``U.S.``), nor before lowercase.

    Only a few characters either side are looked at, so that a long word or a
    long sentence costs no more than a short one.
    """
    after = _NOT_SPACE.search(text, match.end(), stop)
    following = after.group() if after else ""
    if following.islower():
        return False
    token = _token_before(text, begin, match.start())
    initials = _INITIALS.fullmatch(token) and match.group()[0] == "."
    number = token == "no" and following.isdigit()  # "No. 5", but "They said no. Then"
    return not (token in _ABBREVIATIONS or initials or number)


def _token_before(text: str, begin: int, end: int) -> str:
    """The run of word characters and dots that ends at ``end``, lowercased; "" when there
    is none, or when it is longer than any abbreviation or set of initials."""
    start = max(begin, end - _LONGEST_TOKEN)
    found = _TOKEN_BEFORE.search(text, start, end)
    if found is None or (found.start() == start > begin and _TOKEN_BEFORE.match(text[start - 1])):
        return ""
    return found.group().lower()


def _trim(text: str, begin: int, end: int) -> tuple[int, int]:
    begin = _LEAD.match(text, begin, end).end()  # type: ignore[union-attr]
    while end > begin and text[end - 1].isspace():
        end -= 1
    return begin, end


