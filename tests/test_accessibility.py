"""The accessibility gate: every example note, in both languages, as DOCX, HTML and PDF.

DOCX is read with the standard library's XML parser, HTML is checked by
axe-core in headless Chromium (Playwright), PDF by pikepdf. What is checked,
and what stays the author's job, is in docs/accessibility.md.
"""
from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from outputs import W, contrast_on_white, docx_part, style_colours

from briefgen.workspace import Workspace

REPO = Path(__file__).parent.parent
AA = 4.5                       # WCAG 2.1 AA contrast for body text
NOTES = sorted(p.stem for p in Workspace(REPO).brief_paths([]))
TAGS = {"en": "en-CA", "fr": "fr-CA"}
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
CP = "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}"
DC = "{http://purl.org/dc/elements/1.1/}"
VAGUE_LINK = re.compile(r"\s*(?:https?://\S+|www\.\S+|click here|here|cliquez ici|ici)\s*", re.I)


def _lang(name: str) -> str:
    return "fr" if name.endswith("-fr") else "en"


def test_contrast_is_computed_as_wcag_defines_it() -> None:
    assert round(contrast_on_white("000000"), 1) == 21.0
    assert round(contrast_on_white("767676"), 2) == 4.54       # the lightest grey that passes
    assert contrast_on_white("FFFFFF") == 1.0


def test_every_style_of_the_built_in_reference_document_reaches_aa_contrast() -> None:
    colours = style_colours(docx_part(REPO / "templates" / "reference.docx", "word/styles.xml"))
    assert "Hyperlink" in colours
    low = {name: f"{contrast_on_white(c):.2f}:1" for name, c in colours.items()
           if contrast_on_white(c) < AA}
    assert low == {}


def test_the_gate_covers_every_type_in_both_languages() -> None:
    assert len(NOTES) == 10 and sum(_lang(n) == "fr" for n in NOTES) == 5


# DOCX -----------------------------------------------------------------------------

class Docx:
    """One example note's DOCX: its parts, styles and paragraphs."""

    def __init__(self, path: Path) -> None:
        with zipfile.ZipFile(path) as package:
            self.parts = {n: ElementTree.fromstring(package.read(n)) for n in package.namelist()
                          if n.endswith(".xml") and (n.startswith("word/") or n.startswith("docProps/"))}
        self.styles = {s.get(f"{W}styleId"): s for s in self.parts["word/styles.xml"].iter(f"{W}style")}

    def story(self) -> list[ElementTree.Element]:
        """Body and footnote paragraphs, in order."""
        return [p for name in ("word/document.xml", "word/footnotes.xml") if name in self.parts
                for p in self.parts[name].iter(f"{W}p")]

    def inherited(self, style_id: str | None, path: str) -> ElementTree.Element | None:
        """``path`` in the style or the first style it is based on that has it."""
        seen = set()
        while style_id and style_id in self.styles and style_id not in seen:
            seen.add(style_id)
            found = self.styles[style_id].find(path)
            if found is not None:
                return found
            based = self.styles[style_id].find(f"{W}basedOn")
            style_id = based.get(f"{W}val") if based is not None else None
        return None

    def name(self, style_id: str) -> str:
        return self.styles[style_id].find(f"{W}name").get(f"{W}val")


@pytest.fixture(scope="module", params=NOTES)
def note(request: pytest.FixtureRequest, example_notes: Path) -> tuple[str, Docx]:
    return request.param, Docx(example_notes / f"{request.param}.docx")


def test_docx_title_and_language_are_set(note: tuple[str, Docx]) -> None:
    name, doc = note
    core = doc.parts["docProps/core.xml"]
    assert (core.findtext(f"{DC}title") or "").strip()
    assert core.findtext(f"{DC}language") == TAGS[_lang(name)]
    default = doc.parts["word/styles.xml"].find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    assert default.get(f"{W}val") == TAGS[_lang(name)]


def test_docx_headings_have_outline_levels_and_skip_none(note: tuple[str, Docx]) -> None:
    _, doc = note
    levels = []
    for p in doc.parts["word/document.xml"].iter(f"{W}p"):
        style = p.find(f"{W}pPr/{W}pStyle")
        if style is None or not doc.name(style.get(f"{W}val")).lower().startswith("heading"):
            continue
        outline = doc.inherited(style.get(f"{W}val"), f"{W}pPr/{W}outlineLvl")
        assert outline is not None, doc.name(style.get(f"{W}val"))
        levels.append(int(outline.get(f"{W}val")))
    assert levels and levels[0] == 0
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), levels


def test_docx_tables_have_a_header_row_or_header_cells(note: tuple[str, Docx]) -> None:
    _, doc = note
    for table in doc.parts["word/document.xml"].iter(f"{W}tbl"):
        look = table.find(f"{W}tblPr/{W}tblLook")
        first_row = table.find(f"{W}tr/{W}trPr/{W}tblHeader") is not None
        first_column = look is not None and look.get(f"{W}firstColumn") == "1"
        assert first_row != first_column, "a header row, or a column of row headers"
        if first_column:           # the label cells carry the heading style
            for row in table.iter(f"{W}tr"):
                label = row.find(f"{W}tc/{W}p/{W}pPr/{W}pStyle").get(f"{W}val")
                assert doc.name(label) == "Table Heading"


def test_docx_images_have_alt_text(note: tuple[str, Docx]) -> None:
    _, doc = note
    for part in doc.parts.values():
        for drawing in part.iter(f"{WP}docPr"):
            assert (drawing.get("descr") or "").strip(), drawing.attrib


def test_docx_styles_in_use_reach_aa_contrast(note: tuple[str, Docx]) -> None:
    _, doc = note
    used = {el.get(f"{W}val") for part in doc.parts.values()
            for el in part.iter() if el.tag in (f"{W}pStyle", f"{W}rStyle")}
    assert used
    for style_id in used:
        colour = doc.inherited(style_id, f"{W}rPr/{W}color")
        if colour is not None and colour.get(f"{W}val", "auto") != "auto":
            assert contrast_on_white(colour.get(f"{W}val")) >= AA, doc.name(style_id)
    for run_colour in doc.parts["word/document.xml"].iter(f"{W}color"):
        if run_colour.get(f"{W}val", "auto") != "auto":
            assert contrast_on_white(run_colour.get(f"{W}val")) >= AA


def test_docx_link_text_says_where_it_goes(note: tuple[str, Docx]) -> None:
    """In the body; a reference in a footnote shows its record's address as printed."""
    _, doc = note
    for link in doc.parts["word/document.xml"].iter(f"{W}hyperlink"):
        words = "".join(t.text or "" for t in link.iter(f"{W}t"))
        assert not VAGUE_LINK.fullmatch(words), words


def _runs(p: ElementTree.Element) -> list[tuple[str, str | None]]:
    """(text, w:lang) of each run of a paragraph, hyperlinks included."""
    found = []
    for run in p.iter(f"{W}r"):
        lang = run.find(f"{W}rPr/{W}lang")
        found.append(("".join(t.text or "" for t in run.iter(f"{W}t")),
                      lang.get(f"{W}val") if lang is not None else None))
    return found


def _other_language_words(name: str) -> list[str]:
    """What the records in the other language say: their text, quotations and titles."""
    other = "en" if _lang(name) == "fr" else "fr"
    records = Workspace(REPO).records.values()
    words = []
    for record in records:
        if record.language == other:
            words += [record.title, record.text, *(q.text for q in record.quotes)]
    return [" ".join(w.split()) for w in words if w]


def test_docx_passages_in_the_other_language_are_tagged(note: tuple[str, Docx]) -> None:
    """Each « quotation » or “title” whose words come from a record in the other
    language is in runs tagged with that language."""
    name, doc = note
    sources = _other_language_words(name)
    other = TAGS["en" if _lang(name) == "fr" else "fr"]
    checked = 0
    for p in doc.story():
        runs = _runs(p)
        text = "".join(t for t, _ in runs)
        for quoted in re.finditer(r"[«“]\s*([^»”]{4,}?)\s*[»”]", text):
            words = " ".join(quoted.group(1).split()).rstrip("…")
            if not any(re.search(rf"\b{re.escape(words)}", source) for source in sources):
                continue
            checked += 1
            start, offset = quoted.start(1), 0
            end = start + len(quoted.group(1).rstrip().rstrip("…"))
            for piece, lang in runs:
                if offset < end and offset + len(piece) > start and piece.strip():
                    assert lang == other, (words, piece)
                offset += len(piece)
    if _lang(name) == "fr":
        assert checked, "the French examples quote English records"


# HTML -----------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, driven by Playwright (its own browser download is not used)."""
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed: .ci/run installs Debian's chromium where apt-get can")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield chromium
        chromium.close()


@pytest.mark.parametrize("name", NOTES)
def test_html_has_no_axe_violation_at_wcag_21_aa(browser, example_notes: Path, name: str) -> None:
    axe = pytest.importorskip("axe_playwright_python.sync_playwright")
    page = browser.new_page()
    try:
        page.goto((example_notes / f"{name}.html").as_uri())
        result = axe.Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA}})
    finally:
        page.close()
    violations = {v["id"]: [n["target"] for n in v["nodes"]] for v in result.response["violations"]}
    assert violations == {}
    assert result.response["passes"], "axe-core ran its rules"


def test_axe_finds_a_violation_when_there_is_one(browser, tmp_path: Path) -> None:
    """The gate can fail: a page without a language and an image without alt text."""
    axe = pytest.importorskip("axe_playwright_python.sync_playwright")
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><html><head><title>x</title></head><body>"
                   "<img src='x.png'><p style='color:#aaa'>faint</p></body></html>", encoding="utf-8")
    page = browser.new_page()
    try:
        page.goto(bad.as_uri())
        result = axe.Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA}})
    finally:
        page.close()
    found = {v["id"] for v in result.response["violations"]}
    assert {"html-has-lang", "image-alt", "color-contrast"} <= found


# PDF ------------------------------------------------------------------------------

def _structure(node, found: list) -> list:
    """Every structure element under ``node``, depth first."""
    import pikepdf

    if isinstance(node, pikepdf.Array):
        for kid in node:
            _structure(kid, found)
    elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
        found.append(node)
        if "/K" in node:
            _structure(node.K, found)
    return found


def _kids(element) -> list:
    import pikepdf

    kids = element.get("/K")
    kids = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
    return [k for k in kids if isinstance(k, pikepdf.Dictionary) and "/S" in k]


@pytest.mark.parametrize("name", NOTES)
def test_pdf_is_tagged_pdf_ua_with_its_title_language_and_marking(example_pdfs: Path, name: str) -> None:
    pikepdf = pytest.importorskip("pikepdf")
    with pikepdf.open(example_pdfs / f"{name}.pdf") as pdf:
        root = pdf.Root
        assert root.MarkInfo.Marked
        assert str(root.Lang) == TAGS[_lang(name)]
        assert root.ViewerPreferences.DisplayDocTitle
        meta = pdf.open_metadata()
        assert meta.get("pdfuaid:part") == "1"
        assert meta.get("dc:title") and str(pdf.docinfo.Title) == meta.get("dc:title")
        marking = "NON CLASSIFIÉ" if _lang(name) == "fr" else "UNCLASSIFIED"
        assert str(pdf.docinfo.Subject) == marking
        assert meta.get("dc:description") == marking
        # The marking is tagged content at the top of page 1, not only a header artifact.
        document = _kids(root.StructTreeRoot)[0]
        first = _kids(document)[0]
        assert str(first.S) == "/Classification"
        assert str(root.StructTreeRoot.RoleMap[first.S]) == "/P"


@pytest.mark.parametrize("name", NOTES)
def test_pdf_tables_have_header_cells(example_pdfs: Path, name: str) -> None:
    pikepdf = pytest.importorskip("pikepdf")
    with pikepdf.open(example_pdfs / f"{name}.pdf") as pdf:
        tables = [e for e in _structure(pdf.Root.StructTreeRoot.K, []) if e.S == "/Table"]
        assert tables
        memo = [[str(cell.S) for cell in _kids(row)] for row in _kids(tables[0])]
        assert all(row[0] == "/TH" and row[1:] == ["/TD"] for row in memo), memo
        for table in tables:
            cells = [str(c.S) for row in _kids(table) for c in _kids(row)]
            assert "/TH" in cells


@pytest.mark.parametrize("name", [n for n in NOTES if _lang(n) == "fr"])
def test_pdf_carries_the_language_of_english_passages(example_pdfs: Path, name: str) -> None:
    pikepdf = pytest.importorskip("pikepdf")
    with pikepdf.open(example_pdfs / f"{name}.pdf") as pdf:
        spans = {str(e.Lang) for e in _structure(pdf.Root.StructTreeRoot.K, []) if "/Lang" in e}
    assert spans == {"en-CA"}
