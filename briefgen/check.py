"""Quality gates: no uncited claim, no misquote, no classification leak.

``check_brief`` reads one brief against the library and returns findings,
each with a rule id, a severity and the file:line:col of the text it is about.
The rules are listed in ``RULES`` and documented in docs/checks.md.
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .citations import find_clusters, unknown_key_message
from .errors import BriefgenError, shown_path
from .models import Brief, SourceRecord
from .sources import read_brief, read_text, text_positions
from .workspace import Workspace

ERROR, WARNING = "error", "warning"
RULES: dict[str, tuple[str, str]] = {
    "unknown-citation": (ERROR, "a citation names no record in the library"),
    "unused-source": (WARNING, "a record listed in sources: is never cited"),
    "locator-out-of-range": (ERROR, "a page locator is beyond the record's pages"),
    "misquote": (ERROR, "quoted text is not found verbatim in the cited record"),
    "uncited-figure": (WARNING, "a sentence states a figure without a citation"),
    "classification": (ERROR, "the note is marked below a record it cites"),
    "page-budget": (WARNING, "the note is estimated to run over its page budget"),
    "talking-points-count": (WARNING, "too many talking points"),
    "talking-point-length": (WARNING, "a talking point is too long"),
    "summary-length": (WARNING, "the summary is too long"),
    "long-sentence": (WARNING, "a sentence is too long"),
    "acronym": (WARNING, "an acronym is not spelled out on first use"),
    "passive-voice": (WARNING, "a passive construction"),
    "double-space": (WARNING, "two spaces in a row"),
    "straight-quotes": (WARNING, "straight quotes in a French note"),
}
TEXT_FIELDS = ("summary", "background", "current_status", "considerations", "recommendation",
               "next_steps", "talking_points", "options")
_IGNORE = re.compile(r"briefgen:\s*ignore(?:\[(?P<rules>[^\]]*)\])?")


@dataclass(frozen=True, order=True)
class Finding:
    file: str
    line: int
    col: int
    rule: str
    message: str
    field: str = ""

    @property
    def severity(self) -> str:
        return RULES[self.rule][0]

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "severity": self.severity}

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.severity}[{self.rule}]: {self.message}"


@dataclass(frozen=True)
class Text:
    """One text of a brief and where it sits in the file, to point at a character."""

    field: str
    text: str
    line: int
    col: int
    block: bool

    def position(self, offset: int) -> tuple[int, int]:
        before = self.text[:offset]
        row = before.count("\n")
        column = offset - (before.rfind("\n") + 1)
        if self.block:
            return self.line + 1 + row, self.col + column
        return self.line + row, (self.col if row == 0 else 1) + column


def _texts(brief: Brief, path: Path) -> Iterator[Text]:
    """Every staff-written text field with its position in the YAML file."""
    positions = text_positions(path) if path.suffix in (".yaml", ".yml") else {}
    raw = read_text(path).split("\n")

    def make(loc: tuple[Any, ...], value: str) -> Text:
        line, col, style = positions.get(loc, (1, 1, None))
        block = style in ("|", ">")
        if block and line < len(raw):
            content = raw[line] if line < len(raw) else ""
            col = len(content) - len(content.lstrip(" ")) + 1
        return Text(".".join(map(str, loc)), value, line, col, block)

    for name in TEXT_FIELDS[:6]:
        if getattr(brief, name):
            yield make((name,), getattr(brief, name))
    for index, point in enumerate(brief.talking_points):
        yield make(("talking_points", index), point)
    for index, option in enumerate(brief.options):
        for side in ("pros", "cons"):
            for item, value in enumerate(getattr(option, side)):
                yield make(("options", index, side, item), value)


# Sentences ------------------------------------------------------------------

_ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "st", "no", "p", "pp", "vs", "etc", "e.g", "i.e", "inc",
                  "ltd", "hon", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
                  "oct", "nov", "dec", "gov", "dept", "approx", "fig"}
_END = re.compile(r"[.!?][\"”»’)\]]*(?:\[\^\d+\])?(?=\s+\S)")
_BLOCKS = re.compile(r"\n[ \t]*\n|\n(?=[ \t]*(?:[-*+]|\d+[.)])[ \t])")


def sentences(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each sentence; list items and paragraphs always end one."""
    start = 0
    for block in [*_BLOCKS.finditer(text), None]:
        stop = block.start() if block else len(text)
        yield from _split(text, start, stop)
        start = block.end() if block else len(text)


def _split(text: str, start: int, stop: int) -> Iterator[tuple[int, int]]:
    begin = start
    for match in _END.finditer(text, start, stop):
        word = re.search(r"([\w.]+)$", text[begin:match.start()])
        token = word.group(1).lower() if word else ""
        following = text[match.end():stop].lstrip()[:1]
        initials = re.fullmatch(r"(?:[a-z]\.)*[a-z]", token) and match.group()[0] == "."
        if token in _ABBREVIATIONS or initials or (following and following.islower()):
            continue
        yield begin, match.end()
        begin = match.end()
    if text[begin:stop].strip():
        yield begin, stop


# Quotes ---------------------------------------------------------------------

_QUOTE = re.compile(r'"(?P<a>(?:[^"\n]|\n(?![ \t]*\n)){2,}?)"|“(?P<b>[^”]{2,}?)”|«\s*(?P<c>[^»]+?)\s*»')
_ELISION = re.compile(r"\s*(?:\[\s*(?:…|\.\.\.)\s*\]|…|\.\.\.)\s*")
_INSERTION = re.compile(r"\[[^\]]{1,40}\]")


def _normalise(text: str) -> str:
    text = text.replace("“", '"').replace("”", '"').replace("«", '"').replace("»", '"')
    text = text.replace("’", "'").replace("‘", "'").replace("\u00a0", " ")
    return re.sub(r"\s+", " ", text).strip()


def quote_pattern(quote: str) -> re.Pattern[str]:
    """A regex for a quote: fragments around elisions in order, [insertions] as short gaps."""
    quote = re.sub(r"[*_]{1,2}", "", _normalise(quote)).strip(" ,.;:")
    parts = []
    for fragment in (f for f in _ELISION.split(quote) if f.strip(" ,.;:")):
        fragment = fragment.strip(" ,;:")
        pieces = _INSERTION.split(fragment)
        escaped = ".{0,40}?".join(re.escape(p) for p in pieces)
        first = fragment[0]
        if first.isalpha():
            escaped = f"[{first.lower()}{first.upper()}]" + escaped[len(re.escape(first)):]
        parts.append(escaped)
    return re.compile(".*?".join(parts), re.S)


def quote_found(quote: str, record: SourceRecord) -> bool:
    pattern = quote_pattern(quote)
    return any(pattern.search(_normalise(text)) for text in _haystacks(record))


def _haystacks(record: SourceRecord) -> list[str]:
    return [record.text, *(q.text for q in record.quotes)]


def closest_passage(quote: str, record: SourceRecord) -> str:
    """The passage of the record most like the quote (for the message)."""
    target = _normalise(quote)
    best, best_ratio = "", 0.0
    for hay in _haystacks(record):
        hay = _normalise(hay)
        matcher = difflib.SequenceMatcher(None, hay, target, autojunk=False)
        match = matcher.find_longest_match(0, len(hay), 0, len(target))
        start = max(0, match.a - match.b)
        window = hay[start:start + len(target) + 10]
        ratio = difflib.SequenceMatcher(None, window, target).ratio()
        if ratio > best_ratio:
            best, best_ratio = window, ratio
    return best


# Figures, acronyms, passive voice ---------------------------------------------

_FIGURE = re.compile(
    r"\$\s?\d|\d[\d,.]*\s?(?:%|per\s?cent|percent|pour\s?cent)"
    r"|\b\d[\d,.]*\s(?:million|billion|trillion|milliards?|millions?)\b"
    r"|(?<![\w.,-])(?!(?:19|20)\d\d\b)\d{1,3}(?:,\d{3})+(?:\.\d+)?\b"
    r"|(?<![\w.,-])(?!(?:19|20)\d\d\b)\d{2,}(?:\.\d+)?\b(?![.,]?\d)", re.I)
_MONTH_DAY = re.compile(r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}\b"
                        r"|\b\d{1,2}\s+(?:January|February|March|April|May|June|July|August"
                        r"|September|October|November|December)|\b\d{1,2}:\d\d\b")
_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9]{1,}(?:s)?\b|\b(?:[A-Z]\.){2,}")
_PASSIVE = re.compile(r"\b(?:is|are|was|were|be|been|being)\s+(?:\w+ly\s+)?"
                      r"(?:\w+ed|known|shown|done|made|given|taken|seen|held|written|told|sent|"
                      r"found|brought|built|chosen|paid|kept|set|put)\b", re.I)


def figures_without_dates(sentence: str) -> list[re.Match[str]]:
    cleaned = _MONTH_DAY.sub(lambda m: " " * len(m.group()), sentence)
    return list(_FIGURE.finditer(cleaned))


class Checker:
    """Runs every enabled rule over one brief."""

    def __init__(self, ws: Workspace, path: Path) -> None:
        self.ws, self.path = ws, path
        self.shown = shown_path(path)
        self.brief, self.lines = read_brief(path)
        self.texts = list(_texts(self.brief, path))
        self.settings = ws.settings.check
        self.findings: list[Finding] = []
        self.raw = read_text(path).split("\n")

    def run(self) -> list[Finding]:
        cited = self.citations()
        self.quotes()
        self.figures()
        self.classification(cited)
        self.shape()
        self.plain_language()
        disabled = set(self.settings.disable)
        return sorted(f for f in self.findings if f.rule not in disabled and not self._ignored(f))

    def add(self, rule: str, message: str, text: Text | None = None, offset: int = 0,
            line: int | None = None) -> None:
        if text is not None:
            row, col = text.position(offset)
        else:
            row, col = line or 1, 1
        self.findings.append(Finding(self.shown, row, col, rule, message, text.field if text else ""))

    def _ignored(self, finding: Finding) -> bool:
        """``briefgen: ignore[rule]`` on the finding's line or on its field's key line."""
        key_line = self.lines.get(tuple(int(p) if p.isdigit() else p for p in finding.field.split(".")))
        for number in {finding.line, key_line} - {None}:
            for match in _IGNORE.finditer(self.raw[number - 1] if number - 1 < len(self.raw) else ""):
                rules = match["rules"]
                if rules is None or finding.rule in {r.strip() for r in rules.split(",")}:
                    return True
        return False

    # Rules --------------------------------------------------------------------

    def citations(self) -> dict[str, SourceRecord]:
        records = self.ws.records
        cited: dict[str, SourceRecord] = {}
        for text in self.texts:
            for start, _, cites in find_clusters(text.text):
                for cite in cites:
                    if cite.key not in records:
                        self.add("unknown-citation", unknown_key_message(cite.key, records), text, start)
                        continue
                    cited[cite.key] = records[cite.key]
                    self._locator(text, start, cite.key, cite.locator)
        for index, key in enumerate(self.brief.sources):
            line = self.lines.get(("sources", index))
            if key not in records:
                self.add("unknown-citation", unknown_key_message(key, records), line=line)
            elif key not in cited:
                self.add("unused-source", f"'{key}' is listed in sources: but never cited", line=line)
        return cited

    def _locator(self, text: Text, offset: int, key: str, locator: str | None) -> None:
        pages = self.ws.records[key].pages
        if not locator or not pages:
            return
        numbers = [int(n) for n in re.findall(r"\d+", locator)]
        if re.match(r"(?:pp?\.|pages?|p)\s*\d", locator) and any(n > pages for n in numbers):
            self.add("locator-out-of-range",
                     f"'{locator}' is beyond '{key}', which has {pages} page(s)", text, offset)

    def quotes(self) -> None:
        for text in self.texts:
            clusters = find_clusters(text.text)
            for start, end in sentences(text.text):
                for match in _QUOTE.finditer(text.text, start, end):
                    keys = [c.key for s, _, cs in clusters if match.end() <= s < end for c in cs]
                    self._verify(text, match, [k for k in keys if k in self.ws.records])

    def _verify(self, text: Text, match: re.Match[str], keys: list[str]) -> None:
        quote = match["a"] or match["b"] or match["c"]
        if not keys or not quote_pattern(quote).pattern.strip():
            return
        records = [self.ws.records[k] for k in keys]
        if any(quote_found(quote, record) for record in records):
            return
        nearest = closest_passage(quote, records[0])
        self.add("misquote", f"“{quote}” is not in {', '.join(repr(k) for k in keys)}; "
                             f"closest passage: “{nearest}”", text, match.start())

    def figures(self) -> None:
        for text in self.texts:
            clusters = find_clusters(text.text)
            for start, end in sentences(text.text):
                if any(start <= s < end for s, _, _ in clusters):
                    continue
                found = figures_without_dates(text.text[start:end])
                if found:
                    self.add("uncited-figure", f"'{found[0].group().strip()}' has no citation in "
                             "its sentence", text, start + found[0].start())

    def classification(self, cited: dict[str, SourceRecord]) -> None:
        from .note import _classify

        listed = {k: self.ws.records[k] for k in self.brief.sources if k in self.ws.records}
        try:
            _classify(self.ws, self.brief, self.path, self.lines, {**cited, **listed})
        except BriefgenError as err:
            self.add("classification", err.message, line=err.line)

    def shape(self) -> None:
        s, brief = self.settings, self.brief
        points = brief.talking_points
        if len(points) > s.talking_points_max:
            self.add("talking-points-count", f"{len(points)} talking points; "
                     f"keep to {s.talking_points_max} or fewer", line=self.lines.get(("talking_points",)))
        for text in self.texts:
            words = _words(text.text)
            if text.field.startswith("talking_points.") and words > s.words_per_point:
                self.add("talking-point-length", f"{words} words; keep a point to "
                         f"{s.words_per_point}", text)
            if text.field == "summary" and words > s.summary_words:
                self.add("summary-length", f"{words} words; keep the summary to {s.summary_words}", text)
        budget = s.pages.get(brief.type)
        pages = estimate_pages(brief)
        if budget and pages > budget:
            self.add("page-budget", f"about {pages:.1f} pages; a {brief.type} should fit on "
                     f"{budget:g}", line=1)

    def plain_language(self) -> None:
        allowed = set(self.settings.acronyms)
        seen: set[str] = set()
        lang = self.brief.lang or self.ws.settings.language
        for text in self.texts:
            self._sentences_and_spaces(text)
            for match in _PASSIVE.finditer(_strip_code(text.text, quotes=True)):
                self.add("passive-voice", f"'{match.group()}' is passive; say who does what", text,
                         match.start())
            if lang == "fr" and (m := re.search(r"[\"']", _strip_code(text.text))):
                self.add("straight-quotes", "use « » and ’ in French text", text, m.start())
            self._acronyms(text, allowed, seen)

    def _sentences_and_spaces(self, text: Text) -> None:
        for start, end in sentences(text.text):
            words = _words(text.text[start:end])
            if words > self.settings.sentence_words:
                self.add("long-sentence", f"{words} words; split sentences over "
                         f"{self.settings.sentence_words}", text, start)
        for match in re.finditer(r"(?<=\S)  +(?=\S)", text.text):
            self.add("double-space", "two spaces in a row", text, match.start())

    def _acronyms(self, text: Text, allowed: set[str], seen: set[str]) -> None:
        plain = _strip_code(text.text, quotes=True)
        for match in _ACRONYM.finditer(plain):
            word = match.group()
            base = word[:-1] if word.endswith("s") and word[:-1].isupper() else word
            if base in allowed or base in seen:
                continue
            seen.add(base)
            defined = plain[max(0, match.start() - 1):match.start()] == "(" and \
                plain[match.end():match.end() + 1] == ")"
            if not defined:
                self.add("acronym", f"spell out '{base}' on first use, e.g. 'Full Name ({base})'",
                         text, match.start())


def _strip_code(text: str, quotes: bool = False) -> str:
    """Citations, links and code (and quotations, which are someone else's words)
    replaced by spaces, keeping offsets."""
    blank = lambda m: " " * len(m.group())  # noqa: E731
    text = re.sub(r"\[[^\]]*@[^\]]*\]|`[^`]*`|\]\([^)]*\)|<[^>]+>", blank, text)
    return _QUOTE.sub(blank, text) if quotes else text


def _words(text: str) -> int:
    return len(re.findall(r"[\w’'-]+", _strip_code(text)))


def estimate_pages(brief: Brief) -> float:
    """A rough page count: 500 words a page, plus the header block and a line per section."""
    words = sum(_words(getattr(brief, f) or "") for f in TEXT_FIELDS[:6])
    words += sum(_words(p) + 3 for p in brief.talking_points)
    words += sum(_words(" ".join([o.title, *o.pros, *o.cons])) for o in brief.options)
    sections = sum(1 for f in TEXT_FIELDS[:6] if getattr(brief, f))
    return (words + 150 + 25 * sections) / 500


def check_brief(ws: Workspace, path: Path) -> list[Finding]:
    return Checker(ws, path).run()


def check_all(ws: Workspace, paths: list[Path]) -> list[Finding]:
    return [finding for path in paths for finding in check_brief(ws, path)]


def summary(findings: list[Finding], briefs: int) -> str:
    errors = sum(f.severity == ERROR for f in findings)
    warnings = len(findings) - errors
    where = f"in {briefs} brief{'s' * (briefs != 1)}"
    if not findings:
        return f"no problems {where}"
    return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)} {where}"


def as_json(findings: list[Finding]) -> str:
    import json

    return json.dumps([f.as_dict() for f in findings], ensure_ascii=False, indent=2)
