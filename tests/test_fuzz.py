"""Property-based tests: any text in a record or brief builds, or fails with a clear error.

CI runs a fixed seed and a bounded number of examples (the profiles are in
conftest.py); for a longer run: ``HYPOTHESIS_PROFILE=long pytest tests/test_fuzz.py``.
"""
from __future__ import annotations

import io
import re
import shutil
import tempfile
import unicodedata
import zipfile
from pathlib import Path

import docx
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from briefgen.builder import reference_docx
from briefgen.errors import BriefgenError
from briefgen.note.composer import compose
from briefgen.workspace import Workspace
from briefgen.writers import docx as docx_writer
from briefgen.writers import markdown as md_writer

FIXTURE = Path(__file__).parent / "fixtures" / "workspace"
SPECIAL = ["{{ x }}", "{% if %}", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
           "**", "_", "[@news-article]", "[^1]", "\\", "`", "|", "#", "- ", "1. ", "> ", "&amp;",
           "\u202e", "\u200f", "مرحبا", "שלום", "🇨🇦", "\x0b", "\x00", "\ud800", "\n\n", "\t",
           "x" * 300]
text = st.lists(st.one_of(st.sampled_from(SPECIAL), st.text(max_size=40)), max_size=8).map("".join)


def _workspace(title: str, body: str, summary: str, points: list[str], lang: str = "en") -> Path:
    root = Path(tempfile.mkdtemp(prefix="briefgen-fuzz-"))
    shutil.copytree(FIXTURE, root, dirs_exist_ok=True)
    record = {"kind": "news", "title": title or "t", "text": body, "publisher": "P"}
    (root / "sources" / "fuzzed.yaml").write_text(yaml.safe_dump(record, allow_unicode=False))
    brief = {"subject": "Fuzz", "date": "2025-01-01", "summary": summary, "lang": lang,
             "talking_points": points, "sources": ["fuzzed"]}
    (root / "briefs" / "note.yaml").write_text(yaml.safe_dump(brief, allow_unicode=False))
    return root


def _visible(value: str) -> str:
    """What survives into a document: no control, bidirectional-override or unpaired surrogate
    characters, spaces folded."""
    value = re.sub(r"[\x0b\x0c]", " ", value)      # Word's pasted breaks become spaces
    value = re.sub(r"[\x00-\x08\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]",
                   "", value)
    for quote in "“«":
        value = value.replace(quote, "‘")     # quotation marks inside a cited title
    for quote in "”»":
        value = value.replace(quote, "’")
    return " ".join(unicodedata.normalize("NFC", value).split())


def _check_docx(data: bytes) -> tuple[str, list[str]]:
    """The text a reader sees (body and footnotes), and each body paragraph's XML."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert package.testzip() is None
        for name in package.namelist():
            if name.endswith((".xml", ".rels")):
                etree.fromstring(package.read(name))
        footnotes = package.read("word/footnotes.xml")
    document = docx.Document(io.BytesIO(data))
    paragraphs = " ".join(p.text for p in document.paragraphs)
    notes = "".join(etree.fromstring(footnotes).itertext())
    xml = [etree.tostring(p._p, encoding="unicode") for p in document.paragraphs]
    return " ".join((paragraphs + " " + notes).split()), xml


def _marked(text: str, mark: str, cite: str) -> str:
    """Fuzzed text behind a mark and a citation that no text after them can undo."""
    return f"{mark} [@{cite}] {text}"


def _assert_survives(mark: str, md: str, shown: str, xml: list[str]) -> None:
    """The mark is in both documents, and its citation is a footnote in both."""
    [md_line] = [line for line in md.splitlines() if mark in line]
    assert re.search(rf"{mark} ?\[\^\d+\]", md_line), md_line
    assert mark in shown
    [paragraph] = [p for p in xml if mark in p]
    assert "<w:footnoteReference " in paragraph


@given(title=text, body=text, summary=text, points=st.lists(text, max_size=3),
       lang=st.sampled_from(["en", "fr"]))
def test_any_text_builds_or_fails_clearly(title: str, body: str, summary: str,
                                          points: list[str], lang: str) -> None:
    marks = [f"Point{n}QX" for n in range(len(points))]
    points = [_marked(point, mark, "stats") for point, mark in zip(points, marks)]
    summary = _marked(summary, "SummaryQX", "news-article")
    try:
        root = _workspace(title, body, summary, points, lang)
    except UnicodeEncodeError:   # a lone surrogate cannot even be saved as a file
        return
    try:
        ws = Workspace(root)
        note = compose(ws, root / "briefs" / "note.yaml")
        md = md_writer.write(note).decode("utf-8")
        shown, xml = _check_docx(docx_writer.write(note, reference_docx(ws)))
    except BriefgenError as err:
        assert str(err)           # a message, never an empty one
        return
    finally:
        shutil.rmtree(root, ignore_errors=True)
    assert md.startswith("**NON CLASSIFIÉ**" if lang == "fr" else "**UNCLASSIFIED**")
    for mark in ["SummaryQX", *marks]:                  # every talking point, with its citation
        _assert_survives(mark, md, shown, xml)
    if _visible(title).strip():                     # the record's title, literally (French
        squeeze = str.maketrans("", "", " ")        # typography may add spaces before : ; ! ?)
        assert _visible(title).translate(squeeze) in _visible(shown).translate(squeeze)


@pytest.mark.parametrize("size", [1_000_000])
def test_megabyte_field(tmp_path: Path, size: int) -> None:
    root = _workspace("Big", "word " * (size // 5), "Summary [@fuzzed].", ["A point."])
    try:
        ws = Workspace(root)
        note = compose(ws, root / "briefs" / "note.yaml")
        _check_docx(docx_writer.write(note, reference_docx(ws)))
    finally:
        shutil.rmtree(root, ignore_errors=True)
