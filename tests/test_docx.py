"""DOCX writer: the package Word and LibreOffice open, checked at the XML level.

The fixture note (tests/fixtures/workspace, briefs/note.yaml) has five
citations, a bullet list with a nested item, a numbered list and two talking
points; tests/fixtures/docx adds a brief with a pipe table, several numbered
lists and text with markup characters, emoji and right-to-left script.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import io
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest
from docx.styles import BabelFish
from lxml import etree

from briefgen.builder import build
from briefgen.errors import OutputError
from briefgen.note.composer import compose
from briefgen.workspace import Workspace
from briefgen.writers import docx as docx_writer

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parent.parent
REFERENCE = REPO / "templates" / "reference.docx"

NS = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    "ct": "http://schemas.openxmlformats.org/package/2006/content-types",
}
W = "{%s}" % NS["w"]
R = "{%s}" % NS["r"]
FOOTNOTES_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
RT_FOOTNOTES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"
RT_HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
FIRST_NOTE = ("The Daily Record, “Border talks continue”, 13 December 2024. "
              "https://example.org/news/border_talks?id=1&x=2")


# Helpers ----------------------------------------------------------------------

class Package:
    """An opened DOCX: parts as parsed XML, plus the raw zip."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.zip = zipfile.ZipFile(path)

    def has(self, name: str) -> bool:
        return name in self.zip.namelist()

    def xml(self, name: str) -> etree._Element:
        return etree.fromstring(self.zip.read(name))

    def rels(self, part: str) -> dict[str, etree._Element]:
        folder, _, name = part.rpartition("/")
        rels = self.xml(f"{folder}/_rels/{name}.rels")
        return {rel.get("Id"): rel for rel in rels.findall("rel:Relationship", NS)}

    @property
    def document(self) -> etree._Element:
        return self.xml("word/document.xml")

    @property
    def footnotes(self) -> etree._Element:
        return self.xml("word/footnotes.xml")

    def normal_notes(self) -> list[etree._Element]:
        return [n for n in self.footnotes.findall("w:footnote", NS) if n.get(W + "type") is None]

    def body_paragraphs(self) -> list[etree._Element]:
        return self.document.findall("w:body/w:p", NS)

    def paragraph(self, starts: str) -> etree._Element:
        found = [p for p in self.document.iter(W + "p") if text(p).startswith(starts)]
        assert found, f"no paragraph starting {starts!r}"
        return found[0]

    def style_names(self) -> dict[str, str]:
        """Style id → style name as Word shows it ("heading 1" → "Heading 1"), from styles.xml."""
        styles = self.xml("word/styles.xml")
        return {s.get(W + "styleId"): BabelFish.internal2ui(s.find("w:name", NS).get(W + "val"))
                for s in styles.findall("w:style", NS)}

    def stories(self, kind: str) -> list[str]:
        """The header or footer part names the document's sections point at."""
        rels = self.rels("word/document.xml")
        names = []
        for ref in self.document.iter(W + f"{kind}Reference"):
            names.append("word/" + rels[ref.get(R + "id")].get("Target"))
        return names


def text(element: etree._Element) -> str:
    """The visible text of a paragraph or note: w:t runs, tabs as tabs."""
    parts = []
    for node in element.iter(W + "t", W + "tab", W + "br"):
        parts.append(node.text or "" if node.tag == W + "t" else ("\t" if node.tag == W + "tab" else "\n"))
    return "".join(parts)


def pstyle(p: etree._Element) -> str | None:
    style = p.find("w:pPr/w:pStyle", NS)
    return None if style is None else style.get(W + "val")


def num_pr(p: etree._Element) -> tuple[int, int] | None:
    """(numId, ilvl) set directly on a paragraph."""
    pr = p.find("w:pPr/w:numPr", NS)
    if pr is None:
        return None
    return int(pr.find("w:numId", NS).get(W + "val")), int(pr.find("w:ilvl", NS).get(W + "val"))


def build_docx(ws: Path, name: str = "note", formats: tuple[str, ...] = ("docx",),
               out: str = "out") -> Package:
    build(Workspace(ws), [name], list(formats), Path(out))
    return Package(ws / out / f"{name}.docx")


def add_docx_fixtures(ws: Path) -> Path:
    """The extra brief (tables, lists, odd characters) and its record."""
    for folder in ("briefs", "sources"):
        for path in (FIXTURES / "docx" / folder).iterdir():
            shutil.copy(path, ws / folder / path.name)
    return ws


@pytest.fixture
def note(workspace: Path) -> Package:
    return build_docx(workspace, formats=("docx", "md"))


@pytest.fixture
def layout(workspace: Path) -> Package:
    return build_docx(add_docx_fixtures(workspace), "layout", formats=("docx", "md"))


# Footnotes --------------------------------------------------------------------

def test_footnotes_part_is_registered(note: Package) -> None:
    types = note.xml("[Content_Types].xml")
    overrides = {o.get("PartName"): o.get("ContentType") for o in types.findall("ct:Override", NS)}
    assert overrides.get("/word/footnotes.xml") == FOOTNOTES_CT
    rels = note.rels("word/document.xml").values()
    assert [r.get("Target") for r in rels if r.get("Type") == RT_FOOTNOTES] == ["footnotes.xml"]


def test_separator_notes_come_first(note: Package) -> None:
    notes = note.footnotes.findall("w:footnote", NS)
    assert [(n.get(W + "type"), n.get(W + "id")) for n in notes[:2]] == [
        ("separator", "-1"), ("continuationSeparator", "0")]
    assert notes[0].find(".//w:separator", NS) is not None
    assert notes[1].find(".//w:continuationSeparator", NS) is not None


def test_one_word_footnote_per_markdown_footnote(note: Package, workspace: Path) -> None:
    markdown = (workspace / "out" / "note.md").read_text(encoding="utf-8")
    definitions = re.findall(r"^\[\^(\d+)\]:", markdown, re.M)
    references = [r.get(W + "id") for r in note.document.iter(W + "footnoteReference")]
    notes = [n.get(W + "id") for n in note.normal_notes()]
    assert len(definitions) == 5
    assert len(references) == len(notes) == len(definitions)
    assert sorted(references, key=int) == notes == [str(i) for i in range(1, len(notes) + 1)]
    assert len(set(references)) == len(references), "each note is referenced exactly once"


def test_footnote_text_matches_the_markdown(note: Package, workspace: Path) -> None:
    markdown = (workspace / "out" / "note.md").read_text(encoding="utf-8")
    expected = {n: re.sub(r"<(https?://[^>]+)>", r"\1", t)
                for n, t in re.findall(r"^\[\^(\d+)\]: (.*)$", markdown, re.M)}
    got = {n.get(W + "id"): text(n).strip() for n in note.normal_notes()}
    assert got["1"] == FIRST_NOTE
    assert got == expected


def test_footnote_references_follow_their_sentences(note: Package) -> None:
    p = note.paragraph("Officials met on the border.")
    runs = p.findall("w:r", NS)
    kinds = ["ref" if r.find("w:footnoteReference", NS) is not None else text(r) for r in runs]
    assert kinds == ["Officials met on the border.", "ref", " Seizures from the north are small.", "ref"]


def test_footnote_url_is_a_hyperlink_related_from_the_footnotes_part(note: Package) -> None:
    first = note.normal_notes()[0]
    (link,) = first.findall(".//w:hyperlink", NS)
    assert text(link) == "https://example.org/news/border_talks?id=1&x=2"
    rel = note.rels("word/footnotes.xml")[link.get(R + "id")]
    assert rel.get("Type") == RT_HYPERLINK
    assert rel.get("TargetMode") == "External"
    assert rel.get("Target") == "https://example.org/news/border_talks?id=1&x=2"
    document_targets = [r.get("Target") for r in note.rels("word/document.xml").values()]
    assert "https://example.org/news/border_talks?id=1&x=2" not in document_targets


def test_footnote_styles(note: Package) -> None:
    names = note.style_names()
    for footnote in note.normal_notes():
        paragraphs = footnote.findall("w:p", NS)
        assert paragraphs and all(names[pstyle(p)] == "Footnote Text" for p in paragraphs)
        mark = paragraphs[0].find("w:r", NS)
        assert mark.find("w:footnoteRef", NS) is not None
        assert names[mark.find("w:rPr/w:rStyle", NS).get(W + "val")] == "Footnote Reference"
    refs = list(note.document.iter(W + "footnoteReference"))
    for ref in refs:
        run = ref.getparent()
        assert names[run.find("w:rPr/w:rStyle", NS).get(W + "val")] == "Footnote Reference"


# Page furniture -------------------------------------------------------------

def test_marking_in_header_and_footer_of_every_section(note: Package) -> None:
    document = docx.Document(str(note.path))
    for section in document.sections:
        for story in (section.header, section.footer):
            assert not story.is_linked_to_previous
            markings = [p for p in story.paragraphs if p.text == "UNCLASSIFIED"]
            assert markings and markings[0].style.name == "Classification"
    assert note.stories("header") and note.stories("footer")


def test_footer_says_page_x_of_y(note: Package) -> None:
    for name in note.stories("footer"):
        footer = note.xml(name)
        shown = []
        for run in footer.iter(W + "r"):
            instr = run.find("w:instrText", NS)
            char = run.find("w:fldChar", NS)
            if instr is not None:
                shown.append("{" + instr.text.strip() + "}")
            elif char is None:
                shown.append(text(run))
        for simple in footer.iter(W + "fldSimple"):   # the other way to write a field
            shown.append("{" + simple.get(W + "instr").strip() + "}")
        line = re.sub(r"\}\d+", "}", "".join(shown))   # drop the cached field results
        assert "UNCLASSIFIEDPage {PAGE} of {NUMPAGES}" in line


def test_marking_on_first_and_even_pages_when_the_reference_has_them(workspace: Path) -> None:
    reference = docx.Document(str(REFERENCE))
    reference.sections[0].different_first_page_header_footer = True
    reference.settings.odd_and_even_pages_header_footer = True
    (workspace / "templates").mkdir()
    reference.save(str(workspace / "templates" / "reference.docx"))
    document = docx.Document(str(build_docx(workspace).path))
    section = document.sections[0]
    stories = [section.header, section.footer, section.first_page_footer,
               section.even_page_header, section.even_page_footer]
    for story in stories:
        assert "UNCLASSIFIED" in [p.text for p in story.paragraphs]
    # Page 1 shows its top marking as the body's first paragraph (see below), not twice.
    assert "UNCLASSIFIED" not in [p.text for p in section.first_page_header.paragraphs]
    assert document.paragraphs[0].text == "UNCLASSIFIED"


def test_marking_is_body_text_at_the_top_of_page_one(note: Package) -> None:
    """Screen readers skip headers (and a tagged PDF makes them artifacts): page 1's top
    marking is the first paragraph of the body, and page 1 has a header without it."""
    document = docx.Document(str(note.path))
    first = document.paragraphs[0]
    assert (first.text, first.style.name) == ("UNCLASSIFIED", "Classification")
    section = document.sections[0]
    assert section.different_first_page_header_footer
    assert "UNCLASSIFIED" not in "".join(p.text for p in section.first_page_header.paragraphs)
    assert "UNCLASSIFIED" in [p.text for p in section.first_page_footer.paragraphs]
    assert document.core_properties.subject == "UNCLASSIFIED"        # the PDF's /Subject too


def test_marking_follows_the_brief_classification(workspace: Path) -> None:
    brief = workspace / "briefs" / "note.yaml"
    brief.write_text(brief.read_text(encoding="utf-8") + "classification: PROTECTED B\n",
                     encoding="utf-8")
    package = build_docx(workspace)
    document = docx.Document(str(package.path))
    assert document.paragraphs[0].text == "PROTECTED B"
    first_header = document.sections[0].first_page_header.part.partname.lstrip("/")
    for name in package.stories("header") + package.stories("footer"):
        if name != first_header:
            assert "PROTECTED B" in text(package.xml(name))


# Lists ------------------------------------------------------------------------

def test_talking_points_have_their_style_and_bullets(note: Package) -> None:
    names = note.style_names()
    points = [p for p in note.body_paragraphs() if names.get(pstyle(p)) == "Talking Point"]
    assert [text(p) for p in points] == ["Canada works with the U.S.", "Figures are small."]
    numbering = note.xml("word/numbering.xml")
    num_ids = {n.get(W + "numId") for n in numbering.findall("w:num", NS)}
    for p in points:
        num_id, level = num_pr(p)
        assert str(num_id) in num_ids and level == 0


def test_nested_bullet_is_level_one_of_the_same_list(note: Package) -> None:
    parent = num_pr(note.paragraph("A second bullet"))
    nested = num_pr(note.paragraph("nested under it"))
    assert parent[1] == 0 and nested == (parent[0], 1)


def _num(package: Package, num_id: int) -> etree._Element:
    numbering = package.xml("word/numbering.xml")
    (num,) = [n for n in numbering.findall("w:num", NS) if n.get(W + "numId") == str(num_id)]
    return num


def _start_override(num: etree._Element, level: int = 0) -> int | None:
    for override in num.findall("w:lvlOverride", NS):
        if override.get(W + "ilvl") == str(level):
            start = override.find("w:startOverride", NS)
            return None if start is None else int(start.get(W + "val"))
    return None


def test_numbered_list_restarts(note: Package) -> None:
    first, second = num_pr(note.paragraph("First")), num_pr(note.paragraph("Second"))
    assert first == second and first[1] == 0
    assert _start_override(_num(note, first[0])) == 1


def test_each_numbered_list_counts_from_its_own_start(layout: Package) -> None:
    lists = {start: num_pr(layout.paragraph(start)) for start in
             ("First step", "Second step", "Again one", "Again two", "Three on", "Four on")}
    assert lists["First step"][0] == lists["Second step"][0]
    assert lists["Again one"][0] == lists["Again two"][0] != lists["First step"][0]
    assert lists["Three on"][0] == lists["Four on"][0] != lists["Again one"][0]
    assert _start_override(_num(layout, lists["First step"][0])) == 1
    assert _start_override(_num(layout, lists["Again one"][0])) == 1
    assert _start_override(_num(layout, lists["Three on"][0])) == 3
    abstract = {_num(layout, n).find("w:abstractNumId", NS).get(W + "val") for n, _ in lists.values()}
    assert len(abstract) == 1, "restarted lists share one list definition"


def test_numbered_list_nested_in_bullets(layout: Package) -> None:
    bullet = num_pr(layout.paragraph("point two"))
    sub = [num_pr(layout.paragraph(t)) for t in ("sub one", "sub two")]
    assert bullet[1] == 0
    assert sub[0] == sub[1] and sub[0][1] == 1 and sub[0][0] != bullet[0]
    assert _start_override(_num(layout, sub[0][0]), level=1) == 1
    intro = layout.paragraph("Intro line:")
    assert num_pr(intro) is None, "a list right after a paragraph line is still a list"


def test_talking_point_with_a_sub_point(layout: Package) -> None:
    names = layout.style_names()
    point, sub = layout.paragraph("A point with detail:"), layout.paragraph("a sub-point")
    assert names[pstyle(point)] == names[pstyle(sub)] == "Talking Point"
    assert num_pr(sub) == (num_pr(point)[0], 1)


def test_classes_in_brief_text_make_talking_points(layout: Package) -> None:
    names = layout.style_names()
    said = layout.paragraph("Say this first.")
    assert names[pstyle(said)] == "Talking Point"   # bulleted by the style itself
    message = layout.paragraph("A key message")
    assert names[pstyle(message)] == "Talking Point" and num_pr(message)[1] == 0


def test_list_continuation_lines_read_as_one_space(workspace: Path) -> None:
    brief = workspace / "briefs" / "note.yaml"
    brief.write_text(brief.read_text(encoding="utf-8").replace(
        "  - A second bullet\n", "  - A second bullet that wraps\n    onto a second line\n"),
        encoding="utf-8")
    package = build_docx(workspace)
    assert text(package.paragraph("A second bullet")) == "A second bullet that wraps onto a second line"


# Headings, inline formatting, links ------------------------------------------

def test_headings(note: Package) -> None:
    names = note.style_names()
    marking, *paragraphs = note.body_paragraphs()
    assert (names[pstyle(marking)], text(marking)) == ("Classification", "UNCLASSIFIED")
    assert names[pstyle(paragraphs[0])] == "Title"
    assert text(paragraphs[0]) == "MEMORANDUM TO THE MINISTER"
    headings = [text(p) for p in paragraphs if names.get(pstyle(p)) == "Heading 1"]
    assert headings == ["Summary", "Background", "Considerations", "Talking Points",
                        "Other Sources Consulted"]
    styles = note.xml("word/styles.xml")
    (heading1,) = [s for s in styles.findall("w:style", NS)
                   if s.find("w:name", NS).get(W + "val").lower() == "heading 1"]
    assert heading1.find("w:pPr/w:outlineLvl", NS).get(W + "val") == "0"


def test_bold_and_italic_runs(note: Package) -> None:
    runs = {text(r): r for r in note.paragraph("A bullet with").findall(".//w:r", NS)}
    assert runs["bold"].find("w:rPr/w:b", NS) is not None
    assert runs["bold"].find("w:rPr/w:i", NS) is None
    assert runs["italic"].find("w:rPr/w:i", NS) is not None
    assert runs["A bullet with "].find("w:rPr/w:b", NS) is None


def test_body_link_is_a_hyperlink_on_the_document_part(note: Package) -> None:
    (link,) = note.paragraph("A bullet with").findall("w:hyperlink", NS)
    assert text(link) == "link"
    rel = note.rels("word/document.xml")[link.get(R + "id")]
    assert (rel.get("Type"), rel.get("Target"), rel.get("TargetMode")) == (
        RT_HYPERLINK, "https://example.org/a", "External")
    names = note.style_names()
    assert names[link.find("w:r/w:rPr/w:rStyle", NS).get(W + "val")] == "Hyperlink"


def test_literal_text_stays_literal(note: Package) -> None:
    assert text(note.paragraph("Write to")) == (
        "Write to minister@example.org; the text [@news-article] stays literal. "
        "Literal braces stay: {{ 1 + 1 }}.")


# Tables -------------------------------------------------------------------------

def test_memo_header_is_a_table_across_the_text_width(note: Package) -> None:
    document = docx.Document(str(note.path))
    table = document.tables[0]
    assert table.style.name == "Memo Header"
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows == [["To:", "The Minister"], ["From:", "Deputy Minister"],
                    ["Subject:", "Border cooperation | test"], ["Date:", "10 April 2025"],
                    ["Tracking no.:", "TEST-001"]]
    section = document.sections[0]
    text_width = section.page_width - section.left_margin - section.right_margin
    widths = [cell.width for cell in table.rows[0].cells]
    assert sum(widths) == text_width and widths[0] < widths[1]
    assert all(run.bold for row in table.rows for run in row.cells[0].paragraphs[0].runs)
    assert note.document.find(".//w:tbl//w:tblHeader", NS) is None, "a layout table has no header row"


def test_data_table_has_style_and_header_row(layout: Package) -> None:
    document = docx.Document(str(layout.path))
    (data,) = [t for t in document.tables if t.style.name == "Table"]
    assert [[c.text for c in row.cells] for row in data.rows] == [
        ["Region", "Seizures (kg)"], ["North", "1"], ["South", "999"]]
    rows = data._tbl.findall("w:tr", NS)
    assert rows[0].find("w:trPr/w:tblHeader", NS) is not None
    assert all(r.find("w:trPr/w:tblHeader", NS) is None for r in rows[1:])
    assert all(run.bold for cell in data.rows[0].cells for run in cell.paragraphs[0].runs)
    assert data.cell(1, 1).paragraphs[0].alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.RIGHT


def test_two_tables_in_a_row_stay_two_tables(workspace: Path) -> None:
    brief = workspace / "briefs" / "note.yaml"
    brief.write_text(brief.read_text(encoding="utf-8").replace(
        "considerations: |\n",
        "considerations: |\n  | A |\n  |---|\n  | 1 |\n\n  | B |\n  |---|\n  | 2 |\n\n"),
        encoding="utf-8")
    body = build_docx(workspace).document.find("w:body", NS)
    tables = body.findall("w:tbl", NS)
    assert len(tables) == 3          # the memo header and the two data tables
    assert tables[2].getprevious().tag == W + "p", "a paragraph keeps Word from merging them"


# Metadata ---------------------------------------------------------------------

def test_document_language(note: Package) -> None:
    styles = note.xml("word/styles.xml")
    lang = styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:lang", NS)
    assert lang.get(W + "val") == "en-CA"
    assert docx.Document(str(note.path)).core_properties.language == "en-CA"


def test_french_note_is_fr_ca(workspace: Path) -> None:
    brief = workspace / "briefs" / "note.yaml"
    brief.write_text(brief.read_text(encoding="utf-8") + "lang: fr\n", encoding="utf-8")
    package = build_docx(workspace)
    lang = package.xml("word/styles.xml").find("w:docDefaults/w:rPrDefault/w:rPr/w:lang", NS)
    assert lang.get(W + "val") == "fr-CA"
    footer = text(package.xml(package.stories("footer")[0]))
    assert "NON CLASSIFIÉ" in footer and "Page 1 de 1" in footer


def test_core_properties(note: Package) -> None:
    props = docx.Document(str(note.path)).core_properties
    assert props.title == "Border cooperation | test"
    assert props.author == "An Analyst" and props.author != "python-docx"
    assert props.last_modified_by == "An Analyst"
    assert props.created == props.modified == dt.datetime(2025, 4, 10, tzinfo=dt.timezone.utc)
    assert props.revision == 1
    assert props.identifier == "TEST-001"
    assert "python-docx" not in note.zip.read("docProps/core.xml").decode()
    assert not note.has("docProps/thumbnail.jpeg"), "the template's preview picture is not this note"


def test_source_date_epoch_sets_the_dates(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    props = docx.Document(str(build_docx(workspace).path)).core_properties
    assert props.created == props.modified == dt.datetime(2023, 11, 14, 22, 13, 20,
                                                          tzinfo=dt.timezone.utc)


# Determinism --------------------------------------------------------------------

def test_two_builds_are_byte_identical_and_zip_dates_fixed(workspace: Path) -> None:
    first = build_docx(workspace).path.read_bytes()
    second = build_docx(workspace, out="again").path.read_bytes()
    assert first == second
    archive = zipfile.ZipFile(io.BytesIO(first))
    assert archive.namelist()[0] == "[Content_Types].xml"
    assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_build_in_another_process_is_byte_identical(workspace: Path) -> None:
    here = build_docx(workspace).path.read_bytes()
    code = ("import sys; from pathlib import Path; from briefgen.builder import build; "
            "from briefgen.workspace import Workspace; "
            "build(Workspace(Path(sys.argv[1])), ['note'], ['docx'], Path('other'))")
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env["PYTHONHASHSEED"] = "12345"
    subprocess.run([sys.executable, "-c", code, str(workspace)], check=True, env=env, cwd=REPO)
    assert (workspace / "other" / "note.docx").read_bytes() == here


# Reference documents ----------------------------------------------------------

def test_reference_without_a_required_style_names_it(workspace: Path) -> None:
    reference = docx.Document(str(REFERENCE))
    style = reference.styles["Talking Point"]
    style.element.getparent().remove(style.element)
    (workspace / "templates").mkdir()
    reference.save(str(workspace / "templates" / "reference.docx"))
    with pytest.raises(OutputError) as caught:
        build_docx(workspace)
    assert "Talking Point" in str(caught.value)
    assert "reference.docx" in str(caught.value)
    assert not (workspace / "out" / "note.docx").exists()


def test_reference_with_a_style_of_the_wrong_kind_is_an_error(workspace: Path) -> None:
    reference = docx.Document(str(REFERENCE))
    table = reference.styles["Table"]
    table.element.getparent().remove(table.element)
    reference.styles.add_style("Table", docx.enum.style.WD_STYLE_TYPE.PARAGRAPH)
    (workspace / "templates").mkdir()
    reference.save(str(workspace / "templates" / "reference.docx"))
    with pytest.raises(OutputError, match="'Table'"):
        build_docx(workspace)


@pytest.mark.parametrize("content", [
    os.urandom(2048),
    b"",
    b"PK\x03\x04 truncated zip",
])
def test_damaged_reference_is_an_output_error(workspace: Path, content: bytes) -> None:
    (workspace / "templates").mkdir()
    (workspace / "templates" / "reference.docx").write_bytes(content)
    with pytest.raises(OutputError) as caught:
        build_docx(workspace)
    assert "reference.docx" in str(caught.value)


def test_zip_that_is_not_a_word_document_is_an_output_error(workspace: Path) -> None:
    (workspace / "templates").mkdir()
    with zipfile.ZipFile(workspace / "templates" / "reference.docx", "w") as archive:
        archive.writestr("hello.txt", "not a document")
    with pytest.raises(OutputError):
        build_docx(workspace)


def test_missing_reference_file_is_an_output_error(workspace: Path) -> None:
    note = compose(Workspace(workspace), workspace / "briefs" / "note.yaml")
    with pytest.raises(OutputError):
        docx_writer.write(note, workspace / "no-such-reference.docx")


def test_talking_points_use_their_own_list_from_the_reference(workspace: Path) -> None:
    """A reference.docx whose Talking Point style has its own numbering keeps it."""
    reference = docx.Document(str(REFERENCE))
    numbering = reference.part.numbering_part.element
    bullets = reference.styles["List Bullet"].element.pPr.numPr.numId.val
    abstract = numbering.num_having_numId(bullets).abstractNumId.val
    own = numbering.add_num(abstract).numId
    ppr = reference.styles["Talking Point"].element.get_or_add_pPr()
    ppr.get_or_add_numPr().get_or_add_numId().val = own
    (workspace / "templates").mkdir()
    reference.save(str(workspace / "templates" / "reference.docx"))
    package = build_docx(workspace)
    assert num_pr(package.paragraph("Canada works with"))[0] == own
    assert num_pr(package.paragraph("A second bullet"))[0] == bullets


def test_builtin_reference_defines_every_style_the_writer_uses() -> None:
    document = docx.Document(str(REFERENCE))
    names = {s.name for s in document.styles}
    wanted = docx_writer.PARAGRAPH_STYLES + docx_writer.CHARACTER_STYLES + docx_writer.TABLE_STYLES
    missing = [n for n in wanted if n not in names and n.lower() not in names]
    assert not missing


def test_reference_generator_is_reproducible(tmp_path: Path) -> None:
    """tools/make_reference_docx.py rebuilds the committed file part for part
    (so a style changed in the tool is a style changed in templates/)."""
    target = tmp_path / "reference.docx"
    subprocess.run([sys.executable, str(REPO / "tools" / "make_reference_docx.py"), str(target)],
                   check=True, capture_output=True)

    def parts(path: Path) -> dict[str, bytes]:
        with zipfile.ZipFile(path) as archive:
            return {info.filename: archive.read(info) for info in archive.infolist()}

    assert parts(target) == parts(REFERENCE)
    assert {i.date_time for i in zipfile.ZipFile(target).infolist()} == {(1980, 1, 1, 0, 0, 0)}


def _luminance(hex_colour: str) -> float:
    channels = []
    for i in (0, 2, 4):
        c = int(hex_colour[i:i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
    r, g, b = channels
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_text_colours_of_used_styles_pass_wcag_contrast() -> None:
    document = docx.Document(str(REFERENCE))
    wanted = docx_writer.PARAGRAPH_STYLES + docx_writer.CHARACTER_STYLES
    for name in wanted:
        style = document.styles[name]
        while style is not None and (style.font.color is None or style.font.color.rgb is None):
            style = style.base_style
        if style is None:
            continue
        ratio = (1.05) / (_luminance(str(style.font.color.rgb)) + 0.05)
        assert ratio >= 4.5, f"{name}: {style.font.color.rgb} is {ratio:.2f}:1 on white"


# Text as written ------------------------------------------------------------------

def test_markup_characters_emoji_and_rtl_text_come_through(layout: Package) -> None:
    body = text(layout.document)
    notes = text(layout.footnotes)
    # brief text (staff Markdown): entities become characters, raw HTML tags are dropped
    assert "Costs rose & fell; staff wrote A & B, raw HTML and 😀 here." in body
    assert "Arabic: مرحبا بالعالم. Hebrew: שלום." in body
    assert "<b>" not in body
    # record text is data: shown exactly as written, wherever it lands
    assert ("Smith & Sons <Ltd>, “<script>alert('x')</script> & Co.: 🇨🇦 مرحبا {{ x }}”, "
            "1 March 2025. https://example.org/odd_(x)?a=1&b=2") in notes
    raw = layout.zip.read("word/footnotes.xml").decode("utf-8")
    assert "&lt;script&gt;alert('x')&lt;/script&gt; &amp; Co." in raw
    assert docx.Document(str(layout.path)).core_properties.title == "Q&A on tags & costs 🇨🇦"


def test_characters_xml_cannot_hold_do_not_break_the_document(workspace: Path) -> None:
    """Whatever reaches the writer (text pasted from Word or a PDF), the DOCX is written."""
    note = compose(Workspace(workspace), workspace / "briefs" / "note.yaml")
    odd = "Line\x0bbreak, page\x0cbreak, bell\x07, nul\x00, \ud800 lone surrogate.\n"
    note = dataclasses.replace(note, body=note.body + "\n" + odd)
    path = workspace / "odd.docx"
    path.write_bytes(docx_writer.write(note, REFERENCE))
    package = Package(path)
    assert text(package.paragraph("Line")) == "Line break, page break, bell, nul,  lone surrogate."


def test_python_docx_reopens_the_output(note: Package) -> None:
    document = docx.Document(str(note.path))
    texts = [p.text for p in document.paragraphs]
    assert texts[:2] == ["UNCLASSIFIED", "MEMORANDUM TO THE MINISTER"]
    assert "Canada works with the U.S." in texts


# Other readers ------------------------------------------------------------------

@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_converts_it_to_pdf(note: Package, tmp_path: Path) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    profile = tmp_path / "lo-profile"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(note.path)],
                   check=True, capture_output=True, timeout=120)
    pdf = tmp_path / "note.pdf"
    assert pdf.is_file() and pdf.stat().st_size > 0
    shown = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                           capture_output=True, text=True, timeout=60).stdout
    assert shown.count("UNCLASSIFIED") >= 2, "marking at the top and the bottom of the page"
    assert "Page 1 of 1" in shown
    assert "Officials met on the border." in shown
    assert "The Daily Record, “Border talks continue”, 13 December 2024." in shown


def test_pandoc_reads_real_footnotes(note: Package) -> None:
    pypandoc = pytest.importorskip("pypandoc")
    markdown = pypandoc.convert_file(str(note.path), "markdown", extra_args=["--wrap=none"])
    assert re.search(r"Officials met on the border\.\[\^1\]", markdown)
    assert "[^5]:" in markdown and "[^6]" not in markdown
    plain = markdown.replace("“", '"').replace("”", '"')    # Pandoc straightens quotes
    assert 'The Daily Record, "Border talks continue", 13 December 2024.' in plain
    assert "https://example.org/news/border_talks?id=1&x=2" in markdown


def _pandoc_tables(path: Path, source: str) -> list[dict]:
    """The tables Pandoc reads from a file, as its JSON AST."""
    import json

    pypandoc = pytest.importorskip("pypandoc")
    ast = json.loads(pypandoc.convert_file(str(path), "json", format=source))
    found: list[dict] = []

    def walk(node: object) -> None:       # tables inside divs too
        if isinstance(node, dict):
            if node.get("t") == "Table":
                found.append(node)
            walk(node.get("c"))
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(ast["blocks"])
    return found


def _head_cells(table: dict) -> list:
    """The cells of the table head: Table [attr, caption, colspecs, TableHead [attr, rows], …]."""
    return [cell for row in table["c"][3][1] for cell in row[1]]


def test_pandoc_reads_the_memo_header_without_a_header_row(workspace: Path) -> None:
    """"To:" is a row label, not a column heading, in the DOCX and in the Markdown."""
    build(Workspace(workspace), ["note"], ["md", "docx"])
    for path, source in ((workspace / "out" / "note.docx", "docx"),
                         (workspace / "out" / "note.md", "markdown")):
        memo = _pandoc_tables(path, source)[0]
        assert all(not cell[4] for cell in _head_cells(memo)), source
    tbl_look = Package(workspace / "out" / "note.docx").document.find(".//w:tbl/w:tblPr/w:tblLook", NS)
    assert (tbl_look.get(W + "firstRow"), tbl_look.get(W + "firstColumn")) == ("0", "1")


def test_a_reference_without_table_heading_style_uses_compact_for_labels(workspace: Path) -> None:
    """A staff reference.docx made before "Table Heading" existed still builds."""
    reference = docx.Document(str(REFERENCE))
    styles = reference.styles.element
    styles.remove(next(s for s in styles.style_lst if s.name_val == "Table Heading"))
    (workspace / "templates").mkdir()
    reference.save(str(workspace / "templates" / "reference.docx"))
    package = build_docx(workspace)
    names = package.style_names()
    labels = [pstyle(row.find("w:tc/w:p", NS)) for row in package.document.find(".//w:tbl", NS)
              .findall("w:tr", NS)]
    assert labels and {names[label] for label in labels} == {"Compact"}


def test_header_block_labels_use_the_table_heading_style(note: Package) -> None:
    names = note.style_names()
    rows = note.document.find(".//w:tbl", NS).findall("w:tr", NS)
    assert [names[pstyle(tc.find("w:p", NS))] for tc in rows[0].findall("w:tc", NS)] == \
        ["Table Heading", "Compact"]
