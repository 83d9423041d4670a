"""Quality gates: no uncited claim, no misquote, no classification leak.

``check_brief`` reads one brief against the library and returns findings,
each with a rule id, a severity and the file:line:col of the text it is about.
The rules are listed in ``RULES`` and documented in docs/checks.md.
"""
from __future__ import annotations

import bisect
import difflib
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from briefgen import yamllimits
from briefgen.briefs import markdown as md_brief
from briefgen.disclosure.rows import formula_cells
from briefgen.errors import ClassificationError, InputError, shown_path
from briefgen.models import Brief, SourceRecord
from briefgen.note import check_a11y
from briefgen.note.citations import CLUSTER, Cite, find_clusters, unknown_key_message
from briefgen.note.composer import classify, note_citations, text_fields
from briefgen.note.language import unwrap
from briefgen.readers import read_brief, read_text
from briefgen.workspace import SETTINGS_FILE, Workspace

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
    "spreadsheet-formula": (WARNING, "a text the disclosure export publishes starts like a "
                                     "spreadsheet formula"),
    **check_a11y.RULES,
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
        return {"file": self.file, "line": self.line, "col": self.col, "rule": self.rule,
                "severity": self.severity, "message": self.message, "field": self.field}

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.severity}[{self.rule}]: {self.message}"


# Where things are in the YAML file ------------------------------------------------

Point = tuple[int, int]
Loc = tuple[Any, ...]
Markers = dict[int, frozenset[str] | None]  # line → rules ignored there (None: all)


@dataclass(frozen=True)
class Span:
    """Where a scalar's value sits in the file, to find the line and column of any character."""

    value: str
    source: str
    begin: int
    end: int
    starts: list[int]  # where each line of the file starts

    @cached_property
    def indices(self) -> list[int]:
        return _align(self.value, self.source, self.begin, self.end)

    def point(self, offset: int) -> Point:
        return _line_col(self.starts, self.indices[min(max(offset, 0), len(self.indices) - 1)])


@dataclass(frozen=True)
class Text:
    """One text of a brief and where it is: its span, or else its key's line."""

    field: str
    text: str
    span: Span | None
    line: int = 1

    def position(self, offset: int) -> Point:
        return self.span.point(offset) if self.span else (self.line, 1)


@dataclass(frozen=True)
class Layout:
    """A YAML file's scalars and its ``briefgen: ignore`` comments."""

    spans: dict[Loc, Span]
    markers: Markers


def layout(text: str) -> Layout:
    try:
        root = yamllimits.compose(text)     # libyaml's marks count characters too
    except (yaml.YAMLError, InputError):
        return Layout({}, {})  # not YAML (a JSON brief PyYAML cannot read): key lines only
    starts = [0, *(i + 1 for i, c in enumerate(text) if c == "\n")]
    spans = {loc: Span(node.value, text, _content_start(text, node), node.end_mark.index, starts)
             for loc, node in _scalars(root, ())}
    return Layout(spans, _markers(text, [(s.begin, s.end) for s in spans.values()], starts))


def markdown_layout(text: str, brief: Brief) -> Layout:
    """A .md brief's texts (found by its own reader) and its ``<!-- briefgen: ignore -->`` comments."""
    parsed = md_brief.parse(text, {"type": brief.type, "lang": brief.lang})
    starts = [0, *(i + 1 for i, c in enumerate(text) if c == "\n")]
    values = dict(text_fields(brief))
    spans = {loc: Span(values[loc], text, begin, end, starts)
             for loc, (begin, end) in parsed.spans.items() if loc in values}
    return Layout(spans, md_brief.ignore_markers(text))


def _scalars(node: yaml.Node | None, loc: Loc) -> Iterator[tuple[Loc, yaml.ScalarNode]]:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield from _scalars(value, loc + (key.value,))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _scalars(item, loc + (index,))
    elif isinstance(node, yaml.ScalarNode):
        yield loc, node


def _content_start(text: str, node: yaml.ScalarNode) -> int:
    """A block scalar's text starts on the line after its ``|``/``>`` header (and comment)."""
    start = node.start_mark.index
    if node.style in ("|", ">"):
        newline = text.find("\n", start)
        return len(text) if newline < 0 else newline + 1
    return start


def _align(value: str, text: str, begin: int, end: int) -> list[int]:
    """The index in ``text`` of each character of a scalar's value, plus one for its end.

    Greedy: YAML only drops indentation, quotes and escapes, and folds line
    breaks into spaces, so each character is found a few characters on.
    """
    indices, i = [], begin
    for char in value:
        j = _next(text, char, i, end)
        indices.append(i if j is None else j)
        i = i if j is None else j + 1
    indices.append(min(i, max(end, begin)))
    return indices


def _next(text: str, char: str, i: int, end: int) -> int | None:
    skipped = 0
    for j in range(i, end):
        found = text[j]
        if found == char or (char == " " and found == "\n"):
            return j
        if not found.isspace():
            skipped += 1
            if skipped > 8:
                return None
    return None


def _line_col(starts: list[int], index: int) -> Point:
    row = bisect.bisect_right(starts, index)
    return row, index - starts[row - 1] + 1


def _markers(text: str, spans: list[tuple[int, int]], starts: list[int]) -> Markers:
    """``# briefgen: ignore[rule, ...]`` comments by line; the same words inside a text don't count."""
    markers: Markers = {}
    spans = sorted(spans)
    begins = [begin for begin, _ in spans]
    for match in _IGNORE.finditer(text):
        line = _line_col(starts, match.start())[0]
        i = bisect.bisect_right(begins, match.start()) - 1        # the text it may be inside
        in_text = i >= 0 and match.start() < spans[i][1]
        if in_text or "#" not in text[starts[line - 1]:match.start()]:
            continue
        rules = None if match["rules"] is None else frozenset(
            r.strip() for r in match["rules"].split(",") if r.strip())
        before = markers.get(line, frozenset())
        markers[line] = None if rules is None or before is None else before | rules
    return markers


# Header-block, signature and scheduling texts: names, titles and times, not claims.
_NOT_PROSE = {"to", "from", "subject", "prepared_by", "approved_by", "spokesperson",
              "attachments", "consultations", "event", "agenda", "logistics"}


def _texts(brief: Brief, where: Layout, lines: dict[Loc, int]) -> Iterator[Text]:
    """Every staff-written text field with the position of each character."""
    def make(loc: Loc, value: str) -> Text:
        return Text(".".join(map(str, loc)), value, where.spans.get(loc), lines.get(loc, 1))

    for loc, value in text_fields(brief):
        if loc[0] not in _NOT_PROSE and loc[-1] not in ("name", "title"):
            yield make(loc, value)


# Sentences ------------------------------------------------------------------

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


# Quotes ---------------------------------------------------------------------

# "straight" (not across a blank line), “curly” or « French » quotation marks.
_QUOTE = re.compile(r'"(?P<a>(?:[^"\n]|\n(?![ \t]*\n)){2,}?)"'
                    r"|“(?P<b>[^“”]{2,})”|«\s*(?P<c>[^«»]+?)\s*»")
_ELISION = re.compile(r"\s*(?:\[\s*(?:…|\.\.\.)\s*\]|…|\.\.\.)\s*")
_INSERTION = re.compile(r"\[[^\]]{1,40}\]")
_QUOTE_MARKS = re.compile(r"«\s*|\s*»|[\"“”‘’`]")


def _normalise(text: str) -> str:
    """Every kind of quotation mark and apostrophe as ``'``; runs of whitespace as one space."""
    return _spaces(_QUOTE_MARKS.sub("'", text))


def _spaces(text: str) -> str:
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


def _windows(quote: str, record: SourceRecord) -> Iterator[tuple[float, str]]:
    target = _spaces(quote)
    for hay in map(_spaces, _haystacks(record)):
        match = difflib.SequenceMatcher(None, hay, target, autojunk=False).find_longest_match()
        start = max(0, match.a - match.b)
        start = hay.rfind(" ", 0, start + 1) + 1
        end = hay.find(" ", start + len(target))
        window = hay[start:end if end >= 0 else len(hay)].rstrip(" ,.;:")
        yield difflib.SequenceMatcher(None, window, target).ratio(), window


# Figures, acronyms, passive voice ---------------------------------------------

_NOT_YEAR = r"(?<![\w.,-])(?!(?:19|20)\d\d\b)"
# Runs of digits are bounded ({0,20}): an unbounded run would be scanned again from each digit.
_FIGURE = re.compile(
    r"(?:\$\s?|\b)\d[\d,.]{0,20}+\s(?:million|billion|trillion|milliards?|millions?)\b"
    r"|\$\s?\d[\d,.]*\d|\$\s?\d|\d[\d,.]{0,20}+\s?(?:%|\$|per\s?cent\b|percent\b|pour\s?cent\b)"
    rf"|{_NOT_YEAR}\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?\b"
    r"|(?<![\w.,-])\d+\.\d+\b(?![.,]?\d)"
    rf"|{_NOT_YEAR}\d{{2,}}\b(?![.,]?\d)", re.I)
_MONTHS = (r"January|February|March|April|May|June|July|August|September|October|November"
           r"|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec")
_MOIS = r"janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
_DATE = re.compile(rf"\b(?:{_MONTHS})\.?\s+\d{{1,2}}\b"
                   rf"|\b\d{{1,2}}(?:er)?\s+(?:{_MONTHS}|{_MOIS})\b|\b\d{{1,2}}:\d\d\b")
# "PS-2025-0142" and "COVID-19" are codes and names, not acronyms to spell out.
_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9]{1,}(?:s)?\b(?!-\d)|\b(?:[A-Z]\.){2,}")
_PARENTHESES_AFTER = re.compile(r"\s*\(([^()]*)\)")
_LETTERS = re.compile(r"[^\W\d_]{2,}")
_NOT_PARTICIPLE = ("indeed", "need", "proceed", "exceed", "succeed", "speed", "seed", "heed",
                   "greed", "breed", "bleed", "red", "bed", "hundred", "sacred", "naked", "wicked")
_PASSIVE = re.compile(r"\b(?:is|are|was|were|be|been|being)\s+(?:\w+ly\s+)?"
                      rf"(?!(?:{'|'.join(_NOT_PARTICIPLE)})\b)"
                      r"(?:\w+ed|known|shown|done|made|given|taken|seen|held|written|told|sent|"
                      r"found|brought|built|chosen|paid|kept|set|put)\b", re.I)


def figures_without_dates(sentence: str) -> list[re.Match[str]]:
    """Figures in a sentence: amounts, percentages, numbers of 10 and more; not dates or years."""
    cleaned = _DATE.sub(lambda m: " " * len(m.group()), _strip_code(sentence))
    return list(_FIGURE.finditer(cleaned))


class Checker:
    """Runs every enabled rule over one brief."""

    def __init__(self, ws: Workspace, path: Path) -> None:
        self.ws, self.path = ws, path
        self.shown = shown_path(path)
        self.brief, self.lines = read_brief(path)
        raw = read_text(path)
        self.where = layout(raw) if path.suffix.lower() != ".md" else markdown_layout(raw, self.brief)
        self.texts = list(_texts(self.brief, self.where, self.lines))
        self.settings = ws.settings.check
        self.findings: list[Finding] = []
        _known_rules(self.settings.disable, ws.root / SETTINGS_FILE, None)
        for line, rules in self.where.markers.items():
            _known_rules(rules or (), path, line)

    def run(self) -> list[Finding]:
        template, in_note, unknown = note_citations(self.ws, self.path)   # the note as built
        cited = self.citations(in_note)
        self.quotes()
        self.figures()
        self.classification(cited, template, in_note, unknown)
        self.shape()
        self.plain_language()
        self.spreadsheet_formulas()
        for rule, message, text, offset in check_a11y.findings(self.texts):
            self.add(rule, message, text, offset)
        disabled = set(self.settings.disable)
        return sorted(f for f in self.findings if f.rule not in disabled and not self._ignored(f))

    def add(self, rule: str, message: str, text: Text | None = None, offset: int = 0,
            loc: Loc = ()) -> None:
        """A finding at a character of a text, or at the value (else the key) of ``loc``."""
        if text is not None:
            (line, col), field = text.position(offset), text.field
        else:
            line, col = self._at(loc)
            field = ".".join(map(str, loc))
        self.findings.append(Finding(self.shown, line, col, rule, message, field))

    def _at(self, loc: Loc) -> Point:
        return Text("", "", self.where.spans.get(loc), self.lines.get(loc, 1)).position(0)

    def _ignored(self, finding: Finding) -> bool:
        """``# briefgen: ignore[rule]`` on the finding's line or on its field's (or a parent's) key line."""
        loc = tuple(int(p) if p.isdigit() else p for p in finding.field.split(".")) if finding.field else ()
        lines = {finding.line, *(self.lines.get(loc[:n]) for n in range(1, len(loc) + 1))} - {None}
        for line in lines:
            if line in self.where.markers:
                rules = self.where.markers[line]
                if rules is None or finding.rule in rules:
                    return True
        return False

    # Rules --------------------------------------------------------------------

    def citations(self, in_note: dict[str, SourceRecord]) -> dict[str, SourceRecord]:
        records = self.ws.records
        cited: dict[str, SourceRecord] = {}
        for text in self.texts:
            for start, _, cites in _clusters(text.text):
                for cite in cites:
                    if cite.key not in records:
                        self.add("unknown-citation", unknown_key_message(cite.key, records), text, start)
                        continue
                    cited[cite.key] = records[cite.key]
                    self._locator(text, start, cite)
        for index, key in enumerate(self.brief.sources):
            if key not in records:
                self.add("unknown-citation", unknown_key_message(key, records), loc=("sources", index))
            elif key not in cited and key not in in_note:    # its template may cite it
                self.add("unused-source", f"'{key}' is listed in sources: but never cited; "
                         "cite it or remove it from the list", loc=("sources", index))
        return cited

    def _locator(self, text: Text, offset: int, cite: Cite) -> None:
        pages = self.ws.records[cite.key].pages
        match = re.match(r"(?:pp?\.?|pages?)\s*(\d[\d\s,–-]*)", cite.locator or "", re.I)
        if not pages or not match:
            return
        if any(int(n) > pages for n in re.findall(r"\d+", match.group(1))):
            self.add("locator-out-of-range", f"'{cite.locator}' is beyond '{cite.key}', "
                     f"which has {pages} page{'s' * (pages != 1)}", text, offset)

    def quotes(self) -> None:
        for text in self.texts:
            for offset, quote, keys in self._cited_quotes(text):
                self._verify(text, offset, quote, keys)

    def _cited_quotes(self, text: Text) -> Iterator[tuple[int, str, list[str]]]:
        """Each quotation, with the known keys of the first citation after it in its sentence."""
        spans = list(sentences(text.text))
        starts = [s for s, _ in spans]
        clusters = _clusters(text.text)
        opens = [s for s, _, _ in clusters]
        for match in _QUOTE.finditer(_strip_code(text.text)):
            i = bisect.bisect_right(starts, match.end() - 1) - 1   # the sentence it ends in
            end = spans[i][1] if i >= 0 and match.end() - 1 < spans[i][1] else len(text.text)
            j = bisect.bisect_left(opens, match.end())              # the first cluster after it
            cites = clusters[j][2] if j < len(clusters) and opens[j] < end else ()
            group = next(g for g in "abc" if match[g])
            quote = text.text[match.start(group):match.end(group)]
            yield match.start(), quote, [c.key for c in cites if c.key in self.ws.records]

    def _verify(self, text: Text, offset: int, quote: str, keys: list[str]) -> None:
        records = {key: self.ws.records[key] for key in keys}
        if not records or not quote_pattern(quote).pattern:
            return
        if any(quote_found(quote, record) for record in records.values()):
            return
        _, nearest, key = max(((ratio, window, key) for key, record in records.items()
                               for ratio, window in _windows(quote, record)), default=(0.0, "", keys[0]))
        hint = (f"closest passage: “{nearest}”" if nearest
                else "the record has no text: or quotes: to check against")
        where = f"'{key}' ({self.ws.record_path(key)})"
        self.add("misquote", f"“{_spaces(quote)}” is not in {where}; {hint}", text, offset)

    def figures(self) -> None:
        for text in self.texts:
            opens = [s for s, _, _ in _clusters(text.text)]
            for start, end in sentences(text.text):
                first = bisect.bisect_left(opens, start)
                if first < len(opens) and opens[first] < end:
                    continue                        # a citation in the sentence
                found = figures_without_dates(text.text[start:end])
                if found:
                    self.add("uncited-figure", f"'{found[0].group().strip()}' has no citation in "
                             "its sentence", text, start + found[0].start())

    def classification(self, cited: dict[str, SourceRecord], template: Path,
                       in_note: dict[str, SourceRecord], unknown: list[str]) -> None:
        """Judged on the note as built: what its template cites counts as much as the brief."""
        records = self.ws.records
        listed = {k: records[k] for k in self.brief.sources if k in records}
        for key in unknown:
            self.add("unknown-citation", f"template {shown_path(template)}: "
                     f"{unknown_key_message(key, records)}", loc=("type",))
        try:
            classify(self.ws, self.brief, self.path, self.lines, {**cited, **listed, **in_note},
                     via={key: template for key in in_note if key not in cited})
        except ClassificationError as err:
            self.add("classification", err.message, loc=("classification",))

    def shape(self) -> None:
        s, brief = self.settings, self.brief
        if len(brief.talking_points) > s.talking_points_max:
            self.add("talking-points-count", f"{len(brief.talking_points)} talking points; "
                     f"keep to {s.talking_points_max} or fewer", loc=("talking_points",))
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
                     f"{budget:g}", loc=("type",))

    def spreadsheet_formulas(self) -> None:
        lang = self.brief.lang or self.ws.settings.language
        for field, text in formula_cells(self.brief, lang):
            self.add("spreadsheet-formula", f"starts with {text[0]!r}: a spreadsheet opening the "
                     "disclosure CSV would run it as a formula; start with a letter or a digit "
                     "(the portal publishes the text as written)", loc=(field,))

    def plain_language(self) -> None:
        allowed = set(self.settings.acronyms)
        seen: set[str] = set()
        lang = self.brief.lang or self.ws.settings.language
        for text in self.texts:
            self._sentences_and_spaces(text)
            if lang == "en":
                for match in _PASSIVE.finditer(_strip_code(text.text, quotes=True)):
                    self.add("passive-voice", f"'{match.group()}' is passive; say who does what",
                             text, match.start())
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
        shouted = check_a11y.capital_runs(plain)       # all-caps reports those words
        for match in _ACRONYM.finditer(plain):
            if any(start <= match.start() < end for start, end in shouted):
                continue
            word = match.group()
            base = word[:-1] if word.endswith("s") and word[:-1].isupper() else word
            if base in allowed or base in seen:
                continue
            seen.add(base)
            if not _spelled_out(plain, match):
                self.add("acronym", f"spell out '{base}' on first use, e.g. 'Full Name ({base})'",
                         text, match.start())


def _known_rules(rules: Any, path: Path, line: int | None) -> None:
    unknown = sorted(set(rules) - set(RULES))
    if unknown:
        raise InputError(f"unknown check rule {', '.join(map(repr, unknown))}; rules are: "
                         f"{', '.join(RULES)}", file=path, line=line)


def _spelled_out(plain: str, match: re.Match[str]) -> bool:
    """``Full Name (ABC)`` or ``ABC (Full Name)``."""
    before, after = plain[match.start() - 1:match.start()], plain[match.end():match.end() + 1]
    return (before, after) == ("(", ")") or _words_after(plain, match.end())


def _words_after(plain: str, end: int) -> bool:
    """``(...)`` right after ``end`` holding two words of two letters or more: found with
    one pass over the parentheses (a single regex for it backtracks without end)."""
    inside = _PARENTHESES_AFTER.match(plain, end)
    words = [m.span() for m in _LETTERS.finditer(inside.group(1))] if inside else []
    if not words:
        return False
    return any(c.isspace() for c in inside.group(1)[words[0][0] + 2:words[-1][1] - 2])


# Each part stops at the next opening mark, so that unclosed ones cost no rescans.
_CODE_LIKE = re.compile(rf"{CLUSTER}|`[^`]*`|\]\([^()]*\)|<[^<>]+>")


@functools.lru_cache(maxsize=16)
def _clusters(text: str) -> tuple[tuple[int, int, tuple[Cite, ...]], ...]:
    """The citation clusters of a text, found once although several rules ask."""
    return tuple(find_clusters(text))


@functools.lru_cache(maxsize=16)
def _strip_code(text: str, quotes: bool = False) -> str:
    """Citations, links and code (and quotations, which are someone else's words)
    replaced by spaces, keeping offsets (once per text: several rules ask)."""
    blank = lambda m: " " * len(m.group())  # noqa: E731
    text = _CODE_LIKE.sub(blank, text)
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
