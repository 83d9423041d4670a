"""Typography on Markdown text: French spacing, English typographic quotes.

English: straight quotation marks and apostrophes become typographic ones
(“ ” ‘ ’), as the text briefgen itself writes them.

French: no-break spaces where French puts them.

A no-break space (U+00A0) goes before ``:`` and inside « »; a narrow
no-break space (U+202F) before ``;``, ``!`` and ``?``, and a no-break space
between a number and ``%``. Code, HTML tags and autolinks, link targets,
bare addresses, entities, citation clusters, footnote marks and attribute
lists are left exactly as written, and so are times (14:30) and addresses
(https://...): punctuation followed by a letter, digit or slash is not
sentence punctuation. A day and its month ("11 septembre") are held
together by a no-break space.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from briefgen.note.citations import CLUSTER
from briefgen.note.language import SPAN

NBSP, NNBSP = "\u00a0", "\u202f"

_SKIP = re.compile(
    r"(?P<fchars>^[ \t]*(?:`{3,}+|~{3,}+))[^\n]*\n.*?^[ \t]*(?P=fchars)[`~]*[ \t]*$"  # fenced code
    r"|(?<!`)(?P<ticks>`+)(?!`).+?(?<!`)(?P=ticks)(?!`)"  # code span (whole runs of `)
    r"|<[^<>\n]*>"                                   # HTML tag, autolink
    r"|\]\([^()\n]*\)"                               # link target (each try stops at a "(")
    rf"|{CLUSTER}"                                   # citation cluster
    r"|^\[\^[^\[\]\n]+\]:|\[\^[^\[\]\n]+\]"          # footnote definition and mark
    r"|\{:?[^{}\n]*\}"                               # attribute list
    r"|https?://[^\s<>]+|www\.[^\s<>]+"              # bare address
    r"|&#?\w+;"                                      # entity
    rf"|{SPAN}",                                     # a passage in another language
    re.M | re.S)
# What may stand before French punctuation: a word, or something that closes one.
_AFTER = r"(?<=[\w)\]»”’*_.%…])"
_SPACES = r"[ \t\u00a0\u202f]*"
_COLON = re.compile(_AFTER + _SPACES + r":(?![\w/])")
_HIGH = re.compile(_AFTER + _SPACES + r"([;!?])(?![\w/\[=])")
_OPEN = re.compile(r"«" + _SPACES)
_CLOSE = re.compile(r"(?<![ \t\u00a0\u202f])" + _SPACES + r"+»")  # from the run's start only
_PERCENT = re.compile(r"(?<=\d)[ \t]%")
_MONTHS = "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
_DAY_MONTH = re.compile(rf"(?<![\w,.])(\d{{1,2}}|1er)[ \t]+(?=(?:{_MONTHS})\b)")


def _plain(text: str) -> str:
    text = _COLON.sub(NBSP + ":", text)
    text = _HIGH.sub(lambda m: NNBSP + m.group(1), text)
    text = _OPEN.sub("«" + NBSP, text)
    text = _CLOSE.sub(NBSP + "»", text)
    text = _DAY_MONTH.sub(lambda m: m.group(1) + NBSP, text)
    return _PERCENT.sub(NBSP + "%", text)


def french(markdown: str) -> str:
    """``markdown`` with French spacing, outside the parts that must stay as written."""
    return _outside(_SKIP, markdown, lambda text, _: _plain(text))


# An English quote opens after a space, an opening bracket, a dash or emphasis.
_OPENS_AFTER = r"(?<![^\s(\[{—–/*_-])"
_DOUBLE_OPEN = re.compile(_OPENS_AFTER + r'"')
_SINGLE_OPEN = re.compile(_OPENS_AFTER + r"'(?=[^\W\d_])")   # not '90s: that is an apostrophe
# Besides the French skips: backslash escapes (\" stays straight) and link
# reference definitions ([id]: url "title").
_SKIP_EN = re.compile(_SKIP.pattern + r"|\\.|^[ ]{0,3}\[(?!\^)[^\]\n]+\]:[^\n]*",
                      re.M | re.S)


def _quotes(text: str, before: str) -> str:
    """Curly quotes; ``before`` is the character ahead of ``text`` (a mark, a tag's ``>``)."""
    text = _DOUBLE_OPEN.sub("“", before + text).replace('"', "”")
    return _SINGLE_OPEN.sub("‘", text).replace("'", "’")[len(before):]


def english(markdown: str) -> str:
    """``markdown`` with typographic quotes and apostrophes, outside code, tags and links."""
    return _outside(_SKIP_EN, markdown, _quotes)


def _outside(skip: re.Pattern[str], markdown: str, change: Callable[[str, str], str]) -> str:
    """``change(text, character before it)`` applied to the text between matches of ``skip``."""
    out, start = [], 0
    for match in skip.finditer(markdown):
        out.append(change(markdown[start:match.start()], markdown[start - 1:start]))
        out.append(match.group())
        start = match.end()
    out.append(change(markdown[start:], markdown[start - 1:start]))
    return "".join(out)
