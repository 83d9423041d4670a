"""Passages in the other language: marked spans and quotations of foreign records."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from outputs import W, docx_part

from briefgen.models import SourceRecord
from briefgen.note.language import tag_quotations, unwrap
from briefgen.writers.doctree import parse

NBSP = "\u00a0"


def _record(language: str) -> SourceRecord:
    return SourceRecord.model_validate({"id": "rec", "kind": "news", "title": "T",
                                        "language": language})


RECORDS = {"en-rec": _record("en"), "fr-rec": _record("fr")}


@pytest.mark.parametrize(("text", "tagged"), [
    ("comme « rooted in cooperating » [@en-rec].", "comme « [rooted in cooperating]{lang=en} » [@en-rec]."),
    ("« We must be ready. »\n  [@en-rec; @fr-rec]", "« [We must be ready.]{lang=en} »\n  [@en-rec; @fr-rec]"),
    ("« en français » [@fr-rec].", "« en français » [@fr-rec]."),
    ("« cité plus loin » dans la phrase [@en-rec].", "« [cité plus loin]{lang=en} » dans la phrase [@en-rec]."),
    ("« sans source ». Puis [@en-rec].", "« sans source ». Puis [@en-rec]."),
    ("« loin »" + " x" * 1500 + " [@en-rec]", "« loin »" + " x" * 1500 + " [@en-rec]"),
    ("“quoted” [@en-rec]", "“[quoted]{lang=en}” [@en-rec]"),
])
def test_quotations_of_records_in_the_other_language_are_tagged(text: str, tagged: str) -> None:
    assert tag_quotations(text, RECORDS, "fr") == tagged


def test_english_note_tags_french_quotations() -> None:
    assert tag_quotations('She said "bonjour" [@fr-rec].', RECORDS, "en") == \
        'She said "[bonjour]{lang=fr}" [@fr-rec].'


def test_a_bracketed_span_becomes_a_span_with_its_language() -> None:
    tree = parse("Le mot [*deal*, as they say]{lang=en} et [autre]{lang=\"en-GB\"} [x](https://e.org)")
    spans = list(tree.iter("span"))
    assert [(s.get("lang"), "".join(s.itertext())) for s in spans] == [
        ("en", "deal, as they say"), ("en-GB", "autre")]
    assert spans[0].find("em") is not None
    assert tree.find(".//a").get("href") == "https://e.org"


@pytest.mark.parametrize("kept", ["[x]{lang=en-}", "[x]{lang=e}", "[x]{.class}", "`[x]{lang=en}`"])
def test_what_is_not_a_language_span_stays_text(kept: str) -> None:
    assert not list(parse(kept).iter("span"))


def test_unwrap_gives_the_words_of_a_span() -> None:
    assert unwrap("« [rooted [in] it]{lang=en} »") == "« rooted [in] it »"


def _foreign_runs(docx: Path) -> list[tuple[str, str]]:
    """(w:lang of the run, its text) for every run with a language of its own."""
    found = []
    for part in ("word/document.xml", "word/footnotes.xml"):
        for run in docx_part(docx, part).iter(f"{W}r"):
            lang = run.find(f"{W}rPr/{W}lang")
            if lang is not None:
                found.append((lang.get(f"{W}val"), "".join(t.text or "" for t in run.iter(f"{W}t"))))
    return found


def test_french_note_tags_english_quotations_and_titles_in_every_output(example_notes: Path) -> None:
    name = "border-decision-fr"
    md = (example_notes / f"{name}.md").read_text(encoding="utf-8")
    assert re.search(r"«\u00a0\[rooted in\s+cooperating with like-minded\s+partners, particularly "
                     r"the U\.S\.\]\{lang=en\}\u00a0»", md)
    runs = _foreign_runs(example_notes / f"{name}.docx")
    tagged = " ".join(text for lang, text in runs if lang == "en-CA")
    assert "rooted in cooperating" in tagged and "We must be ready to respond quickly." in tagged
    assert "Truth Social post announcing" in tagged          # a source title in a footnote
    html = (example_notes / f"{name}.html").read_text(encoding="utf-8")
    assert re.search(r'«\u00a0<span lang="en-CA">rooted in\s+cooperating', html)
    assert '<span lang="en-CA">Truth Social post announcing' in html


def test_english_notes_have_no_foreign_runs(example_notes: Path) -> None:
    assert _foreign_runs(example_notes / "border-decision.docx") == []


def test_many_unclosed_quotation_marks_take_little_time() -> None:
    """Unclosed « and many clusters: the work stays linear (bounded quotation length)."""
    text = ("« a " * 5000) + ("[@en-rec] " * 5000)
    assert tag_quotations(text, RECORDS, "fr").count("{lang=en}") <= 1
