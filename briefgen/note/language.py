"""Passages in another language than the note's, marked so that screen readers switch voice.

An author marks a passage with Pandoc's bracketed span, ``[mot juste]{lang=fr}``.
A quotation followed by a citation of a record written in the other language
is marked the same way, from the record's ``language``. The writers turn a
span into runs with ``w:lang`` (DOCX) or a ``<span lang>`` (HTML); LibreOffice
carries the DOCX language into the PDF. The Markdown output keeps the span,
which Pandoc reads.
"""
from __future__ import annotations

import re
from collections.abc import Mapping

from briefgen.models import SourceRecord
from briefgen.note.citations import find_clusters

# A BCP 47 tag as authors write one: en, fr, en-GB, zh-Hant-TW.
LANG_TAG = r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*"
# [text]{lang=xx}: the text may hold one level of brackets ("[sic]") but no blank line.
SPAN = (r"\[(?P<text>(?:[^\[\]\n]|\n(?![ \t]*\n)|\[[^\[\]\n]*\])*)\]"
        rf"\{{\s*lang=(?P<q>[\"']?)(?P<lang>{LANG_TAG})(?P=q)\s*\}}")
_SPAN = re.compile(SPAN)
_PAIRS = {"»": "«", "”": "“", '"': '"'}
# A closing quotation mark just before a citation: «…» [@a], "…". [@a], “…”[@a]
_CLOSED = re.compile(r"(?P<close>[»”\"])[.,;:!?]*\s*\Z")
_SPACES = " \t\n\u00a0\u202f"
# Across a paragraph break, or around a span already there: not one quotation.
_NOT_ONE_QUOTE = re.compile(r"\n[ \t]*\n|\]\{")
_LONGEST = 2000       # characters: no quotation is longer; stops a search across the text


def unwrap(text: str) -> str:
    """``text`` with each span replaced by its words."""
    return _SPAN.sub(lambda m: m["text"], text)


def tag_quotations(markdown: str, records: Mapping[str, SourceRecord], lang: str) -> str:
    """Each quotation cited to a record in another language than ``lang`` as a span."""
    for start, _, cites in reversed(find_clusters(markdown)):
        record = next((records[c.key] for c in cites if c.key in records), None)
        if record is None or record.language == lang:
            continue
        quote = _quotation_before(markdown, start)
        if quote is not None:
            begin, end = quote
            markdown = (f"{markdown[:begin]}[{markdown[begin:end]}]{{lang={record.language}}}"
                        f"{markdown[end:]}")
    return markdown


def _quotation_before(markdown: str, cluster: int) -> tuple[int, int] | None:
    """The offsets of the words of the quotation that ends just before ``cluster``."""
    window = max(0, cluster - _LONGEST)
    closed = _CLOSED.search(markdown, window, cluster)
    if closed is None:
        return None
    end = closed.start("close")
    begin = markdown.rfind(_PAIRS[markdown[end]], window, end) + 1
    if begin == 0:
        return None
    # French quotation marks have spaces inside them: the span holds the words only.
    while begin < end and markdown[begin] in _SPACES:
        begin += 1
    while end > begin and markdown[end - 1] in _SPACES:
        end -= 1
    words = markdown[begin:end]
    if not words or _NOT_ONE_QUOTE.search(words):
        return None
    return begin, end
