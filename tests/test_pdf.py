"""PDF output through LibreOffice, page budgets checked on the real PDFs."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from briefgen.builder import WRITERS, build
from briefgen.note.composer import compose
from briefgen.readers import read_brief
from briefgen.workspace import Workspace, init
from briefgen.writers import pdf

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_soffice = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice (soffice) is not installed: .ci/run installs "
    "libreoffice-writer-nogui where apt-get can; elsewhere install it to run the PDF tests")
FORMATS = ("md", "docx", "html", "pdf")


def run(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run([sys.executable, "-m", "briefgen", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=600, env={**os.environ, **env})


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str], int]:
    """``briefgen build --format all`` on the example workspace, once for this module.

    LibreOffice is reached through a wrapper that logs each start, so the tests can
    count how many times the build started it.
    """
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    folder = tmp_path_factory.mktemp("pdf")
    root, starts = folder / "ws", folder / "starts.log"
    init(root)
    wrapper = folder / "soffice"
    wrapper.write_text(f'#!/bin/sh\necho start >> "{starts}"\nexec "{SOFFICE}" "$@"\n')
    wrapper.chmod(0o755)
    result = run("build", "--format", "all", cwd=root, BRIEFGEN_SOFFICE=str(wrapper))
    return root, result, len(starts.read_text().splitlines()) if starts.exists() else 0


@needs_soffice
def test_every_type_in_both_languages_in_all_four_formats(built) -> None:
    root, result, _ = built
    assert result.returncode == 0, result.stderr
    briefs = Workspace(root).brief_paths([])
    kinds = {(read_brief(p)[0].type, read_brief(p)[0].lang) for p in briefs}
    assert len(kinds) == 10
    expected = {f"{p.stem}.{fmt}" for p in briefs for fmt in FORMATS}
    assert {p.name for p in (root / "out").iterdir()} == expected
    for path in (root / "out").glob("*.pdf"):
        data = path.read_bytes()
        assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")


@needs_soffice
def test_examples_fit_their_page_budgets(built) -> None:
    root, result, _ = built
    ws = Workspace(root)
    assert "page-budget" not in result.stderr
    for brief in ws.brief_paths([]):
        kind = read_brief(brief)[0].type
        pages = pdf.page_count((root / "out" / f"{brief.stem}.pdf").read_bytes())
        assert 1 <= pages <= ws.settings.check.pages[kind], (brief.name, pages)


@needs_soffice
def test_page_count_agrees_with_pdfinfo(built) -> None:
    if shutil.which("pdfinfo") is None:
        pytest.skip("poppler-utils (pdfinfo) is not installed")
    root, _, _ = built
    for path in sorted((root / "out").glob("*.pdf")):
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
        pages = int(next(line.split()[1] for line in info.splitlines() if line.startswith("Pages:")))
        assert pdf.page_count(path.read_bytes()) == pages
        assert "Tagged:          yes" in info


@needs_soffice
def test_one_batch_starts_libreoffice_once(built) -> None:
    """Ten notes in four formats: one LibreOffice start-up, not ten."""
    _, result, starts = built
    assert result.returncode == 0, result.stderr
    assert starts == 1


@needs_soffice
def test_pdf_is_the_same_for_the_same_note(workspace: Path) -> None:
    build(Workspace(workspace), ["note"], ["pdf"])
    first = (workspace / "out/note.pdf").read_bytes()
    build(Workspace(workspace), ["note"], ["pdf"], Path("again"))
    assert (workspace / "again/note.pdf").read_bytes() == first
    assert b"/CreationDate(D:20250410000000" in first


@needs_soffice
def test_over_budget_warns_from_the_real_pdf(workspace: Path) -> None:
    with open(workspace / "briefgen.toml", "a", encoding="utf-8") as handle:
        handle.write("\n[check.pages]\nbriefing-note = 1\n")
    brief = workspace / "briefs/note.yaml"
    long = "\n".join(f"  Paragraph {n} says what officials do at the border every day [@stats].\n"
                     for n in range(40))
    brief.write_text(brief.read_text().replace("considerations: |\n", f"considerations: |\n{long}\n"))
    result = run("build", "--format", "pdf,md", cwd=workspace)
    assert result.returncode == 0, result.stderr
    pages = pdf.page_count((workspace / "out/note.pdf").read_bytes())
    assert pages >= 2
    assert (f"briefs/note.yaml:1:7: warning[page-budget]: {pages} pages in the PDF; a "
            "briefing-note should fit on 1") in result.stderr
    assert "estimated" not in result.stderr and "about " not in result.stderr   # the estimate gives way
    # Without a PDF, the estimate speaks.
    estimate = run("build", "--format", "md", cwd=workspace)
    assert "warning[page-budget]: about" in estimate.stderr


@needs_soffice
def test_qp_note_with_nine_key_messages_runs_over_one_page(workspace: Path) -> None:
    lines = "\n".join(f"  - Message {n}. Canada and the United States work closely together at the "
                      f"border, every day, on many shared files, and have done so for a long time; "
                      f"officials meet often and share what they know [@stats]." for n in range(9))
    (workspace / "briefs/qp.yaml").write_text(
        "type: qp-note\nsubject: Border\ndate: 2025-04-14\nissue: The border [@stats].\n"
        f"key_messages:\n{lines}\nbackground: The border is long [@stats].\n", encoding="utf-8")
    result = run("build", "qp", "--format", "pdf", cwd=workspace)
    assert result.returncode == 0
    assert "pages in the PDF; a qp-note should fit on 1" in result.stderr
    assert "over budget" not in result.stderr      # the PDF's page count replaces estimates


@needs_soffice
def test_single_note_writer_converts_too(workspace: Path) -> None:
    ws = Workspace(workspace)
    data = WRITERS["pdf"](compose(ws, workspace / "briefs/note.yaml"), ws)
    assert data.startswith(b"%PDF-") and pdf.page_count(data) >= 1


def test_missing_libreoffice_says_what_to_install(workspace: Path, tmp_path: Path) -> None:
    result = run("build", "--format", "md,pdf", cwd=workspace, PATH=str(tmp_path),
                 BRIEFGEN_SOFFICE="")
    if Path(pdf._MAC).is_file() or Path(pdf._WINDOWS).is_file():
        pytest.skip("LibreOffice is installed where briefgen finds it without PATH")
    assert result.returncode == 2
    assert result.stderr.startswith("briefgen: error: PDF output needs LibreOffice, which is not "
                                    "installed: install LibreOffice (Debian or Ubuntu: apt-get "
                                    "install libreoffice-writer-nogui;")
    assert len(result.stderr.splitlines()) == 1
    assert not (workspace / "out").exists()


def test_soffice_named_by_environment(workspace: Path) -> None:
    result = run("build", "--format", "pdf", cwd=workspace, BRIEFGEN_SOFFICE="/no/such/soffice")
    assert result.returncode == 2
    assert "BRIEFGEN_SOFFICE is '/no/such/soffice', which is not a program" in result.stderr
    assert not (workspace / "out").exists()


def test_page_count_reads_the_page_tree_not_the_outline() -> None:
    fake = (b"%PDF-1.6\n1 0 obj\n<</Type/Outlines/Count 7>>\nendobj\n"
            b"2 0 obj\n<</Type/Pages\n/Resources<</Font<</F1 5 0 R>>>>/Kids[3 0 R 4 0 R]\n/Count 2>>\n"
            b"endobj\n3 0 obj\n<</Type/Page/Parent 2 0 R>>\nendobj\n%%EOF\n")
    assert pdf.page_count(fake) == 2


def test_fixed_dates_and_ids_keep_the_length() -> None:
    import datetime as dt

    raw = (b"<</CreationDate(D:20261125071005Z')>>\ntrailer\n<</ID [ <D547735AB0DA0C1B0E4068994D29BC0A>\n"
           b"<D547735AB0DA0C1B0E4068994D29BC0A> ]>>"
           b"<xmp:CreateDate>2026-11-25T07:10:05Z</xmp:CreateDate>")      # PDF/UA's XMP metadata
    fixed = pdf._fixed(raw, dt.datetime(2025, 4, 10))
    assert len(fixed) == len(raw)
    assert b"D:20250410000000Z'" in fixed and b"D547735A" not in fixed
    assert b"<xmp:CreateDate>2025-04-10T00:00:00Z</xmp:CreateDate>" in fixed


def _page_texts(path: Path) -> list[str]:
    shown = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                           capture_output=True, text=True, timeout=60).stdout
    return shown.split("\f")


@needs_soffice
@pytest.mark.parametrize(("name", "recommendation", "decision"), [
    ("border-decision", "Recommendation", "Minister’s Decision"),
    ("border-decision-fr", "Recommandation", "Décision du ministre"),
])
def test_decision_example_fits_two_pages_with_the_decision_by_the_recommendation(
        built, name: str, recommendation: str, decision: str) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils (pdftotext) is not installed")
    root, _, _ = built
    path = root / "out" / f"{name}.pdf"
    assert pdf.page_count(path.read_bytes()) == 2
    page = next(p for p in _page_texts(path) if recommendation in p)
    assert decision in page
