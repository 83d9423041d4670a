"""Pandoc-style citations: ``[@key]``, ``[@key, p. 4]``, ``[see @a; @b]``.

Citations are resolved on the Markdown text, before any writer sees it, so the
``.md`` output carries real footnotes (``[^1]``) or numbered references and the
DOCX/HTML writers only ever meet ordinary Markdown footnotes.
"""
from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field

from briefgen.errors import CitationError

# A bracket with an @ in it: a citation cluster if every ';'-separated item holds an @key.
# Other stages that must step over clusters (typography, check) use the same pattern.
CLUSTER_BODY = r"[^\[\]]*@[^\[\]]*"
CLUSTER = rf"\[{CLUSTER_BODY}\]"
# Fenced code blocks, code spans and backslash escapes are skipped. A code span ends with its
# paragraph or list item, as in Markdown. A run of backticks or of spaces is only ever matched
# from its start: trying each of its characters would rescan it.
_TOKEN = re.compile(
    r"(?P<fence>^[ \t]*(?P<fchars>`{3,}(?=[^\n`]*\n)|~{3,})[^\n]*\n(?:.*?\n)?[ \t]*(?P=fchars)[`~]*[ \t]*(?:\n|\Z))"
    r"|(?P<code>(?<!`)(?P<ticks>`+)(?!`)(?:(?!\n[ \t]*(?:\n|[-*+>#][ \t]|\d{1,9}[.)][ \t])).)+?"
    r"(?<!`)(?P=ticks)(?!`))"
    r"|(?P<escape>\\.)"
    rf"|(?P<space>(?<![ \t\n])[ \t\n]*+|)\[(?P<body>{CLUSTER_BODY})\](?![(\[])(?P<punct>[.,;:!?]*)",
    re.S | re.M,
)
# What may come before a cluster on its line when it opens a block (list item,
# heading, quote): the space after such a marker is not a word space.
_BLOCK_START = re.compile(r"[ \t]*(?:(?:>|[-*+]|\d{1,9}[.)]|#{1,6}|\|)[ \t]*)*")
_ENDS_WITH_PERIOD = re.compile(r"\.[\"”’»)]*$")
# A locator needs at least one letter or digit: "[@a.]" has none.
_NO_LOCATOR = re.compile(r"[\W_]*")
_ITEM = re.compile(
    r"\s*(?P<prefix>(?:.*\s)?)-?@(?P<key>[A-Za-z0-9_](?:[\w.:/-]*\w)?)(?P<suffix>.*?)\s*",
    re.S,
)


@dataclass(frozen=True)
class Cite:
    key: str
    locator: str | None = None
    prefix: str = ""


def parse_cluster(body: str) -> tuple[Cite, ...] | None:
    """The citations in one bracket's text, or None when it is not a citation."""
    cites = []
    for item in body.split(";"):
        match = _ITEM.fullmatch(item)
        if match is None:
            return None
        locator = match["suffix"].strip().lstrip(",").strip().rstrip(",;:").strip()
        if _NO_LOCATOR.fullmatch(locator):
            locator = None
        cites.append(Cite(match["key"], locator, match["prefix"].strip()))
    return tuple(cites)


def sub_clusters(text: str, replace: Callable[[tuple[Cite, ...]], str],
                 note_style: bool = False) -> str:
    """Replace every citation cluster in Markdown text, in order of appearance.

    With ``note_style`` a note mark moves after the punctuation that follows
    it and the space before it goes, as in Pandoc: ``word [@a].`` → ``word.[^1]``.
    """
    def one(match: re.Match[str]) -> str:
        if match["body"] is None:
            return match.group()
        cites = parse_cluster(match["body"])
        if cites is None:
            return match.group()
        if note_style and _follows_word(text, match):
            punct = match["punct"]
            if punct[:1] == "." and _ENDS_WITH_PERIOD.search(text, 0, match.start()):
                punct = punct[1:]  # "U.S. [@a]." and '"... the U.S." [@a].' keep one period
            return punct + replace(cites)
        return match["space"] + replace(cites) + match["punct"]

    return _TOKEN.sub(one, text)


def _follows_word(text: str, match: re.Match[str]) -> bool:
    """Whether the cluster comes after text in the same paragraph.

    Not when it opens a block ("- [@a] ...", "# [@a]") or the text, and not
    across a blank line: removing that space would break the Markdown.
    """
    space = match["space"]
    if space.count("\n") > 1:
        return False
    before = text[: match.start()]
    if "\n" in space:
        return bool(before.strip())
    line = before[before.rfind("\n") + 1:]
    return not _BLOCK_START.fullmatch(line)


def cited_keys(text: str) -> list[str]:
    """Keys cited in the text, in order, with repeats."""
    return list(_cited_keys(text))


@functools.lru_cache(maxsize=64)
def _cited_keys(text: str) -> tuple[str, ...]:
    """Cached: composing and checking a brief ask this of the same texts several
    times, and each answer is a scan of the whole text."""
    return tuple(cite.key for _, _, cites in find_clusters(text) for cite in cites)


def find_clusters(text: str) -> list[tuple[int, int, tuple[Cite, ...]]]:
    """Each citation cluster with the offsets of its brackets."""
    found = []
    for match in _TOKEN.finditer(text):
        cites = parse_cluster(match["body"]) if match["body"] is not None else None
        if cites is not None:
            found.append((match.start("body") - 1, match.end("body") + 1, cites))
    return found


def unknown_key_message(key: str, known: Collection[str]) -> str:
    close = difflib.get_close_matches(key, list(known), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    return f"citation of unknown record '@{key}'{hint}"


def check_keys(text: str, known: Collection[str], **where: object) -> list[str]:
    """Every key cited in ``text`` must name a record; suggest near matches."""
    keys = cited_keys(text)
    for key in keys:
        if key not in known:
            raise CitationError(unknown_key_message(key, known), **where)  # type: ignore[arg-type]
    return keys


RenderRef = Callable[[str, str | None, bool], str]


@dataclass
class Citations:
    """Numbers citations in order of appearance and writes the notes.

    ``render(key, locator, first)`` gives one reference's Markdown: the full
    form the first time a record is cited, the short form after that.
    """

    render: RenderRef
    mode: str = "footnotes"
    separator: str = "; "        # between the references of one note (French: "\u202f; ")
    notes: list[str] = field(default_factory=list)
    numbers: dict[str, int] = field(default_factory=dict)

    def resolve(self, text: str) -> str:
        if self.mode == "footnotes":
            return sub_clusters(text, self._footnote, note_style=True)
        return sub_clusters(text, self._numbered)

    def _footnote(self, cites: tuple[Cite, ...]) -> str:
        parts = []
        for cite in cites:
            first = cite.key not in self.numbers
            self.numbers.setdefault(cite.key, len(self.numbers) + 1)
            ref = self.render(cite.key, cite.locator, first).rstrip(".")
            parts.append(f"{cite.prefix} {ref}" if cite.prefix else ref)
        self.notes.append(_sentence(self.separator.join(parts)))
        return f"[^{len(self.notes)}]"

    def _numbered(self, cites: tuple[Cite, ...]) -> str:
        parts = []
        for cite in cites:
            if cite.key not in self.numbers:
                self.numbers[cite.key] = len(self.numbers) + 1
                self.notes.append(_sentence(self.render(cite.key, None, True)))
            number = str(self.numbers[cite.key])
            part = f"{number}, {cite.locator}" if cite.locator else number
            parts.append(f"{cite.prefix} {part}" if cite.prefix else part)
        return "\\[" + "; ".join(parts) + "\\]"

    def add_uncited(self, keys: Iterable[str]) -> list[str]:
        """Records listed in the brief but never cited: full references, in order."""
        extra = []
        for key in keys:
            if key not in self.numbers:
                self.numbers[key] = len(self.numbers) + 1
                extra.append(_sentence(self.render(key, None, True)))
        return extra


SHORT_TITLE = 48       # characters of a title in a repeat citation, "…" included
# Words a shortened title must not end on: it would read as cut mid-phrase.
_DANGLING = frozenset("""
    a an the and or nor but of for to in on at by with from as into over under than that
    which any all some its their this these those our his her
    et ou ni mais de du des la le les un une pour par sur sous dans avec en au aux à que qui
    """.split())
_OPENERS = {"(": ")", "“": "”", "‘": "’", "«": "»", "[": "]"}


def short_title(title: str, limit: int = SHORT_TITLE) -> str:
    """A title for a repeat citation: whole words, never ending on a conjunction, an
    article, an abbreviation's period or inside brackets or quotation marks."""
    title = " ".join(title.split())
    if len(title) <= limit:
        return title
    words: list[str] = []
    for word in title.split(" "):
        if len(" ".join([*words, word])) > limit - 1:
            break
        words.append(word)
    words = _complete_phrase(words)
    if not words:                       # one very long word
        return title[:limit - 1] + "…"
    return " ".join(words).rstrip(",;:–—-") + "…"


def _complete_phrase(words: list[str]) -> list[str]:
    """``words`` without an unclosed bracket or quote and without dangling words at the end."""
    for index, word in enumerate(words):
        opener = word[:1]
        if opener in _OPENERS and _OPENERS[opener] not in " ".join(words[index:]):
            words = words[:index]
            break
    while words and (words[-1].lower().strip(",;:") in _DANGLING or words[-1].endswith(".")):
        words = words[:-1]
    return words


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?", ">")) else text + "."
