"""briefgen serve in a real browser: Debian's chromium driven by Playwright, the app on
127.0.0.1 under uvicorn. Skipped, with the reason, where chromium cannot be started."""
from __future__ import annotations

import re
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from briefgen.web.app import create_app
from briefgen.web.security import Guard, allowed_hosts
from tests.outputs import docx_parts, paragraph_text

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
uvicorn = pytest.importorskip("uvicorn")

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
        "resultTypes": ["violations"]}
BRIEF = """---
type: briefing-note
to: The Minister
from: The Deputy Minister
subject: Border talks
date: 2025-04-10
---

## Summary

Officials met. {quote}
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(workspace: Path) -> Iterator[str]:
    """The app over the fixture workspace, served by uvicorn in a thread."""
    port = _free_port()
    app = create_app(workspace, Guard(allowed_hosts("127.0.0.1", port)))
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    for _ in range(600):
        if running.started:
            break
        threading.Event().wait(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it with apt-get)")
    with playwright_api.sync_playwright() as p:
        try:
            launched = p.chromium.launch(executable_path=chromium, args=ARGS)
        except playwright_api.Error as err:
            pytest.skip(f"chromium would not start: {str(err).splitlines()[0]}")
        yield launched
        launched.close()


@pytest.fixture
def page(browser, server: str) -> Iterator[object]:  # noqa: ANN001 - playwright types
    context = browser.new_context(base_url=server, accept_downloads=True, locale="en-CA")
    context.set_default_timeout(30000)
    yield context.new_page()
    context.close()


def _findings(page) -> str:  # noqa: ANN001
    return page.locator("#findings").inner_text()


def test_search_cite_check_fix_and_download(page, workspace: Path) -> None:  # noqa: ANN001
    expect = playwright_api.expect
    page.goto("/library?q=talks")
    expect(page.get_by_role("link", name="Border talks continue")).to_be_visible()

    page.goto("/briefs")
    page.select_option("#new-type", "briefing-note")
    page.fill("#new-name", "web-note")
    page.get_by_role("button", name="Create").click()
    page.wait_for_url("**/briefs/web-note")

    text = page.locator("#text")
    text.fill(BRIEF.format(quote='"We will keep working together."'))
    text.press("End")
    text.press("Control+End")
    text.press_sequentially(" [@")
    expect(page.locator("#cite-box")).to_be_visible()
    page.fill("#cite-q", "talks")
    page.locator('#cite-results button[data-key="news-article"]').click()
    expect(text).to_have_value(re.compile(r'together\."\s*\n? ?\[@news-article\]'))
    note = page.frame_locator("#preview iframe")
    expect(note.locator("a.footnote-ref").first).to_have_text("1")
    expect(note.locator(".footnotes")).to_contain_text("Border talks continue")

    wrong = text.input_value().replace("keep working", "stop working")
    text.fill(wrong)
    finding = page.locator("#findings li.error", has_text="misquote")
    expect(finding).to_contain_text("“We will stop working together.” is not in")
    line = next(n for n, l in enumerate(wrong.splitlines(), 1) if "stop working" in l)
    expect(finding.locator("button.goto")).to_have_text(f"line {line}")
    finding.locator("button.goto").click()
    caret_line = page.evaluate("() => { const t = document.getElementById('text');"
                               " return t.value.slice(0, t.selectionStart).split('\\n').length; }")
    assert caret_line == line

    text.fill(wrong.replace("stop working", "keep working"))
    expect(page.locator("#findings li.error")).to_have_count(0)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    assert "[@news-article]" in (workspace / "briefs" / "web-note.md").read_text()

    page.goto("/outputs")
    with page.expect_download() as download:
        page.locator("#brief-web-note").get_by_role("button", name="Download web-note DOCX").click()
    saved = Path(download.value.path())
    assert download.value.suggested_filename == "web-note.docx"
    notes = [paragraph_text(p) for part in docx_parts(saved, "word/footnotes")
             for p in part.iter(f"{W}p")]
    assert any("Border talks continue" in n for n in notes)


def test_a_conflicting_edit_on_disk_is_shown_not_overwritten(page, workspace: Path) -> None:  # noqa: ANN001
    expect = playwright_api.expect
    page.goto("/briefs/note")
    brief = workspace / "briefs" / "note.yaml"
    theirs = brief.read_text().replace("An Analyst", "Edited elsewhere")
    brief.write_text(theirs)
    page.locator("#text").fill(theirs.replace("Edited elsewhere", "Edited here"))
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("changed on disk since you opened it")
    expect(page.locator("#disk-version")).to_contain_text("Edited elsewhere")
    assert brief.read_text() == theirs


PAGES = ["/briefs", "/briefs/note", "/library", "/library?q=border",
         "/library/records/news-article", "/library/add", "/library/import", "/outputs",
         "/templates", "/digest?week=2024-W50", "/login", "/nowhere"]


def _after_actions(page, workspace: Path) -> Iterator[str]:  # noqa: ANN001
    """Pages that only an action shows: a save conflict, an import report, a finished build."""
    page.goto("/briefs/note")
    brief = workspace / "briefs" / "note.yaml"
    brief.write_text(brief.read_text().replace("An Analyst", "Someone else"))
    page.get_by_role("button", name="Save").click()
    page.get_by_role("alert").wait_for()
    yield "save conflict"
    page.goto("/library/import")
    page.set_input_files("#file", files=[{"name": "items.json", "mimeType": "application/json",
                                          "buffer": b'[{"id": "a", "type": "report", "title": "T"}]'}])
    page.get_by_role("button", name="Import").click()
    page.get_by_role("status").wait_for()
    yield "import report"
    page.goto("/outputs")
    page.get_by_role("button", name="Build every brief").click()
    page.locator("pre.cli").wait_for()
    yield "build all"


def test_every_page_has_no_axe_violations(page, workspace: Path) -> None:  # noqa: ANN001
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    failures = {}
    for state in _after_actions(page, workspace):
        result = axe.run(page, options=WCAG)
        if result.violations_count:
            failures[state] = result.generate_report()
    page.goto("/templates")
    page.locator("form", has=page.locator('input[value="citation.md.j2"]')) \
        .get_by_role("button").click()
    page.wait_for_url("**/templates/edit/citation.md.j2")
    visited = ["/templates/edit/citation.md.j2", *PAGES, "/library/add?fr"]
    for url in visited:
        if url == "/library/add?fr":          # the French interface, and a form with errors
            page.get_by_role("button", name="Français").click()
            page.goto("/library/add")
            page.get_by_role("button", name="Ajouter une fiche").click()
        else:
            page.goto(url)
        result = axe.run(page, options=WCAG)
        if result.violations_count:
            failures[url] = result.generate_report()
    assert not failures, "\n".join(f"{url}:\n{report}" for url, report in failures.items())


def test_a_record_quote_is_inserted_at_the_cursor(page) -> None:  # noqa: ANN001
    expect = playwright_api.expect
    page.goto("/library/records/news-article")
    page.select_option("#brief-0", "note")
    page.get_by_role("button", name="Insert in a brief").click()
    page.wait_for_url("**/briefs/note?record=news-article&quote=0")
    page.evaluate("() => { const t = document.getElementById('text');"
                  " const at = t.value.indexOf('small [@stats, p. 3].') + 21;"
                  " t.focus(); t.setSelectionRange(at, at); }")
    page.get_by_role("button", name="Insert", exact=True).click()
    expect(page.locator("#text")).to_have_value(re.compile(
        r"small \[@stats, p\. 3\]\.“We will keep working together\.” \[@news-article\]"))
    note = page.frame_locator("#preview iframe")
    expect(note.locator("body")).to_contain_text("“We will keep working together.”")
    expect(page.locator("#findings li.error")).to_have_count(0)


def test_pages_read_without_javascript(browser, server: str) -> None:  # noqa: ANN001
    context = browser.new_context(base_url=server, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/briefs/note")
        note = page.frame_locator("#preview iframe")
        playwright_api.expect(note.locator("a.footnote-ref").first).to_have_text("1")
        page.goto("/library")
        page.fill("#q", "talks")
        page.get_by_role("button", name="Search").click()
        playwright_api.expect(page.get_by_role("link", name="Border talks continue")).to_be_visible()
    finally:
        context.close()
