"""briefgen serve: briefs list, new brief, the editor's preview, findings and safe saving."""
from __future__ import annotations

import html
import re
import threading
from pathlib import Path

from briefgen.briefs.commands import skeleton
from briefgen.web import drafts
from briefgen.workspace import Workspace
from tests.webclient import client, csrf

NOTE = "briefs/note.yaml"


def _opened(page: str) -> str:
    return re.search(r'name="opened" value="([0-9a-f]+)"', page).group(1)


def _srcdoc(page: str) -> str:
    return html.unescape(re.search(r'srcdoc="([^"]*)"', page).group(1))


def test_the_list_shows_each_brief_with_its_checks(workspace: Path) -> None:
    page = client(workspace).get("/briefs").text
    row = re.search(r"<tr>\s*<td><a href=\"/briefs/note\">.*?</tr>", page, re.S).group(0)
    for cell in ("Border cooperation | test", "briefing-note", "2025-04-10", ">en<",
                 "UNCLASSIFIED", "0 errors"):
        assert html.escape(cell, quote=False) in row or cell in row, cell


def test_new_brief_writes_the_skeleton_briefgen_new_writes(workspace: Path) -> None:
    web = client(workspace)
    made = web.post("/briefs/new", data={"csrf": csrf(web), "type": "qp-note", "lang": "fr",
                                          "name": "qp-one"})
    assert made.headers["location"] == "/briefs/qp-one"
    text = (workspace / "briefs" / "qp-one.md").read_text()
    ws = Workspace(workspace)
    assert text == skeleton(ws, "qp-note", "fr", __import__("datetime").date.today())
    refused = web.post("/briefs/new", data={"csrf": csrf(web), "type": "qp-note", "name": "qp-one"})
    assert refused.status_code == 400 and "already exists" in refused.text


def test_the_preview_is_the_html_writer_output_of_the_unsaved_text(workspace: Path) -> None:
    web = client(workspace)
    text = (workspace / NOTE).read_text().replace("Officials met on the border",
                                                   "Officials <b>met</b> at the border")
    answer = web.post("/briefs/note/preview", data={"csrf": csrf(web), "text": text})
    note = _srcdoc(answer.text)
    assert "<p>Officials met at the border.<sup id=\"fnref:1\"><a href=\"#fn:1\"" in note
    assert "<b>" not in note                     # raw HTML in a brief never reaches the page
    assert (workspace / NOTE).read_text().count("Officials met on the border") == 1  # not saved
    assert '<section id="findings" aria-labelledby="findings-h" aria-live="polite" ' \
           'hx-swap-oob="true">' in answer.text
    assert "warning [unused-source]: &#39;memo-text&#39; is listed in sources:" in answer.text


def test_a_misquote_is_listed_with_its_line(workspace: Path) -> None:
    web = client(workspace)
    text = (workspace / NOTE).read_text().replace(
        "Officials met on the border [@news-article].",
        'Officials met. "We will stop working together" [@news-article].')
    answer = web.post("/briefs/note/preview", data={"csrf": csrf(web), "text": text})
    line = next(n for n, l in enumerate(text.splitlines(), 1) if "stop working" in l)
    assert re.search(rf'data-line="{line}" data-col="\d+">line {line}</button> error '
                     r"\[misquote\]: “We will stop working together” is not in", answer.text)


def test_saving_writes_the_text_with_its_own_line_ends(workspace: Path) -> None:
    web = client(workspace)
    page = web.get("/briefs/note").text
    text = (workspace / NOTE).read_text().replace("An Analyst", "Another Analyst")
    saved = web.post("/briefs/note/save", data={"csrf": csrf(web), "opened": _opened(page),
                                                "text": text.replace("\n", "\r\n")})
    assert saved.status_code == 303 and saved.headers["location"] == "/briefs/note?saved=1"
    assert (workspace / NOTE).read_bytes() == text.encode()
    assert not [p for p in (workspace / "briefs").iterdir() if p.name.startswith(".")]


def test_a_file_changed_on_disk_is_never_overwritten(workspace: Path) -> None:
    web = client(workspace)
    opened = _opened(web.get("/briefs/note").text)
    theirs = (workspace / NOTE).read_text().replace("An Analyst", "Changed in another editor")
    (workspace / NOTE).write_text(theirs)
    mine = theirs.replace("Changed in another editor", "Mine")
    clash = web.post("/briefs/note/save", data={"csrf": csrf(web), "opened": opened, "text": mine})
    assert clash.status_code == 409
    assert (workspace / NOTE).read_text() == theirs
    assert "changed on disk since you opened it" in clash.text
    assert "Changed in another editor" in clash.text and "Mine" in clash.text
    again = web.post("/briefs/note/save", data={"csrf": csrf(web), "opened": _opened(clash.text),
                                                "text": mine})
    assert again.status_code == 303 and (workspace / NOTE).read_text() == mine


def test_two_tabs_saving_at_once_lose_nothing_silently(workspace: Path) -> None:
    """Both opened the same version: exactly one save lands, the other is told."""
    path = workspace / NOTE
    opened = drafts.fingerprint(path.read_bytes())
    base = path.read_text()
    outcomes: list[str] = []

    def save(name: str) -> None:
        try:
            drafts.save(path, base + f"# {name}\n", opened)
            outcomes.append("saved")
        except drafts.Conflict:
            outcomes.append("conflict")

    tabs = [threading.Thread(target=save, args=(f"tab{i}",)) for i in range(8)]
    for tab in tabs:
        tab.start()
    for tab in tabs:
        tab.join()
    assert sorted(outcomes) == ["conflict"] * 7 + ["saved"]
    assert re.fullmatch(re.escape(base) + r"# tab\d\n", path.read_text())


def test_a_build_during_saves_sees_a_whole_file(workspace: Path) -> None:
    """Readers of the brief (a build) see the old text or the new, never half."""
    path = workspace / NOTE
    versions = {path.read_bytes()}
    stop = threading.Event()

    def saver() -> None:
        try:
            for n in range(50):
                data = path.read_bytes()
                new = data + f"# {n}\n".encode() * 2000
                versions.add(new)
                drafts.save(path, new.decode(), drafts.fingerprint(data))
        finally:
            stop.set()

    writer = threading.Thread(target=saver)
    writer.start()
    seen = []
    while not stop.is_set():
        seen.append(path.read_bytes())
    writer.join()
    assert len(versions) == 51 and path.read_bytes() in versions
    assert all(data in versions for data in seen)


def test_a_quote_from_a_record_page_opens_the_editor_ready_to_insert(workspace: Path) -> None:
    web = client(workspace)
    record = web.get("/library/records/news-article").text
    assert 'action="/briefs/open"' in record and "<option>note</option>" in record
    opened = web.get("/briefs/open", params={"brief": "note", "record": "news-article",
                                             "quote": "0"})
    assert opened.headers["location"] == "/briefs/note?record=news-article&quote=0"
    page = web.get(opened.headers["location"]).text
    assert 'data-text="“We will keep working together.” [@news-article]"' in page


def test_builds_while_the_app_saves_never_fail_or_mix(workspace: Path) -> None:
    """``briefgen build`` running as the editor saves: each build reads one whole version."""
    from briefgen.builder import build

    path = workspace / NOTE
    base = path.read_text()
    done = threading.Event()

    def saver() -> None:
        try:
            for n in range(1, 21):
                old = path.read_bytes()
                drafts.save(path, base.replace("An Analyst", f"Analyst {n:02d}"),
                            drafts.fingerprint(old))
        finally:
            done.set()

    writer = threading.Thread(target=saver)
    writer.start()
    names = set()
    while not done.is_set():
        [out] = build(Workspace(workspace), ["note"], ["md"], check=False)
        names |= set(re.findall(r"An Analyst|Analyst \d\d", out.read_text()))
    writer.join()
    assert names and names <= {"An Analyst", *(f"Analyst {n:02d}" for n in range(1, 21))}
