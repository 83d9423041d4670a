"""briefgen check: every rule fires on what it is about, and keeps quiet on near misses.

Each brief is written into a copy of tests/fixtures/workspace plus the records
of tests/fixtures/check/sources (speech, secret-memo, discours, figures-only).
Positions are asserted against the text they should point at.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from briefgen.builder import build
from briefgen.cli import main
from briefgen.errors import ChecksFailed, InputError
from briefgen.note import check_a11y
from briefgen.note.check import RULES, Finding, check_all, check_brief
from briefgen.note.sentences import sentences
from briefgen.workspace import Workspace

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parent.parent
HEAD = "subject: Test\ndate: 2025-04-10\n"


@pytest.fixture
def ws(workspace: Path) -> Path:
    for record in (FIXTURES / "check" / "sources").iterdir():
        shutil.copy(record, workspace / "sources" / record.name)
    return workspace


def write(ws: Path, body: str, name: str = "t.yaml") -> Path:
    path = ws / "briefs" / name
    path.write_text(HEAD + body, encoding="utf-8")
    return path


def check(ws: Path, body: str) -> tuple[list[Finding], Path]:
    path = write(ws, body)
    return check_brief(Workspace(ws), path), path


def only(findings: list[Finding], rule: str) -> list[Finding]:
    return [f for f in findings if f.rule == rule]


def at(path: Path, needle: str, nth: int = 0) -> tuple[int, int]:
    """(line, col) of the nth occurrence of ``needle`` in the file, 1-based."""
    text = path.read_text(encoding="utf-8")
    index = -1
    for _ in range(nth + 1):
        index = text.index(needle, index + 1)
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


def where(finding: Finding) -> tuple[int, int]:
    return finding.line, finding.col


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "briefgen", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


# Citations -----------------------------------------------------------------------


def test_unknown_citation_in_text_and_in_sources(ws: Path) -> None:
    findings, path = check(ws, "summary: |\n  Officials met [@speach].\nsources: [speech, nope]\n")
    text, listed = only(findings, "unknown-citation")
    assert where(text) == at(path, "[@speach]") and text.field == "summary"
    assert "'@speach'" in text.message and "did you mean 'speech'" in text.message
    assert where(listed) == at(path, "nope") and listed.field == "sources.1"
    assert listed.severity == "error"


def test_not_citations_are_not_checked(ws: Path) -> None:
    findings, _ = check(ws, "summary: |\n  Write to minister@example.org; \\[@speach] and `[@nope]`\n"
                            "  stay literal [@speech].\n")
    assert only(findings, "unknown-citation") == []


def test_unused_source_points_at_the_listed_key(ws: Path) -> None:
    findings, path = check(ws, "summary: |\n  Officials met [@speech].\n"
                               "sources:\n  - speech\n  - news-article\n")
    (unused,) = only(findings, "unused-source")
    assert where(unused) == at(path, "news-article") and unused.severity == "warning"
    assert "'news-article' is listed in sources: but never cited" in unused.message


def test_listed_source_cited_in_a_talking_point_is_used(ws: Path) -> None:
    findings, _ = check(ws, "summary: Officials met [@speech].\n"
                            "talking_points:\n  - We talk [@news-article].\nsources: [speech, news-article]\n")
    assert only(findings, "unused-source") == []


@pytest.mark.parametrize("locator", ["p. 6", "pp. 4-7", "page 9", "p. 2, 8"])
def test_locator_beyond_the_record_pages(ws: Path, locator: str) -> None:
    findings, path = check(ws, f"summary: |\n  Officials met [@speech, {locator}].\n")
    (found,) = only(findings, "locator-out-of-range")
    assert where(found) == at(path, "[@speech")
    assert found.message == f"'{locator}' is beyond 'speech', which has 5 pages"


@pytest.mark.parametrize("cite", ["@speech, p. 5", "@speech, pp. 1-5", "@speech, p. 4, para 12",
                                  "@speech, para. 9", "@news-article, p. 99", "@speech"])
def test_locator_near_misses(ws: Path, cite: str) -> None:
    findings, _ = check(ws, f"summary: |\n  Officials met [{cite}].\n")
    assert only(findings, "locator-out-of-range") == []


# Quotes --------------------------------------------------------------------------

GOOD_QUOTES = [
    'She said "We deliver on our promises to Canadians" [@speech].',            # straight
    "She said “We deliver on our promises to Canadians” [@speech].",            # curly
    "She said that “we deliver on our promises” [@speech].",                    # first letter
    "“Provinces are concerned about the impacts … on their respective jurisdictions” [@speech].",
    '"Provinces are concerned ... their respective jurisdictions" [@speech].',
    '"Provinces are concerned […] jurisdictions," she said [@speech].',
    '"Provinces are concerned [...] jurisdictions" [@speech].',
    "She said “[It's] the best border in the world” [@speech].",              # insertion
    "She said “[We deliver on our promises]{lang=en}” [@speech].",             # language span
    "She said “it is [sic] the best border” [@speech].",                       # insertion, no gap
    "“It's a \"shared\" border” [@speech].",                                    # ’ and “ ” in the record
    '"Our officers are working around the clock" [@speech].',                  # in quotes:, not text:
    "“Provinces are concerned … the impacts of U.S. enforcement … respective” [@speech].",
    '"We act. We deliver on our promises," she said [@speech].',               # two sentences
    'She said "we will keep working together" [@speech; @news-article].',      # either record
    '"We act" [@speech] and "keep working together" [@news-article].',         # the nearest citation
    "Le ministre a dit « nous agissons » [@discours].",                         # French
    "« Les provinces s’inquiètent des répercussions » [@discours].",
    'Officials called it "a total fabrication". Later [@speech].',             # no citation: not checked
    'According to [@speech], she said "made-up words".',                       # citation before: not checked
    'She said "made-up words" [@nope].',                                       # unknown record: its own rule
    "Code `\"made-up words\" [@speech]` is not text.",
]


@pytest.mark.parametrize("sentence", GOOD_QUOTES)
def test_correct_or_unchecked_quotes_pass(ws: Path, sentence: str) -> None:
    findings, _ = check(ws, f"background: |\n  {sentence}\n")
    assert only(findings, "misquote") == []


BAD_QUOTES = [
    # (sentence, quote shown, closest passage shown)
    ('She said "We deliver on our premises to Canadians" [@speech].',
     "We deliver on our premises to Canadians", "We deliver on our promises to Canadians"),
    ("“their respective jurisdictions … Provinces are concerned” [@speech].",  # out of order
     "their respective jurisdictions … Provinces are concerned", "their respective jurisdictions"),
    ('"We act. We fail," she said [@speech].', "We act. We fail,", "We act. We deliver"),
    ('She said "keep working together" [@speech] and more [@news-article].',  # nearest citation only
     "keep working together", None),
    ("Il a dit « nous agissions » [@discours].", "nous agissions", "Nous agissons"),
]


@pytest.mark.parametrize(("sentence", "quote", "closest"), BAD_QUOTES)
def test_misquotes_fail_and_show_the_closest_passage(ws: Path, sentence: str, quote: str,
                                                    closest: str | None) -> None:
    findings, path = check(ws, f"background: |\n  {sentence}\n")
    (found,) = only(findings, "misquote")
    opening = next(q for q in ('"', "“", "«") if q in sentence)
    assert where(found) == at(path, opening) and found.field == "background"
    assert found.severity == "error"
    assert f"“{quote}” is not in '" in found.message
    assert "(sources/" in found.message  # names the record's file
    if closest:
        assert f"closest passage: “{closest}" in found.message


def test_one_word_change_fails(ws: Path) -> None:
    findings, _ = check(ws, 'background: |\n  "Our officers are working around the clock" [@speech].\n'
                            '  "Our officers are working around the calendar" [@speech].\n')
    (found,) = only(findings, "misquote")
    assert found.line == 5
    assert "“Our officers are working around the calendar” is not in 'speech' (sources/speech.yaml)" \
        in found.message
    assert "closest passage: “Our officers are working around the clock" in found.message


def test_misquote_of_a_record_without_text(ws: Path) -> None:
    findings, _ = check(ws, 'background: |\n  It said "apprehensions rose" [@figures-only].\n')
    (found,) = only(findings, "misquote")
    assert "has no text: or quotes: to check against" in found.message


def test_misquote_position_in_a_folded_talking_point(ws: Path) -> None:
    body = ("talking_points:\n  - >-\n    The minister said on the second line of this point\n"
            "    that \"we deliver on time\" [@speech].\n")
    findings, path = check(ws, body)
    (found,) = only(findings, "misquote")
    assert where(found) == at(path, '"we deliver') and found.field == "talking_points.0"


# Figures -------------------------------------------------------------------------

@pytest.mark.parametrize(("sentence", "figure"), [
    ("Seizures rose 25% last year.", "25%"),
    ("Seizures rose 3 per cent last year.", "3 per cent"),
    ("Seizures rose 3 percent last year.", "3 percent"),
    ("Canada spent $1.3 billion on the border.", "$1.3 billion"),
    ("Canada spent $400 on the border.", "$400"),
    ("About 1,000 officers work there.", "1,000"),
    ("About 12 million people cross.", "12 million"),
    ("There are 15 officers at the post.", "15"),
    ("The rate is 1.5 times higher.", "1.5"),
    ("On Nov. 25, 2024 the rate rose 40%.", "40%"),
    ("Le taux a augmenté de 25 % en 2024.", "25 %"),
])
def test_uncited_figures(ws: Path, sentence: str, figure: str) -> None:
    findings, path = check(ws, f"background: |\n  Officials met [@speech]. {sentence}\n")
    (found,) = only(findings, "uncited-figure")
    assert found.message == f"'{figure}' has no citation in its sentence"
    assert where(found) == at(path, figure) and found.severity == "warning"


@pytest.mark.parametrize("sentence", [
    "On Nov. 25, 2024, the president spoke.",
    "On 13 December 2024, the president spoke.",
    "On December 13, 2024, the president spoke.",
    "On 13 Dec. 2024, the president spoke.",
    "Le 1er décembre 2024, le président a parlé.",
    "In 2024, the president spoke at 10:30.",
    "Since the 1990s and the Sept. 11, 2001 attacks, things changed.",
    "The G7 and G20 discussed COVID-19 and Bill C-12.",
    "Three officers and 5 dogs work there.",
    "The 21st century began.",
    "Seizures rose 25% last year [@speech].",
    "Seizures rose 25% last year. [@speech]",
    "On Nov. 25 the U.S. said seizures rose 25% [@speech].",
    "As noted on p. 12 of the report, seizures rose 40% [@speech].",
    "See [the table](https://example.org/2024/123/45) for details.",
    "Run `report --year 2024 --top 50` for details.",
])
def test_not_uncited_figures(ws: Path, sentence: str) -> None:
    findings, _ = check(ws, f"background: |\n  {sentence}\n")
    assert only(findings, "uncited-figure") == []


def test_sentences_do_not_end_at_abbreviations() -> None:
    text = ("The U.S. and Canada met on Nov. 5. They agreed, see p. 4 of it [@a, p. 4]. "
            "Mr. Smith left! Then e.g. this. Done.\n\n- A list item. Another.\n- Second item")
    assert [text[a:b] for a, b in sentences(text)] == [
        "The U.S. and Canada met on Nov. 5.", "They agreed, see p. 4 of it [@a, p. 4].",
        "Mr. Smith left!", "Then e.g. this.", "Done.", "A list item.", "Another.", "Second item"]
    text = "See No. 5 of the list. They said no. Then they left."
    assert [text[a:b] for a, b in sentences(text)] == [
        "See No. 5 of the list.", "They said no.", "Then they left."]


def test_a_citation_after_the_full_stop_belongs_to_the_sentence() -> None:
    text = "Seizures rose 25%. [@a] Next sentence."
    assert [text[a:b] for a, b in sentences(text)] == ["Seizures rose 25%. [@a]", "Next sentence."]


# Classification ------------------------------------------------------------------

def test_note_marked_below_a_cited_record(ws: Path) -> None:
    findings, path = check(ws, "classification: UNCLASSIFIED\nsummary: |\n  Threats [@secret-memo].\n")
    (found,) = only(findings, "classification")
    assert where(found) == at(path, "UNCLASSIFIED") and found.field == "classification"
    assert "marked UNCLASSIFIED but cites 'secret-memo'" in found.message
    assert "PROTECTED B" in found.message and found.severity == "error"


def test_note_marked_below_a_listed_record(ws: Path) -> None:
    findings, _ = check(ws, "classification: UNCLASSIFIED\nsummary: Met [@speech].\n"
                            "sources: [speech, secret-memo]\n")
    assert len(only(findings, "classification")) == 1


@pytest.mark.parametrize("marking", ["classification: PROTECTED B\n", "classification: secret\n", ""])
def test_classification_near_misses(ws: Path, marking: str) -> None:
    findings, _ = check(ws, f"{marking}summary: |\n  Threats [@secret-memo].\n")
    assert only(findings, "classification") == []


# Length and shape ----------------------------------------------------------------

def words(n: int) -> str:
    return " ".join(["word"] * n)


def test_page_budget(ws: Path) -> None:
    paragraph = "  " + " ".join(f"{words(14)} [@speech]." for _ in range(8)) + "\n\n"
    findings, path = check(ws, "background: |\n" + paragraph * 12)
    (found,) = only(findings, "page-budget")
    assert found.message.startswith("about 3.") and found.message.endswith("a briefing-note should fit on 2")
    assert found.line == 1


def test_page_budget_per_note_type(ws: Path) -> None:
    body = "background: |\n  " + " ".join(f"{words(14)} [@speech]." for _ in range(40)) + "\n"
    findings, _ = check(ws, body)
    assert only(findings, "page-budget") == []
    findings, path = check(ws, "type: qp-note\n" + body)
    (found,) = only(findings, "page-budget")
    assert "a qp-note should fit on 1" in found.message and where(found) == at(path, "qp-note")


@pytest.mark.parametrize(("count", "expected"), [(8, 1), (7, 0)])
def test_talking_points_count(ws: Path, count: int, expected: int) -> None:
    points = "".join(f"  - Point {n} [@speech].\n" for n in range(count))
    findings, path = check(ws, "talking_points:\n" + points)
    found = only(findings, "talking-points-count")
    assert len(found) == expected
    if found:
        assert where(found[0]) == at(path, "talking_points") and "8 talking points; keep to 7" \
            in found[0].message


@pytest.mark.parametrize(("count", "expected"), [(41, 1), (40, 0)])
def test_talking_point_length(ws: Path, count: int, expected: int) -> None:
    findings, path = check(ws, f"talking_points:\n  - Short [@speech].\n  - {words(count)} [@speech, p. 2].\n")
    found = only(findings, "talking-point-length")
    assert len(found) == expected
    if found:
        assert where(found[0]) == at(path, "word") and found[0].field == "talking_points.1"
        assert found[0].message == "41 words; keep a point to 40"


@pytest.mark.parametrize(("count", "expected"), [(151, 1), (150, 0)])
def test_summary_length(ws: Path, count: int, expected: int) -> None:
    sentence_words = " ".join(f"{words(10)}." for _ in range(count // 10))
    rest = words(count % 10)
    findings, path = check(ws, f"summary: |\n  {sentence_words} {rest} [@speech].\n")
    found = only(findings, "summary-length")
    assert len(found) == expected
    if found:
        assert where(found[0]) == at(path, "word") and found[0].message == "151 words; keep the summary to 150"


# Plain language ------------------------------------------------------------------

@pytest.mark.parametrize(("count", "expected"), [(31, 1), (30, 0)])
def test_long_sentence(ws: Path, count: int, expected: int) -> None:
    findings, path = check(ws, f"background: |\n  Short one [@speech]. Long {words(count - 1)} "
                               "[@speech, p. 2]. Short two.\n")
    found = only(findings, "long-sentence")
    assert len(found) == expected
    if found:
        assert where(found[0]) == at(path, "Long") and found[0].message == "31 words; split sentences over 30"


def test_long_sentence_counts_each_list_item_alone(ws: Path) -> None:
    findings, path = check(ws, f"background: |\n  - {words(20)}\n  - {words(20)}\n\n  {words(20)}\n")
    assert only(findings, "long-sentence") == []


@pytest.mark.parametrize(("text", "acronym"), [
    ("The CBSA works at the border.", "CBSA"),
    ("Two MPs met the RCMP.", "RCMP"),  # MP is on the default allow-list
    ("Three RCMPs met.", "RCMP"),       # a plural is the acronym
])
def test_acronym_not_spelled_out(ws: Path, text: str, acronym: str) -> None:
    findings, path = check(ws, f"background: |\n  {text}\n")
    (found,) = only(findings, "acronym")
    assert where(found) == at(path, acronym)
    assert found.message == f"spell out '{acronym}' on first use, e.g. 'Full Name ({acronym})'"


@pytest.mark.parametrize("text", [
    "The Canada Border Services Agency (CBSA) works. The CBSA is busy.",
    "The CBSA (Canada Border Services Agency) works. The CBSA is busy.",
    "NATO, the U.S., the UN and the EU met; MPs and the PM spoke.",
    'The minister said "the CBSA is great" [@speech].',
    "Officials met [@atip-note].",
])
def test_acronym_near_misses(ws: Path, text: str) -> None:
    findings, _ = check(ws, f"background: |\n  {text}\n")
    assert only(findings, "acronym") == []


def test_acronym_is_flagged_once_and_spelling_out_later_is_too_late(ws: Path) -> None:
    findings, path = check(ws, "summary: The CBSA works.\nbackground: The Canada Border Services "
                               "Agency (CBSA) works.\n")
    (found,) = only(findings, "acronym")
    assert where(found) == at(path, "CBSA")


def test_acronym_allow_list_in_settings(ws: Path) -> None:
    (ws / "briefgen.toml").write_text('language = "en"\n[check]\nacronyms = ["CBSA"]\n', encoding="utf-8")
    findings, _ = check(ws, "background: The CBSA works with NATO.\n")
    assert [f.message for f in only(findings, "acronym")] == [
        "spell out 'NATO' on first use, e.g. 'Full Name (NATO)'"]


def test_passive_voice(ws: Path) -> None:
    findings, path = check(ws, "background: |\n  The report was written by officials.\n"
                               "  Records are routinely kept.\n")
    first, second = only(findings, "passive-voice")
    assert where(first) == at(path, "was written") and first.message == \
        "'was written' is passive; say who does what"
    assert where(second) == at(path, "are routinely kept")


@pytest.mark.parametrize("text", [
    "Officials wrote the report.",
    "It is indeed a fair point and they need help.",
    'The minister said "mistakes were made" [@speech].',
    "Officials are in the room.",
])
def test_passive_voice_near_misses(ws: Path, text: str) -> None:
    findings, _ = check(ws, f"background: |\n  {text}\n")
    assert only(findings, "passive-voice") == []


def test_passive_voice_is_english_only(ws: Path) -> None:
    findings, _ = check(ws, "lang: fr\nbackground: The report was written by officials.\n")
    assert only(findings, "passive-voice") == []


def test_double_space(ws: Path) -> None:
    findings, path = check(ws, "background: |\n  Two  spaces [@speech].\ntalking_points:\n"
                               "  - 'Quoted ''point'' with  two'\n")
    first, second = only(findings, "double-space")
    assert where(first) == at(path, "  spaces") and first.message == "two spaces in a row"
    assert where(second) == at(path, "  two") and second.field == "talking_points.0"


def test_double_space_near_misses(ws: Path) -> None:
    findings, _ = check(ws, "background: |\n  - A bullet\n    - nested under it\n"
                            "  A hard break  \n  next line.\n")
    assert only(findings, "double-space") == []


def test_straight_quotes_in_a_french_note(ws: Path) -> None:
    findings, path = check(ws, "lang: fr\nbackground: |\n  Le ministre a dit \"non\" [@discours].\n")
    (found,) = only(findings, "straight-quotes")
    assert where(found) == at(path, '"non"') and found.message == "use « » and ’ in French text"


@pytest.mark.parametrize(("lang", "text"), [
    ("fr", "Le ministre de l’Agence a dit « non » [@discours]."),
    ("fr", "Voir `\"code\"` et [@discours]."),
    ("en", 'The minister said "no" [@speech].'),
])
def test_straight_quotes_near_misses(ws: Path, lang: str, text: str) -> None:
    findings, _ = check(ws, f"lang: {lang}\nbackground: |\n  {text}\n")
    assert only(findings, "straight-quotes") == []


def test_french_workspace_default_applies(ws: Path) -> None:
    (ws / "briefgen.toml").write_text('language = "fr"\n', encoding="utf-8")
    findings, _ = check(ws, "background: L'Agence travaille [@discours].\n")
    assert len(only(findings, "straight-quotes")) == 1


# Disclosure -----------------------------------------------------------------------


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\\t", "\\r"])
def test_an_exported_text_that_starts_like_a_formula_is_a_warning(ws: Path, start: str) -> None:
    findings, path = check(ws, f'title_fr: "{start}SUM(A1:A9)"\nsummary: Text.\n')
    (found,) = only(findings, "spreadsheet-formula")
    assert found.severity == "warning" and found.field == "title_fr"
    # at the character, or at the quote before an escape (\\t) that has no character of its own
    assert where(found) == at(path, f"{start}SUM" if len(start) == 1 else f'"{start}')
    assert found.message.startswith("starts with ") and "run it as a formula" in found.message


def test_formula_warnings_cover_what_the_export_publishes_and_nothing_else(ws: Path) -> None:
    findings, path = check(ws, "type: qp-note\ntracking_number: '-12'\nissue: '@everyone asks'\n"
                               "key_messages: ['-1 per cent']\nbackground: '- a list'\n"
                               "additional_information_en: Fine = fine\nsummary: '=not exported'\n")
    assert [f.field for f in only(findings, "spreadsheet-formula")] == \
        ["tracking_number", "issue", "background"]
    findings, _ = check(ws, "type: media-lines\ntracking_number: '=1'\nkey_messages: [A]\n")
    assert only(findings, "spreadsheet-formula") == []        # media lines are not published
    path = ws / "briefs" / "subject.yaml"
    path.write_text("subject: '=Title'\ndate: 2025-04-10\n", encoding="utf-8")
    (found,) = only(check_brief(Workspace(ws), path), "spreadsheet-formula")
    assert found.field == "subject" and where(found) == at(path, "=Title")  # the English title


# One brief that sets off each rule (the rule's own tests above look at each closely).
TRIGGERS = {
    "unknown-citation": "summary: Officials met [@speach].\n",
    "unused-source": "summary: Officials met [@speech].\nsources: [speech, discours]\n",
    "locator-out-of-range": "summary: Officials met [@speech, p. 6].\n",
    "misquote": 'background: She said "We deliver on our premises to Canadians" [@speech].\n',
    "uncited-figure": "background: Seizures rose 25% this year.\n",
    "classification": "classification: UNCLASSIFIED\nsummary: Threats [@secret-memo].\n",
    "page-budget": "background: |\n" + ("  " + " ".join(
        " ".join(["word"] * 14) + " [@speech]." for _ in range(8)) + "\n\n") * 12,
    "talking-points-count": "talking_points:\n" + "".join(f"  - Point {n} [@speech].\n"
                                                         for n in range(8)),
    "talking-point-length": "talking_points:\n  - " + " ".join(["word"] * 41) + " [@speech].\n",
    "summary-length": "summary: " + " ".join(["word"] * 151) + " [@speech].\n",
    "long-sentence": "background: " + " ".join(["word"] * 31) + " [@speech].\n",
    "acronym": "background: The CBSA works [@speech].\n",
    "passive-voice": "background: The report was written by officials [@speech].\n",
    "double-space": "background: Two  spaces [@speech].\n",
    "straight-quotes": "lang: fr\nbackground: L'Agence travaille [@discours].\n",
    "spreadsheet-formula": 'title_fr: "=SUM(A1:A9)"\nsummary: Text.\n',
    "image-alt": "background: The map ![](map.png) [@speech].\n",
    "link-text": "background: See [click here](https://example.org/s) [@speech].\n",
    "heading-level": "background: |\n  #### Detail\n\n  Officials met [@speech].\n",
    "table-header": "background: |\n  | | |\n  |---|---|\n  | a | b |\n",
    "all-caps": "background: Officials met ALL THE PREMIERS TODAY [@speech].\n",
}


def test_every_rule_has_a_trigger() -> None:
    assert set(TRIGGERS) == set(RULES)


@pytest.mark.parametrize("rule", sorted(RULES))
def test_each_rule_fires_on_its_trigger(ws: Path, rule: str) -> None:
    findings, _ = check(ws, TRIGGERS[rule])
    fired = only(findings, rule)
    assert fired, f"{rule} did not fire on its trigger; found {[f.rule for f in findings]}"
    assert all(f.severity == RULES[rule][0] for f in fired)
    # and the trigger sets off that rule, not a brief that fails everything
    assert {f.rule for f in findings if f.severity == "error"} <= {rule}


# Accessibility -------------------------------------------------------------------

@pytest.mark.parametrize(("rule", "text", "needle"), [
    ("image-alt", "See the map: ![](map.png)", "![]"),
    ("image-alt", "See ![ ](map.png) here.", "![ ]"),
    ("link-text", "Read [https://example.org/a](https://example.org/a).", "[https"),
    ("link-text", "For the statement, [click here](https://example.org/s).", "[click"),
    ("link-text", "Pour la déclaration, [cliquez ici](https://example.org/s).", "[cliquez"),
    ("link-text", "See <https://example.org/report>.", "<https"),
    ("heading-level", "#### Details\n\n  Text.", "####"),
    ("heading-level", "### One\n\n  ##### Three", "#####"),
    ("table-header", "| | |\n  |---|---|\n  | a | b |", "| | |"),
    ("all-caps", "THIS IS VERY IMPORTANT NEWS for the minister.", "THIS"),
])
def test_accessibility_rules_point_at_the_problem(ws: Path, rule: str, text: str, needle: str) -> None:
    findings, path = check(ws, f"next_steps: |\n  {text}\n")
    found = only(findings, rule)
    assert len(found) == 1 and found[0].severity == "warning"
    assert where(found[0]) == at(path, needle)


@pytest.mark.parametrize("text", [
    "See ![Map of the crossings](map.png).",
    "Read [the CBSA's statement](https://example.org/s).",
    "### Details\n\n  #### More",
    "| Item | Cost |\n  |---|---|\n  | a | b |",
    "The CBSA, RCMP and CBP met.",
    "`THIS IS CODE NOT SHOUTING` and `[click here](https://x.org)`",
])
def test_accessibility_rules_near_misses(ws: Path, text: str) -> None:
    findings, _ = check(ws, f"next_steps: |\n  {text}\n")
    assert [f for f in findings if f.rule in check_a11y.RULES] == []


def test_every_rule_has_a_test() -> None:
    source = Path(__file__).read_text(encoding="utf-8")
    assert all(f'"{rule}"' in source.split("def test_every_rule_has_a_test")[0] for rule in RULES)


# Positions -----------------------------------------------------------------------

def test_positions_in_every_kind_of_scalar(ws: Path) -> None:
    body = ("talking_points:\n"
            "  - >-\n    First line of a folded point and the second\n    line has a  gap.\n"
            "  - 'Single ''quoted'' with a  gap'\n"
            "  - \"Double \\\"quoted\\\" with a  gap\"\n"
            "  - Plain scalar that goes on\n    to a second  line\n"
            "options:\n  - title: One\n    pros: [Cheap, A  gap]\n")
    findings, path = check(ws, body)
    assert [where(f) for f in only(findings, "double-space")] == [
        at(path, "  gap", 0), at(path, "  gap", 1), at(path, "  gap", 2), at(path, "  line\n"),
        at(path, "  gap", 3)]
    assert only(findings, "double-space")[-1].field == "options.0.pros.1"


# Turning rules off ---------------------------------------------------------------

def test_disable_in_settings(ws: Path) -> None:
    (ws / "briefgen.toml").write_text('[check]\ndisable = ["passive-voice", "misquote"]\n', encoding="utf-8")
    findings, _ = check(ws, 'background: The report was written "badly" [@speech].\n')
    assert only(findings, "passive-voice") == [] and only(findings, "misquote") == []


def test_unknown_rule_in_settings_is_an_input_error(ws: Path) -> None:
    (ws / "briefgen.toml").write_text('[check]\ndisable = ["pasive-voice"]\n', encoding="utf-8")
    with pytest.raises(InputError, match="unknown check rule 'pasive-voice'"):
        check(ws, "background: Text.\n")


def test_ignore_marker_on_the_line(ws: Path) -> None:
    findings, _ = check(ws, "talking_points:\n"
                            "  - The CBSA is busy.  # briefgen: ignore[acronym]\n"
                            "  - The RCMP is busy.  # briefgen: ignore[passive-voice]\n")
    assert [f.message for f in only(findings, "acronym")] == [
        "spell out 'RCMP' on first use, e.g. 'Full Name (RCMP)'"]


def test_ignore_marker_on_the_key_line_and_a_parent_key(ws: Path) -> None:
    body = ("background: |  # briefgen: ignore[uncited-figure, acronym]\n"
            "  Seizures rose 25%.\n  The CBSA is busy.\n"
            "talking_points:  # briefgen: ignore[talking-point-length]\n"
            f"  - {words(25)}. Word {words(24)}.\n"
            "  - >-  # briefgen: ignore\n"
            "    Seizures rose 40% and it was written  badly.\n")
    findings, _ = check(ws, body)
    assert findings == []


def test_ignore_marker_inside_text_does_not_count(ws: Path) -> None:
    findings, _ = check(ws, "background: |\n  Seizures rose 25%. # briefgen: ignore[uncited-figure]\n")
    assert len(only(findings, "uncited-figure")) == 1


def test_unknown_rule_in_a_marker_is_an_input_error(ws: Path) -> None:
    with pytest.raises(InputError, match="unknown check rule 'acronyms'") as err:
        check(ws, "background: The CBSA.  # briefgen: ignore[acronyms]\n")
    assert err.value.line == 3


# Command line --------------------------------------------------------------------

def test_json_output_is_stable(ws: Path) -> None:
    write(ws, 'background: |\n  She said "we deliver late" [@speech]. Seizures rose 25%.\n')
    result = run("check", "t", "--json", cwd=ws)
    assert result.returncode == 1, result.stderr
    data = json.loads(result.stdout)
    assert [list(d) for d in data] == [["file", "line", "col", "rule", "severity", "message", "field"]] * 2
    assert [(d["file"], d["line"], d["col"], d["rule"], d["severity"], d["field"]) for d in data] == [
        ("briefs/t.yaml", 4, 12, "misquote", "error", "background"),
        ("briefs/t.yaml", 4, 55, "uncited-figure", "warning", "background")]


def test_human_output_grouped_by_brief_with_a_summary(ws: Path) -> None:
    write(ws, "background: Seizures rose 25%.\n", "a.yaml")
    write(ws, 'background: She said "we deliver late" [@speech].\n', "b.yaml")
    result = run("check", "a", "b", cwd=ws)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "briefs/a.yaml:3:27: warning[uncited-figure]: '25%' has no citation in its sentence",
        "briefs/b.yaml:3:22: error[misquote]: “we deliver late” is not in 'speech' "
        "(sources/speech.yaml); closest passage: “We deliver on our”",
        "1 error, 1 warning in 2 briefs"]


def test_exit_codes(ws: Path) -> None:
    clean = run("check", "note", cwd=ws)  # the fixture brief: one unused-source warning
    assert clean.returncode == 0 and "0 errors, 1 warning in 1 brief" in clean.stdout
    assert run("check", "note", "--strict", cwd=ws).returncode == 1
    write(ws, "background: |\n  Officials met [@speech].\n", "ok.yaml")
    assert run("check", "ok", "--strict", cwd=ws).stdout == "no problems in 1 brief\n"
    write(ws, 'background: She said "nothing" [@speech].\n', "bad.yaml")
    assert run("check", "bad", cwd=ws).returncode == 1
    write(ws, "background: [unclosed\n", "broken.yaml")
    broken = run("check", "broken", cwd=ws)
    assert broken.returncode == 2 and "YAML syntax error" in broken.stderr
    assert run("check", "missing", cwd=ws).returncode == 2
    (ws / "briefgen.toml").write_text('[check]\ndisable = ["nope"]\n', encoding="utf-8")
    result = run("check", "ok", cwd=ws)
    assert result.returncode == 2 and "briefgen.toml: unknown check rule 'nope'" in result.stderr


def test_build_stops_on_a_check_error_and_writes_nothing(ws: Path) -> None:
    write(ws, 'background: She said "we deliver late" [@speech].\n')
    result = run("build", "t", cwd=ws)
    assert result.returncode == 1
    assert "error[misquote]" in result.stderr and "build stopped" in result.stderr
    assert not (ws / "out").exists()
    with pytest.raises(ChecksFailed):
        build(Workspace(ws), ["t"])
    assert run("build", "t", "--no-check", cwd=ws).returncode == 0


def test_build_prints_warnings_and_builds(ws: Path) -> None:
    write(ws, "background: Seizures rose 25% [@speech]. The CBSA is busy.\n")
    result = run("build", "t", "--format", "md", cwd=ws)
    assert result.returncode == 0, result.stderr
    assert "warning[acronym]" in result.stderr and (ws / "out" / "t.md").is_file()


def test_example_workspace_is_clean() -> None:
    result = run("check", "--strict", cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    ws = Workspace(REPO)
    briefs = len(ws.brief_paths([]))
    assert briefs == 10
    assert result.stdout == f"no problems in {briefs} brief{'s' * (briefs != 1)}\n"
    assert check_all(ws, ws.brief_paths([])) == []


def test_custom_type_fields_are_checked(ws: Path) -> None:
    body = ("fields:\n  context:\n    - >-\n      On the second line, \"we deliver late\" [@speech].\n"
            "sources: [speech]\n")
    findings, path = check(ws, body)
    (found,) = findings
    assert (found.rule, where(found), found.field) == ("misquote", at(path, '"we'), "fields.context.0")


# The documentation -----------------------------------------------------------------

DOCS = REPO / "docs" / "checks.md"
EXAMPLE = re.compile(r"```yaml\n(subject:.*?)```\n\n```text\n(.*?)```", re.S)


@pytest.fixture
def docs_ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example workspace plus the PROTECTED B record the docs use; the current folder."""
    shutil.copytree(REPO / "sources", tmp_path / "sources")
    shutil.copy(REPO / "briefgen.toml", tmp_path)
    shutil.copy(FIXTURES / "check" / "docs" / "threat-assessment.yaml", tmp_path / "sources")
    (tmp_path / "briefs").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_docs_examples_are_real_output(docs_ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    examples = EXAMPLE.findall(DOCS.read_text(encoding="utf-8"))
    assert len(examples) >= 14
    for brief, expected in examples:
        (docs_ws / "briefs" / "note.yaml").write_text(brief, encoding="utf-8")
        main(["check", "note"])
        assert capsys.readouterr().out == expected, brief
    documented = DOCS.read_text(encoding="utf-8")
    assert all(f"`{rule}` ({severity})" in documented for rule, (severity, _) in RULES.items())


def test_docs_json_sample_is_real_output(docs_ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = DOCS.read_text(encoding="utf-8")
    brief = next(b for b, out in EXAMPLE.findall(text) if "uncited-figure" in out)
    (docs_ws / "briefs" / "note.yaml").write_text(brief, encoding="utf-8")
    main(["check", "note", "--json"])
    sample = re.search(r"```json\n(.*?)```", text, re.S)
    assert sample and json.loads(capsys.readouterr().out) == json.loads(sample.group(1))


def test_note_type_fields_are_checked_too(ws: Path) -> None:
    findings, path = check(ws, 'type: qp-note\nkey_messages:\n  - >-\n    "Our officers are working '
                               'around the calendar" [@speech].\n  - We spent $9 million.\n'
                               'agenda:\n  - Opening (15 minutes)\n')
    (misquote,) = only(findings, "misquote")
    assert where(misquote) == at(path, '"Our officers')
    assert misquote.field == "key_messages.0"
    (figure,) = only(findings, "uncited-figure")
    assert figure.field == "key_messages.1"      # the agenda's minutes are not a claim


def test_words_in_capitals_are_one_all_caps_finding_not_acronyms(ws: Path) -> None:
    findings, _ = check(ws, "next_steps: |\n  Brief them BEFORE THE NEXT MEETING WITH the premiers.\n")
    assert [f.rule for f in findings] == ["all-caps"]


@pytest.mark.parametrize("text", ["[" * 50000, "[a](" * 20000, "![" * 30000, "<https://" * 20000,
                                  "AB " * 50000, "|" * 50000])
def test_accessibility_rules_take_linear_time_on_odd_text(text: str) -> None:
    """A hostile brief is read in one pass: each try stops at the next bracket or line."""
    from dataclasses import dataclass

    @dataclass
    class Text:
        text: str

    assert len(list(check_a11y.findings([Text(text)]))) <= 1
