"""Quality gates: no uncited claim, no misquote, no classification leak.

``check_brief`` reads one brief against the library and returns findings,
each with a rule id, a severity and the file:line:col of the text it is about.
The rules are listed in ``RULES`` and documented in docs/checks.md.
"""
from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from briefgen.disclosure.rows import formula_cells
from briefgen.errors import ClassificationError, InputError, shown_path
from briefgen.models import Brief, SourceRecord
from briefgen.note import check_a11y
from briefgen.note.citations import CLUSTER, Cite, find_clusters, unknown_key_message
from briefgen.note.composer import classify, note_citations
from briefgen.note.notetypes import message_count
from briefgen.note.positions import Loc, Point, Text, layout, markdown_layout, texts
from briefgen.note.quotes import QUOTE, quote_found, quote_pattern, spaces, windows
from briefgen.note.sentences import sentences
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
        self.texts = list(texts(self.brief, self.where, self.lines))
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
        for match in QUOTE.finditer(_strip_code(text.text)):
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
                               for ratio, window in windows(quote, record)), default=(0.0, "", keys[0]))
        hint = (f"closest passage: “{nearest}”" if nearest
                else "the record has no text: or quotes: to check against")
        where = f"'{key}' ({self.ws.record_path(key)})"
        self.add("misquote", f"“{spaces(quote)}” is not in {where}; {hint}", text, offset)

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
        counted = message_count(self.ws, brief)
        if counted:
            self.add(*counted, loc=("key_messages",))
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
    return QUOTE.sub(blank, text) if quotes else text


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
