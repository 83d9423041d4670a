"""Passages in another language than the note's, marked so that screen readers switch voice.

An author marks a passage with Pandoc's bracketed span, ``[mot juste]{lang=fr}``.
A quotation followed by a citation of a record written in the other language
is marked the same way, from the record's ``language``. The writers turn a
span into runs with ``w:lang`` (DOCX) or a ``<span lang>`` (HTML); LibreOffice
carries the DOCX language into the PDF. The Markdown output keeps the span,
which Pandoc reads.
"""
from __future__ import annotations

import bisect
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
# «French», “curly” or "straight" quotation marks; a quotation may wrap lines but not
# cross a blank line. Its words are the group; French inner spaces stay outside.
# No quotation is longer than _LONGEST characters: that bounds the work on odd input.
_LONGEST = 2000
_QUOTATION = re.compile(
    rf"«[ \t\u00a0\u202f]*(?P<a>[^«»]{{1,{_LONGEST}}}?)[ \t\u00a0\u202f]*»"
    rf"|“(?P<b>[^“”]{{1,{_LONGEST}}}?)”"
    rf'|"(?P<c>[^"]{{1,{_LONGEST}}}?)"')
# Between a quotation and its citation: no sentence end, no blank line.
_NEW_SENTENCE = re.compile(r"[.!?][\"”»’)]*\s+(?=[^\W\d_]|[«“\"])|\n[ \t]*\n")
_NOT_ONE_QUOTE = re.compile(r"\n[ \t]*\n|\]\{")       # a paragraph break, a span already


def unwrap(text: str) -> str:
    """``text`` with each span replaced by its words."""
    return _SPAN.sub(lambda m: m["text"], text)


def tag_quotations(markdown: str, records: Mapping[str, SourceRecord], lang: str) -> str:
    """Each quotation cited, later in its sentence, to a record in another language
    than ``lang``, as a span of that language."""
    clusters = find_clusters(markdown)
    starts = [start for start, _, _ in clusters]
    found = []
    for quote in _QUOTATION.finditer(markdown):
        group = next(g for g in "abc" if quote[g] is not None)
        index = bisect.bisect_left(starts, quote.end())
        if index == len(starts) or starts[index] - quote.end() > _LONGEST \
                or _NOT_ONE_QUOTE.search(quote[group]) \
                or _NEW_SENTENCE.search(markdown, quote.end(), starts[index]):
            continue
        record = next((records[c.key] for c in clusters[index][2] if c.key in records), None)
        if record is not None and record.language != lang:
            found.append((quote.start(group), quote.end(group), record.language))
    for begin, end, language in reversed(found):
        markdown = f"{markdown[:begin]}[{markdown[begin:end]}]{{lang={language}}}{markdown[end:]}"
    return markdown
