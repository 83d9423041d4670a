"""Text scans that once went over the same characters again and again (minutes for
a 200,000-letter word): each hostile shape must now finish and give the right result.
How fast they are is measured in bench/scan.py, not here."""
from __future__ import annotations

import zipfile
from pathlib import Path

from briefgen.builder import build
from briefgen.digest.weekly import excerpt
from briefgen.library import extract, ingest
from briefgen.note.check import check_brief
from briefgen.note.citations import find_clusters
from briefgen.note.sentences import sentences
from briefgen.note.typography import french
from briefgen.workspace import Workspace

LONG = 200_000


def _spans(text: str) -> list[str]:
    return [text[start:end] for start, end in sentences(text)]


def test_a_200000_letter_word_is_one_sentence() -> None:
    word = "a" * LONG
    assert _spans(f"Officials said {word}, then left. Next one.") == [
        f"Officials said {word}, then left.", "Next one."]
    assert _spans(f"It is {word}. Then") == [f"It is {word}.", "Then"]


def test_sentences_with_many_false_ends_split_right() -> None:
    text = "and a. " * (LONG // 7) + "Then. Done."
    spans = _spans(text)
    assert len(spans) == 2 and spans[0].endswith("Then.") and spans[1] == "Done."
    assert _spans("Mr. A. B. went to the U.S. on Nov. 5. " * 3) == [
        "Mr. A. B. went to the U.S. on Nov. 5."] * 3


def test_a_brief_with_a_200000_letter_word_is_checked(workspace: Path) -> None:
    path = workspace / "briefs" / "long.yaml"
    path.write_text("subject: S\ndate: 2025-04-10\nbackground: |\n  The CBSA said "
                    + "a" * LONG + " rose by 45% in 2024. Short.\n"
                    "considerations: ABC (" + "aa " * (LONG // 3) + "\n", encoding="utf-8")
    findings = check_brief(Workspace(workspace), path)
    rules = sorted({f.rule for f in findings})
    assert rules == ["acronym", "long-sentence", "page-budget", "uncited-figure"], rules
    acronyms = [f.message for f in findings if f.rule == "acronym"]
    assert any("'CBSA'" in m for m in acronyms) and any("'ABC'" in m for m in acronyms)


def test_a_docx_paragraph_with_a_long_run_of_spaces(workspace: Path) -> None:
    """Soft line breaks were found by a pattern that went over a run of spaces once
    from each of its spaces: minutes for 200,000."""
    path = workspace / "briefs" / "spaces.yaml"
    path.write_text("subject: S\ndate: 2025-04-10\nbackground: |\n  Gap" + " " * LONG
                    + "end, \n  \t next line.\n", encoding="utf-8")
    build(Workspace(workspace), ["spaces"], ["docx"], Path("out"), check=False)
    with zipfile.ZipFile(workspace / "out" / "spaces.docx") as package:
        document = package.read("word/document.xml").decode()
    assert "end, next line." in document and " " * 1000 in document


def test_long_runs_in_citations_and_french_typography() -> None:
    spaces = " " * LONG
    assert find_clusters(f"Text{spaces}[@a]")[0][:2] == (4 + LONG, 8 + LONG)
    assert find_clusters("`" * LONG + " [@b]")[0][2][0].key == "b"
    ticks = "`" * LONG
    assert french(ticks) == ticks
    assert french(f"mot{spaces}» et `a:b` oui : non") == "mot\u00a0» et `a:b` oui\u00a0: non"
    assert french("](" * (LONG // 2)) == "](" * (LONG // 2)


def test_digest_excerpt_of_a_paragraph_of_abbreviations() -> None:
    text = "A. " * (LONG // 3) + "Then it ended. And more. And more."
    assert excerpt(text, words=LONG).endswith("Then it ended. And more.")


def test_a_100kb_single_line_article_is_imported(workspace: Path, tmp_path: Path) -> None:
    line = 'The CBSA said "seizures rose by 45% this year", said Jane Doe. ' * 1600
    article = tmp_path / "long.txt"
    article.write_text(line.strip() + "\n", encoding="utf-8")
    assert len(line) > 100_000
    (added,) = ingest.import_sources(Workspace(workspace), [str(article)], dry_run=True).added
    assert added.record.quotes[0].text == "seizures rose by 45% this year"
    assert added.record.quotes[0].speaker == "Jane Doe"
    assert added.record.key_facts[0].startswith("The CBSA said")


def test_quotations_keep_their_speakers_in_a_long_paragraph() -> None:
    text = " ".join(f'Minister {n} said "we will act on item {n} now." Then more.'
                    for n in range(3000))
    found = extract.quotes(text)
    assert len(found) == 3000
    assert (found[1234].text, found[1234].speaker) == ("we will act on item 1234 now.",
                                                       "Minister 1234")


def test_thousands_of_quotations_and_citations_are_each_checked(workspace: Path) -> None:
    cited = 'A spokesperson said "We will keep working together" [@news-article]. ' * 3000
    figures = "Seizures rose 45% [@stats]. " * 3000
    path = workspace / "briefs" / "many.yaml"
    path.write_text("subject: S\ndate: 2025-04-10\nbackground: |\n  " + cited
                    + 'They said "we never met" [@news-article].\n'
                    "considerations: |\n  " + figures + "Costs rose 12%.\n", encoding="utf-8")
    findings = check_brief(Workspace(workspace), path)
    misquotes = [f for f in findings if f.rule == "misquote"]
    uncited = [f for f in findings if f.rule == "uncited-figure"]
    assert [m.message.split(" is not in")[0] for m in misquotes] == ["“we never met”"]
    assert [f.message for f in uncited] == ["'12%' has no citation in its sentence"]
