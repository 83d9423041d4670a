"""French typography on Markdown text: no-break spaces where French puts them.

A no-break space (U+00A0) goes before ``:`` and inside « »; a narrow
no-break space (U+202F) before ``;``, ``!`` and ``?``, and a no-break space
between a number and ``%``. Code, HTML tags and autolinks, link targets,
bare addresses, entities, citation clusters, footnote marks and attribute
lists are left exactly as written, and so are times (14:30) and addresses
(https://...): punctuation followed by a letter, digit or slash is not
sentence punctuation.
"""
from __future__ import annotations

import re

from briefgen.note.citations import CLUSTER

NBSP, NNBSP = "\u00a0", "\u202f"

_SKIP = re.compile(
    r"(?P<fchars>^[ \t]*(?:`{3,}|~{3,}))[^\n]*\n.*?^[ \t]*(?P=fchars)[`~]*[ \t]*$"  # fenced code
    r"|(?P<ticks>`+).+?(?P=ticks)"                   # code span
    r"|<[^<>\n]*>"                                   # HTML tag, autolink
    r"|\]\([^)\n]*\)"                                # link target
    rf"|{CLUSTER}"                                   # citation cluster
    r"|^\[\^[^\]\n]+\]:|\[\^[^\]\n]+\]"              # footnote definition and mark
    r"|\{:?[^{}\n]*\}"                               # attribute list
    r"|https?://[^\s<>]+|www\.[^\s<>]+"              # bare address
    r"|&#?\w+;",                                     # entity
    re.M | re.S)
# What may stand before French punctuation: a word, or something that closes one.
_AFTER = r"(?<=[\w)\]»”’*_.%…])"
_SPACES = r"[ \t\u00a0\u202f]*"
_COLON = re.compile(_AFTER + _SPACES + r":(?![\w/])")
_HIGH = re.compile(_AFTER + _SPACES + r"([;!?])(?![\w/\[=])")
_OPEN = re.compile(r"«" + _SPACES)
_CLOSE = re.compile(_SPACES + r"»")
_PERCENT = re.compile(r"(?<=\d)[ \t]%")


def _plain(text: str) -> str:
    text = _COLON.sub(NBSP + ":", text)
    text = _HIGH.sub(lambda m: NNBSP + m.group(1), text)
    text = _OPEN.sub("«" + NBSP, text)
    text = _CLOSE.sub(NBSP + "»", text)
    return _PERCENT.sub(NBSP + "%", text)


def french(markdown: str) -> str:
    """``markdown`` with French spacing, outside the parts that must stay as written."""
    out, start = [], 0
    for match in _SKIP.finditer(markdown):
        out.append(_plain(markdown[start:match.start()]))
        out.append(match.group())
        start = match.end()
    out.append(_plain(markdown[start:]))
    return "".join(out)
