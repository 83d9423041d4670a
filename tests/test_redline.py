"""briefgen redline: the note's changes since an earlier version as Word tracked changes.

The earlier and later versions are the real example brief and an edited copy
(prose, a talking point, cited sentences whose footnote changed, went or came,
the memo header table, the classification). The redline is read back three
ways: by Pandoc, by an independent Accept All / Reject All over its XML
(tests/redlines.py), and by LibreOffice.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from outputs import W, docx_part
from redlines import edited, parts, reading
from test_cli import run

BRIEF = "briefs/border-cooperation.md"
REDLINE = "out/border-cooperation-redline.docx"
DATE = "2025-04-10T00:00:00Z"


def _git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", "-c", "user.name=Analyst", "-c", "user.email=analyst@example.org",
                    *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example workspace in git; the brief then edited, its two notes built to out/."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = tmp_path_factory.mktemp("redline") / "desk"
    assert run("init", str(root), cwd=root.parent).returncode == 0
    _git("init", "-q", cwd=root)
    _git("add", "-A", cwd=root)
    _git("commit", "-qm", "sent for approval", cwd=root)
    assert run("build", "border-cooperation", "--no-check", cwd=root).returncode == 0
    shutil.copy(root / "out/border-cooperation.docx", root / "sent.docx")
    (root / "sent.md").write_text((root / BRIEF).read_text(encoding="utf-8"), encoding="utf-8")
    brief = root / BRIEF
    brief.write_text(edited(brief.read_text(encoding="utf-8")), encoding="utf-8")
    result = run("redline", "border-cooperation", "--against", "HEAD", cwd=root)
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"wrote out/border-cooperation-redline\.docx \(\d+ insertions, \d+ "
                        r"deletions since HEAD\)\n", result.stdout)
    shutil.copy(root / REDLINE, root / "redline-head.docx")
    assert run("build", "border-cooperation", "--no-check", cwd=root).returncode == 0
    return root


def test_accept_all_gives_the_new_note_and_reject_all_the_old(desk: Path) -> None:
    redline = desk / "redline-head.docx"
    assert reading(redline, accept=True) == reading(desk / "out/border-cooperation.docx", None)
    assert reading(redline, accept=False) == reading(desk / "sent.docx", None)


def _pandoc(path: Path, changes: str | None = None) -> str:
    pypandoc = pytest.importorskip("pypandoc")
    extra = ["--wrap=none"] + ([f"--track-changes={changes}"] if changes else [])
    text = pypandoc.convert_file(str(path), "plain", format="docx", extra_args=extra)
    # Pandoc keeps the empty shell of a paragraph whose mark was inserted when it
    # rejects changes (a bullet with no text): the text is what is compared.
    return "\n".join(line for line in text.splitlines() if line.strip() not in ("", "-"))


def test_pandoc_reads_the_new_text_accepted_and_the_old_rejected(desk: Path) -> None:
    redline = desk / "redline-head.docx"
    assert _pandoc(redline, "accept") == _pandoc(desk / "out/border-cooperation.docx")
    assert _pandoc(redline, "reject") == _pandoc(desk / "sent.docx")
    shown = pypandoc_all(redline)
    assert '<span class="insertion"' in shown and '<span class="deletion"' in shown


def pypandoc_all(path: Path) -> str:
    import pypandoc

    return pypandoc.convert_file(str(path), "html", format="docx",
                                 extra_args=["--track-changes=all"])


def _changes(root) -> list:
    return [el for el in root.iter() if el.tag in (f"{W}ins", f"{W}del")]


def _text(el) -> str:
    return "".join(t.text or "" for t in el.iter() if t.tag in (f"{W}t", f"{W}delText"))


def test_every_kind_of_change_is_tracked_where_it_happened(desk: Path) -> None:
    found = parts(desk / "redline-head.docx")
    body, notes = found["word/document.xml"], found["word/footnotes.xml"]
    inserted = [_text(el).strip() for el in body.iter(f"{W}ins")]
    deleted = [_text(el).strip() for el in body.iter(f"{W}del")]
    assert "new" in inserted                                      # memo header table
    table = body.find(f".//{W}tbl")
    assert any(_text(el).strip() == "new" for el in table.iter(f"{W}ins"))
    assert "updates you" in "".join(inserted) and "provides information" in "".join(deleted)
    assert "closely" in inserted and ", share information" in deleted     # talking point
    assert "Canada will keep working with the United States on border security." in inserted
    assert "PROTECTED A" in inserted and "UNCLASSIFIED" in deleted  # the marking on page 1
    for name, root in found.items():                              # and on every page
        if name.startswith(("word/header", "word/footer")) and _text(root):   # page 1: empty
            assert [_text(el) for el in root.iter(f"{W}ins")] == ["PROTECTED A"]
            assert [_text(el) for el in root.iter(f"{W}del")] == ["UNCLASSIFIED"]
    # The changed locator is tracked inside its footnote; the removed and added
    # footnotes' references are a deletion and an insertion in the body.
    assert any(", p. 2" in _text(el) for el in notes.iter(f"{W}ins"))
    refs = {el.tag: [r.get(f"{W}id") for r in el.iter(f"{W}footnoteReference")]
            for el in _changes(body) if el.find(f".//{W}footnoteReference") is not None}
    assert len(refs[f"{W}del"]) == 1 and len(refs[f"{W}ins"]) == 1
    by_id = {n.get(f"{W}id"): n for n in notes.iter(f"{W}footnote")}
    assert "Global News" in _text(by_id[refs[f"{W}del"][0]].find(f".//{W}del"))
    assert "Truth Social" in _text(by_id[refs[f"{W}ins"][0]].find(f".//{W}ins"))


def test_footnotes_are_numbered_and_stored_in_reading_order(desk: Path) -> None:
    """LibreOffice gives the n-th reference the n-th footnote of the part."""
    found = parts(desk / "redline-head.docx")
    refs = [r.get(f"{W}id") for r in found["word/document.xml"].iter(f"{W}footnoteReference")]
    stored = [n.get(f"{W}id") for n in found["word/footnotes.xml"].iter(f"{W}footnote")
              if n.get(f"{W}type") is None]
    assert refs == stored == [str(n) for n in range(1, len(refs) + 1)]


def test_changes_carry_the_author_and_the_brief_date_and_unique_ids(desk: Path) -> None:
    found = parts(desk / "redline-head.docx")
    marks = [el for root in found.values() for el in root.iter()
             if el.tag in (f"{W}ins", f"{W}del", f"{W}rPrChange", f"{W}pPrChange")]
    assert len(marks) > 10
    assert {el.get(f"{W}author") for el in marks} == {
        "Policy analyst, Canada–U.S. Border Policy Directorate"}       # prepared_by
    assert {el.get(f"{W}date") for el in marks} == {DATE}
    ids = [el.get(f"{W}id") for el in marks]
    assert len(ids) == len(set(ids))


def test_author_from_settings_and_from_the_command_line(desk: Path) -> None:
    settings = desk / "briefgen.toml"
    kept = settings.read_text(encoding="utf-8")
    try:
        settings.write_text(kept + '\n[review]\nauthor = "Border Policy Directorate"\n',
                            encoding="utf-8")
        result = run("redline", BRIEF, "--against", "HEAD", "--out", "out/a", cwd=desk)
        assert result.returncode == 0, result.stderr
        result = run("redline", BRIEF, "--against", "HEAD", "--author", "J. Doe", "--out",
                     "out/b", cwd=desk)
        assert result.returncode == 0, result.stderr
    finally:
        settings.write_text(kept, encoding="utf-8")
    for folder, who in (("a", "Border Policy Directorate"), ("b", "J. Doe")):
        body = docx_part(desk / "out" / folder / "border-cooperation-redline.docx")
        assert {el.get(f"{W}author") for el in body.iter(f"{W}ins")} == {who}


def test_the_same_redline_from_a_revision_a_brief_file_or_the_sent_docx(desk: Path) -> None:
    made = {}
    for against in ("HEAD", "sent.md", "sent.docx"):
        result = run("redline", "border-cooperation", "--against", against, cwd=desk)
        assert result.returncode == 0, result.stderr
        made[against] = (desk / REDLINE).read_bytes()
    assert made["HEAD"] == made["sent.md"] == made["sent.docx"]
    assert made["HEAD"] == (desk / "redline-head.docx").read_bytes()       # deterministic


def test_an_unchanged_brief_gives_a_redline_without_changes(desk: Path) -> None:
    result = run("redline", "border-cooperation", "--against", "out/border-cooperation.docx",
                 "--out", "out/same", cwd=desk)
    assert result.returncode == 0, result.stderr
    assert "(no changes since" in result.stdout
    found = parts(desk / "out/same/border-cooperation-redline.docx")
    assert not [el for root in found.values() for el in _changes(root)]
    assert reading(desk / "out/same/border-cooperation-redline.docx", None) == reading(
        desk / "out/border-cooperation.docx", None)


def test_build_redline_against_writes_a_redline_for_every_brief(desk: Path) -> None:
    (desk / "briefs/new-since.md").write_text(
        (desk / BRIEF).read_text(encoding="utf-8"), encoding="utf-8")
    try:
        result = run("build", "--redline-against", "HEAD", "--no-check", "--out", "out/all",
                     cwd=desk)
    finally:
        (desk / "briefs/new-since.md").unlink()
    assert result.returncode == 0, result.stderr
    assert "briefs/new-since.md: no redline: new since HEAD" in result.stderr
    written = sorted(p.name for p in (desk / "out/all").glob("*-redline.docx"))
    assert len(written) == 10 and "new-since-redline.docx" not in written
    for name in written:       # every example brief but the edited one is unchanged
        found = parts(desk / "out/all" / name)
        changes = [el for root in found.values() for el in _changes(root)]
        assert bool(changes) == (name == "border-cooperation-redline.docx"), name


def test_keep_going_builds_the_other_redlines(desk: Path) -> None:
    (desk / "briefs/draft.md").write_text("---\nsubject: A draft\n---\n", encoding="utf-8")
    try:
        result = run("build", "--redline-against", "HEAD", "--no-check", "-k", "--out",
                     "out/kept", cwd=desk)
    finally:
        (desk / "briefs/draft.md").unlink()
    assert result.returncode == 1
    assert "briefs/draft.md: no redline: briefs/draft.md" in result.stderr
    assert "briefgen: failed: briefs/draft.md" in result.stderr
    assert len(list((desk / "out/kept").glob("*-redline.docx"))) == 10


def test_libreoffice_renders_the_redline(desk: Path) -> None:
    from briefgen.writers import pdf

    if not (shutil.which("soffice") or shutil.which("libreoffice")):
        pytest.skip("LibreOffice (soffice) is not installed")
    import datetime as dt

    data = pdf.convert([(desk / "redline-head.docx").read_bytes()], [dt.datetime(2025, 4, 10)],
                       pdf.find_soffice())[0]
    assert data.startswith(b"%PDF") and pdf.page_count(data) == 2


def _refused(desk: Path, *args: str, message: str) -> None:
    out = desk / "out/refused"
    result = run("redline", "border-cooperation", *args, "--out", "out/refused", cwd=desk)
    assert result.returncode == 2, result.stderr
    assert result.stdout == "" and len(result.stderr.splitlines()) == 1, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()


def test_bad_earlier_versions_are_one_clear_line_and_write_nothing(desk: Path) -> None:
    (desk / "notes.txt").write_text("not a note", encoding="utf-8")
    (desk / "plain.docx").write_bytes(b"just some text, not a zip")
    good = (desk / "sent.docx").read_bytes()
    (desk / "cut.docx").write_bytes(good[: len(good) // 2])
    (desk / "locked.docx").write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + bytes(512))
    with zipfile.ZipFile(desk / "sheet.docx", "w") as package:
        package.writestr("xl/workbook.xml", "<workbook/>")
    with zipfile.ZipFile(desk / "bomb.docx", "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("word/document.xml", "<w:document/>")
        with package.open("word/media/zeros.bin", "w") as member:    # 257 MB → a few hundred KB
            for _ in range(257):
                member.write(bytes(2**20))
    cases = {"plain.docx": "not a DOCX file (not a readable zip",
             "cut.docx": "not a DOCX file (not a readable zip",
             "locked.docx": "the document is password-protected (encrypted)",
             "sheet.docx": "not a DOCX file: it holds no Word document",
             "bomb.docx": "over 256 MB once unpacked; not a note",
             "notes.txt": "--against takes a git revision, a brief (.md, .yaml) or a DOCX file",
             "HEAD~5": "--against HEAD~5: no such file, nor a revision in the git history of "
                       "briefs/border-cooperation.md",
             BRIEF: "--against names the brief itself"}
    for against, message in cases.items():
        _refused(desk, "--against", against, message=message)


def test_a_brief_that_did_not_exist_at_the_revision_is_refused(desk: Path) -> None:
    (desk / "briefs/new-since.md").write_text(
        (desk / BRIEF).read_text(encoding="utf-8"), encoding="utf-8")
    try:
        result = run("redline", "new-since", "--against", "HEAD", cwd=desk)
    finally:
        (desk / "briefs/new-since.md").unlink()
    assert result.returncode == 2
    assert result.stderr == ("briefgen: error: briefs/new-since.md did not exist at HEAD; give a "
                             "later revision, or an earlier brief or DOCX file\n")
    assert not (desk / "out/new-since-redline.docx").exists()


def test_outside_a_git_repository_the_message_says_so(workspace: Path) -> None:
    result = run("redline", "note", "--against", "HEAD", cwd=workspace)
    assert result.returncode == 2
    assert result.stderr == ("briefgen: error: --against HEAD: not a file, and the folder briefs/ "
                             "is not in a git repository; give an earlier brief or DOCX file\n")
    assert not (workspace / "out").exists()


DECISION_EDITS = [     # the options table loses a row and a cell gains a point; a section goes
    ("### Lead with the U.S. figures on the northern border\n",
     "### Wait for the U.S. to move\n\nPros:\n\n- Keeps every option open.\n\nCons:\n\n"
     "- Leaves the U.S. to set the terms.\n\n### Lead with the figures\n"),
    ("- Speaks to the reason the U.S. gives for the tariffs",
     "- Shows Canada acting in good faith.\n- Speaks to the reason the U.S. gives for the tariffs"),
    (("### Do both, in every exchange\n\nPros:\n\n- Pairs what Canada does with what the U.S. "
     "figures show [@atip-mcguinty-talking-points-border-cooperation; "
     "@cbp-northern-border-fentanyl-migration].\n\nCons:\n\n- Needs the same lines across "
     "departments and the embassy.\n\n"), ""),
    ("That you approve Option 3: present", "That you approve Option 1: present"),
    ("- **Speed matters.**", "- *Speed matters.*"),                   # bold to italic
    (("## Next Steps\n\nWith your approval, officials will share the lines with Global Affairs "
     "Canada\nand the Canada Border Services Agency.\n\n"), ""),
]


def test_tables_formatting_and_whole_sections(tmp_path: Path) -> None:
    root = tmp_path / "desk"
    assert run("init", str(root), cwd=tmp_path).returncode == 0
    brief = root / "briefs/border-decision.md"
    text = brief.read_text(encoding="utf-8")
    (root / "earlier.md").write_text(text, encoding="utf-8")
    for old, new in DECISION_EDITS:
        assert old in text, old
        text = text.replace(old, new, 1)
    brief.write_text(text, encoding="utf-8")
    result = run("redline", "border-decision", "--against", "earlier.md", cwd=root)
    assert result.returncode == 0, result.stderr
    assert run("build", "border-decision", "--no-check", cwd=root).returncode == 0
    shutil.copy(root / "out/border-decision.docx", root / "new.docx")
    brief.write_text((root / "earlier.md").read_text(encoding="utf-8"), encoding="utf-8")
    assert run("build", "border-decision", "--no-check", cwd=root).returncode == 0
    redline = root / "out/border-decision-redline.docx"
    assert reading(redline, accept=True) == reading(root / "new.docx", None)
    assert reading(redline, accept=False) == reading(root / "out/border-decision.docx", None)
    body = parts(redline)["word/document.xml"]
    rows = [tr for tr in body.iter(f"{W}tr") if tr.find(f"{W}trPr/{W}del") is not None]
    assert len(rows) == 1 and "Do both" in _text(rows[0])               # a row deleted
    rows = [tr for tr in body.iter(f"{W}tr") if tr.find(f"{W}trPr/{W}ins") is not None]
    assert len(rows) == 1 and "Wait for the U.S." in _text(rows[0])    # and one inserted
    assert body.find(f".//{W}rPrChange/{W}rPr/{W}b") is not None         # was bold
    assert any(_text(el) == "Next Steps" for el in body.iter(f"{W}del"))
    assert "Shows Canada acting in good faith." in [_text(el) for el in body.iter(f"{W}ins")]


def _word_edited(sent: Path, target: Path) -> str:
    """The sent DOCX as a reviewer's Word leaves it: a pending insertion and deletion,
    a comment, bookmarks, a picture and a section break, all pointing into its own
    parts. Returns the text the reviewer inserted."""
    from lxml import etree

    with zipfile.ZipFile(sent) as package:
        members = {n: package.read(n) for n in package.namelist()}
    root = etree.fromstring(members["word/document.xml"])
    w = f"{{{W[1:-1]}}}"
    body = root.find(f"{w}body")
    summary = next(p for p in body.iter(f"{w}p") if "This note provides" in "".join(p.itertext()))
    ins = etree.SubElement(summary, f"{w}ins", {f"{w}id": "901", f"{w}author": "DG",
                                                f"{w}date": "2025-04-11T09:00:00Z"})
    etree.SubElement(etree.SubElement(ins, f"{w}r"), f"{w}t").text = " Reviewed by the DG."
    first_run = summary.find(f"{w}r")
    deleted = etree.Element(f"{w}del", {f"{w}id": "902", f"{w}author": "DG",
                                        f"{w}date": "2025-04-11T09:00:00Z"})
    etree.SubElement(etree.SubElement(deleted, f"{w}r"), f"{w}delText").text = "Draft: "
    first_run.addprevious(deleted)
    first_run.addprevious(etree.Element(f"{w}bookmarkStart", {f"{w}id": "0", f"{w}name": "x"}))
    comment = etree.SubElement(summary, f"{w}r")
    etree.SubElement(comment, f"{w}commentReference", {f"{w}id": "0"})
    picture = etree.SubElement(summary, f"{w}r")
    etree.SubElement(picture, f"{w}drawing").append(etree.fromstring(
        '<a:blip xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:r='
        '"http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:embed="rId99"/>'))
    ppr = summary.find(f"{w}pPr")
    section = etree.SubElement(ppr, f"{w}sectPr")
    etree.SubElement(section, f"{w}headerReference", {
        f"{w}type": "default",
        "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id": "rId98"})
    members["word/document.xml"] = etree.tostring(root)
    with zipfile.ZipFile(target, "w") as package:
        for name, data in members.items():
            package.writestr(name, data)
    return "Reviewed by the DG."


def test_an_earlier_docx_edited_in_word(desk: Path) -> None:
    """Its pending changes count as accepted; what points into its own parts (a comment,
    a picture, a section's header) stays out of the redline, whose parts are the new note's."""
    reviewed = _word_edited(desk / "sent.docx", desk / "reviewed.docx")
    result = run("redline", "border-cooperation", "--against", "reviewed.docx", "--out",
                 "out/reviewed", cwd=desk)
    assert result.returncode == 0, result.stderr
    redline = desk / "out/reviewed/border-cooperation-redline.docx"
    assert reading(redline, accept=True) == reading(desk / "out/border-cooperation.docx", None)
    found = parts(redline)
    body = found["word/document.xml"]
    assert reviewed in [_text(el).strip() for el in body.iter(f"{W}del")]
    assert "Draft:" not in _text(body)
    assert body.find(f".//{W}commentReference") is None and body.find(f".//{W}drawing") is None
    assert len(body.findall(f".//{W}sectPr")) == 1
    with zipfile.ZipFile(redline) as package:
        rels = package.read("word/_rels/document.xml.rels").decode()
        xml = package.read("word/document.xml").decode()
    assert all(f'Id="{r_id}"' in rels for r_id in re.findall(r'r:(?:id|embed)="([^"]+)"', xml))
