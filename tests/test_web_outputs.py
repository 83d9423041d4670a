"""briefgen serve: downloads in every format, build all, errors as the CLI prints them;
templates and digest pages."""
from __future__ import annotations

import io
import re
import time
from pathlib import Path

import pytest

from tests.outputs import docx_parts, paragraph_text
from tests.webclient import client, csrf

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def test_a_docx_download_is_the_built_note_with_its_footnotes(workspace: Path) -> None:
    web = client(workspace)
    answer = web.post("/outputs/note/docx", data={"csrf": csrf(web)})
    assert answer.status_code == 200
    assert answer.headers["content-disposition"] == 'attachment; filename="note.docx"'
    assert answer.content == (workspace / "out" / "note.docx").read_bytes()
    notes = [paragraph_text(p) for part in docx_parts(workspace / "out" / "note.docx",
                                                       "word/footnotes")
             for p in part.iter(f"{W}p")]
    assert any("Border talks continue" in text for text in notes)


@pytest.mark.parametrize("fmt,start", [("md", b"**UNCLASSIFIED**\n\n# MEMORANDUM"), ("html", b"<!DOCTYPE html>")])
def test_markdown_and_html_downloads(workspace: Path, fmt: str, start: bytes) -> None:
    web = client(workspace)
    answer = web.post(f"/outputs/note/{fmt}", data={"csrf": csrf(web)})
    assert answer.status_code == 200 and answer.content.startswith(start)
    assert answer.content == (workspace / "out" / f"note.{fmt}").read_bytes()


def test_without_libreoffice_the_pdf_button_says_why(workspace: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEFGEN_SOFFICE", str(workspace / "no-such-program"))
    page = client(workspace).get("/outputs").text
    assert '<button type="submit" disabled aria-describedby="no-pdf">PDF</button>' in page
    assert re.search(r'id="no-pdf".*PDF needs LibreOffice.*BRIEFGEN_SOFFICE is', page, re.S)


def test_a_failing_build_shows_what_the_cli_prints(workspace: Path) -> None:
    brief = workspace / "briefs" / "note.yaml"
    brief.write_text(brief.read_text().replace("Officials met on the border [@news-article]",
                                               '"Nobody met" [@news-article]'))
    web = client(workspace)
    answer = web.post("/outputs/note/docx", data={"csrf": csrf(web)})
    assert answer.status_code == 422
    assert re.search(r"briefs/note.yaml:\d+:\d+: error\[misquote\]: “Nobody met” is not in", answer.text)
    assert "briefgen: build stopped: 1 error" in answer.text
    assert not (workspace / "out" / "note.docx").exists()


def test_build_all_reports_progress_then_the_files(workspace: Path) -> None:
    web = client(workspace)
    started = web.post("/outputs/all", data={"csrf": csrf(web), "format": ["md", "html"]})
    assert started.status_code == 303
    for _ in range(600):
        page = web.get(started.headers["location"]).text
        if "wrote " in page or "briefgen:" in page:
            break
        time.sleep(0.1)
    assert '<progress id="job-progress" max="1" value="1">' in page
    assert "wrote out/note.md\nwrote out/note.html" in page


def test_templates_list_eject_edit_preview_and_save(workspace: Path) -> None:
    web = client(workspace)
    listing = web.get("/templates").text
    assert "<code>briefing-note.md.j2</code>" in listing
    ejected = web.post("/templates/eject", data={"csrf": csrf(web), "name": "citation.md.j2"})
    assert ejected.headers["location"] == "/templates/edit/citation.md.j2"
    page = web.get(ejected.headers["location"]).text
    opened = re.search(r'name="opened" value="(\w+)"', page).group(1)
    tried = web.post("/templates/edit/citation.md.j2", data={
        "csrf": csrf(web), "opened": opened, "brief": "note", "text": "SOURCE {{ record.id }}"})
    assert "SOURCE news-article" in tried.text
    assert (workspace / "templates" / "citation.md.j2").read_text() != "SOURCE {{ record.id }}"
    saved = web.post("/templates/edit/citation.md.j2", data={
        "csrf": csrf(web), "opened": opened, "brief": "note", "text": "SRC {{ record.id }}",
        "save": "1"})
    assert saved.status_code == 200
    assert (workspace / "templates" / "citation.md.j2").read_text() == "SRC {{ record.id }}"
    broken = web.post("/templates/edit/citation.md.j2", data={
        "csrf": csrf(web), "opened": opened, "brief": "note", "text": "{% if %}"})
    assert "template syntax error" in broken.text and "Traceback" not in broken.text
    checked = web.post("/templates/check", data={"csrf": csrf(web)})
    assert "No problems in templates." in checked.text
    builtin = web.get("/templates/edit/briefing-note.md.j2")
    assert builtin.status_code == 400 and "copy it there first" in builtin.text


def test_reference_docx_upload_must_be_a_word_document(workspace: Path) -> None:
    web = client(workspace)
    refused = web.post("/templates/reference", data={"csrf": csrf(web)},
                       files={"file": ("reference.docx", b"MZ not a zip", "application/octet-stream")})
    assert refused.status_code == 400 and "not a Word document" in refused.text
    assert not (workspace / "templates" / "reference.docx").exists()
    from briefgen.note.render import builtin_templates

    real = (builtin_templates() / "reference.docx").read_bytes()
    taken = web.post("/templates/reference", data={"csrf": csrf(web)},
                     files={"file": ("mine.docx", io.BytesIO(real), "application/octet-stream")})
    assert taken.status_code == 303
    assert (workspace / "templates" / "reference.docx").read_bytes() == real


def test_the_digest_page_shows_a_week_and_sends_only_with_smtp(workspace: Path) -> None:
    web = client(workspace)
    page = web.get("/digest", params={"week": "2024-W50"}).text
    assert "<h1>Digest 2024-W50</h1>" in page
    assert "Border talks continue" in page          # added 2024-12-13, in week 50
    assert '<button type="button" disabled aria-describedby="no-smtp">Send now</button>' in page
    refused = web.post("/digest/send", data={"csrf": csrf(web), "week": "2024-W50"})
    assert refused.status_code == 400 and "[smtp] host" in refused.text
    bad = web.get("/digest", params={"week": "soon"})
    assert bad.status_code == 400


def test_send_now_mails_the_week_once_through_real_smtp(tmp_path: Path) -> None:
    pytest.importorskip("aiosmtpd")
    from tests.test_mail import Recorder, Server, _workspace, free_port

    server = Server(free_port(), Recorder())
    server.start()
    try:
        root = _workspace(tmp_path, server.port)
        web = client(root)
        page = web.get("/digest", params={"week": "2024-W50"}).text
        assert 'action="/digest/send"' in page and "Tariff threat prompts talks" in page
        sent = web.post("/digest/send", data={"csrf": csrf(web), "week": "2024-W50"})
        assert sent.status_code == 200 and '<p role="status">Sent.</p>' in sent.text
        [message] = server.parsed()
        assert message["Subject"] == "[PROTECTED B] Weekly Digest: 2024-W50"
        web.post("/digest/send", data={"csrf": csrf(web), "week": "2024-W50"})
        assert len(server.handler.messages) == 1            # never sent twice
    finally:
        server.stop()
