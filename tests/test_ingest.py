"""Getting sources in: add, import (feeds, CSL-JSON, articles), list, show, search.

Feeds are also served by a real HTTP server on 127.0.0.1; nothing else is contacted.
"""
from __future__ import annotations

import datetime as dt
import http.server
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from briefgen.cli import main
from briefgen.errors import InputError, OutputError
from briefgen.errors import shown_path as shown
from briefgen.library import add, formats, ingest, records
from briefgen.models import Quote, SourceRecord
from briefgen.note.check import check_brief
from briefgen.note.quotes import quote_found
from briefgen.readers import read_record, read_records
from briefgen.workspace import Workspace

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"
DAY = dt.date(2025, 4, 14)


@pytest.fixture
def ws(workspace: Path) -> Workspace:
    return Workspace(workspace)


def files(ws: Workspace) -> set[str]:
    return {p.name for p in ws.sources_dir.iterdir()}


def run(ws: Workspace, *args: str) -> int:
    return main(["-C", str(ws.root), *args])


def load(ws: Workspace, *sources: str, **options) -> ingest.Report:  # noqa: ANN003
    return ingest.import_sources(ws, list(sources), ingest.Options(today=DAY, **options))


def by_title(report: ingest.Report) -> dict[str, SourceRecord]:
    return {added.record.title: added.record for added in report.added}


# A local HTTP server -------------------------------------------------------------

class _Handler(http.server.BaseHTTPRequestHandler):
    routes: dict[str, tuple[str, bytes]] = {}

    def do_GET(self) -> None:  # noqa: N802 - the http.server name
        route = self.routes.get(self.path)
        if route is None:
            self.send_error(404, "Not Found")
            return
        if route[0] == "status":                 # a reason phrase the server chose
            self.send_response(500, route[1].decode("latin-1"))
            self.end_headers()
            return
        if route[0] == "redirect":
            self.send_response(302)
            self.send_header("Location", route[1].decode())
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", route[0])
        self.send_header("Content-Length", str(len(route[1])))
        self.end_headers()
        self.wfile.write(route[1])

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    """http://127.0.0.1:PORT serving the feed fixtures (and an HTML article)."""
    _Handler.routes = {
        "/feed.rss": ("application/rss+xml; charset=utf-8", (FIXTURES / "feed.rss").read_bytes()),
        "/atom": ("application/atom+xml", (FIXTURES / "feed.atom").read_bytes()),
        "/broken": ("application/xml", (FIXTURES / "malformed.rss").read_bytes()),
        "/article": ("text/html; charset=utf-8", (FIXTURES / "article.html").read_bytes()),
        "/zotero": ("application/json", (FIXTURES / "zotero.json").read_bytes()),
        "/moved": ("redirect", b"/feed.rss"),
        "/to-ftp": ("redirect", b"ftp://127.0.0.1/feed.rss"),
        "/loop": ("redirect", b"/loop"),
        "/escape": ("status", b"Oops \x1b[2J\x1b[31mred"),
    }
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


# Feeds ---------------------------------------------------------------------------

def test_rss_feed_from_a_file(ws: Workspace) -> None:
    report = load(ws, str(FIXTURES / "feed.rss"), tags=["border"])
    records = by_title(report)
    assert list(records) == ["Ministers meet on border cooperation", "Tariff talks resume & stall",
                             "An old story"]
    meet = records["Ministers meet on border cooperation"]
    assert meet.kind == "news" and meet.publisher == "Border Desk Daily"
    assert meet.author == ["Jane Reporter"]
    assert meet.url == "https://news.example.org/2025/04/ministers-meet"   # no utm_source
    assert meet.date == dt.date(2025, 4, 8)     # 21:30 in Ottawa is 01:30 UTC the next day
    assert meet.added == DAY and meet.accessed == DAY
    assert meet.tags == ["border"]
    assert meet.summary == "Federal and provincial ministers met in Ottawa on Tuesday."
    assert meet.quotes == [Quote(text="We will keep working with our American partners on "
                                      "shared border challenges", speaker="Minister Alex Tremblay")]
    assert meet.key_facts == ["Officials said the department spent $1.3 billion on border "
                              "security last year."]
    tariff = records["Tariff talks resume & stall"]
    assert tariff.url == "https://news.example.org/2025/04/tariff-talks"    # the permalink guid
    assert report.rejected == [(f"{FIXTURES / 'feed.rss'}, entry 4", "the entry has no title")]
    assert files(ws) >= {added.path.name for added in report.added}
    for added in report.added:                  # what was written is what the library reads
        assert read_record(added.path) == added.record


def test_feeds_over_http_and_reimport_adds_nothing(ws: Workspace, server: str,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    before = files(ws)
    assert run(ws, "sources", "import", f"{server}/feed.rss", f"{server}/atom") == 1  # one rejected
    out, err = capsys.readouterr()
    assert "5 added, 0 skipped, 1 rejected" in out
    assert "rejected" in err and "entry 4: the entry has no title" in err
    added = files(ws) - before
    assert len(added) == 5
    french = read_record(ws.sources_dir /
                         "le-bulletin-frontalier-2025-04-11-droits-de-douane-reprise-des-pourparlers.yaml")
    assert french.title == "Droits de douane : reprise des pourparlers"   # HTML title as text
    assert french.language == "fr" and french.url == "https://bulletin.example.org/2025/04/douane"

    assert run(ws, "sources", "import", f"{server}/feed.rss", f"{server}/atom") == 1
    out, _ = capsys.readouterr()
    assert "0 added, 5 skipped" in out and "already in the library as" in out
    assert files(ws) - before == added


def test_since_and_dry_run(ws: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    before = files(ws)
    assert run(ws, "sources", "import", str(FIXTURES / "feed.rss"), "--since", "2025-01-01",
               "--dry-run") == 1
    out, _ = capsys.readouterr()
    assert "would add sources/border-desk-daily-2025-04-08-ministers-meet-on-border-cooperation.yaml" \
        in out.replace(str(ws.root) + "/", "")
    assert "'An old story' was published before 2025-01-01" in out
    assert "2 to add, 1 skipped, 1 rejected (dry run: nothing written)" in out
    assert files(ws) == before


def test_malformed_feed_is_a_clear_error_and_writes_nothing(ws: Workspace, server: str,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    before = files(ws)
    for source in (str(FIXTURES / "malformed.rss"), f"{server}/broken"):
        # with a good feed first: the whole import stops, nothing is half-written
        assert run(ws, "sources", "import", str(FIXTURES / "feed.atom"), source) == 2
        err = capsys.readouterr().err
        assert "not a well-formed feed: mismatched tag" in err
        assert "malformed.rss:12" in err or f"{server}/broken" in err
    assert files(ws) == before


def test_unreachable_address_and_timeout(ws: Workspace) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]          # nothing listens here once it is closed
    with pytest.raises(InputError, match=r"cannot reach the address: .*refused"):
        load(ws, f"http://127.0.0.1:{port}/feed.rss")
    with socket.socket() as silent:             # accepts the connection, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/feed.rss"
        with pytest.raises(InputError, match=r"no complete answer within 0\.3 s"):
            load(ws, url, timeout=0.3)
    with pytest.raises(InputError, match="only http:// and https://"):
        load(ws, "ftp://127.0.0.1/feed.rss")


class _Drip(http.server.BaseHTTPRequestHandler):
    """Answers a byte at a time, a byte every 0.2 s: each read succeeds, the whole never ends
    (headers from /head, the body from anywhere else)."""

    def do_GET(self) -> None:  # noqa: N802 - the http.server name
        import time

        if self.path != "/head":
            self.wfile.write(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n")
        try:
            for _ in range(150):                # 30 s at most, then the test fails
                self.wfile.write(b"X-Slow: y\r\n"[:1] if self.path == "/head" else b"a")
                self.wfile.flush()
                time.sleep(0.2)
        except OSError:
            pass                                # the client gave up: as it should

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.parametrize("path", ["/body", "/head"])
def test_a_dripping_server_is_cut_off_at_the_timeout(ws: Workspace, path: str) -> None:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Drip)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}{path}"
        with pytest.raises(InputError, match=r"no complete answer within 1 s"):
            load(ws, url, timeout=1)
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.parametrize("value", ["inf", "nan", "-1", "0"])
def test_timeout_must_be_a_sensible_number_of_seconds(ws: Workspace, value: str,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert run(ws, "sources", "import", "http://127.0.0.1:9/feed.rss", "--timeout", value) == 2
    err = capsys.readouterr().err
    assert f"--timeout: {value} will not do; give seconds, more than 0" in err
    assert "Traceback" not in err


def test_http_errors_and_redirects(ws: Workspace, server: str) -> None:
    with pytest.raises(InputError, match="answered 404 Not Found"):
        load(ws, f"{server}/missing.rss")
    with pytest.raises(InputError, match="redirected to ftp://127.0.0.1/feed.rss, which is not http"):
        load(ws, f"{server}/to-ftp")
    assert len(load(ws, f"{server}/moved").added) == 3


@pytest.mark.parametrize(("path", "said"), [
    ("/loop", "redirected too many times or in a loop"),
    ("/escape", "the server answered 500 Oops [2J [31mred")])
def test_what_a_server_says_reaches_the_console_as_one_plain_line(
        ws: Workspace, server: str, path: str, said: str) -> None:
    """A server's words are data: no line breaks, no terminal escape sequences."""
    with pytest.raises(InputError) as caught:
        load(ws, f"{server}{path}")
    assert str(caught.value) == f"{server}{path}: {said}"


# CSL-JSON ------------------------------------------------------------------------

def test_odd_csl_values_are_read_or_left_out(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "odd.json"
    path.write_text(json.dumps([{
        "type": "report", "title": "Odd values", "keyword": ["Border, Trade", "ports"],
        "issued": {"date-parts": [[99999999999, 1, 1]]}, "number-of-pages": "9" * 5000}]),
        encoding="utf-8")
    (record,) = by_title(load(ws, str(path))).values()
    assert record.tags == ["border", "trade", "ports"]
    assert record.date is None and record.pages is None


@pytest.mark.parametrize(("content", "message"), [
    ('[{"title": "T", "number-of-pages": ' + "9" * 5000 + "}]",
     "a number of more than 100 characters; put it in quotes to keep it as text"),
    ("[" * 100_000 + "]" * 100_000, "lists and fields nest more than 100 levels deep"),
    ('{"type": "report", "URL": "https://example.org"}',
     "expected a CSL-JSON list of items ([{...}, {...}]), found one object without a title"),
])
def test_hostile_csl_json_is_one_clear_line(ws: Workspace, tmp_path: Path, content: str,
                                            message: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "items.json"
    path.write_text(content, encoding="utf-8")
    assert run(ws, "sources", "import", str(path)) == 2
    err = capsys.readouterr().err
    assert err == f"briefgen: error: {shown(path)}: {message}\n"


def test_html_nested_100000_deep_is_imported(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "deep.html"
    ld = '<script type="application/ld+json">' + "[" * 100_000 + "]" * 100_000 + "</script>"
    path.write_text(f"<html><head>{ld}<title>Deep page</title></head><body>"
                    + "<div>" * 100_000 + "Deep words here." + "</div>" * 100_000
                    + "</body></html>", encoding="utf-8")
    (record,) = by_title(load(ws, str(path))).values()
    assert (record.title, record.text) == ("Deep page", "Deep words here.")


def test_zotero_csl_json(ws: Workspace, server: str) -> None:
    report = load(ws, str(FIXTURES / "zotero.json"))
    records = by_title(report)
    news = records["Canadian officials prepared for any U.S. election outcome, internal memos show"]
    assert news.model_dump(include={"kind", "publisher", "author", "date", "accessed", "url",
                                    "summary", "language", "tags"}) == {
        "kind": "news", "publisher": "The Canadian Press", "author": ["Jane Reporter", "CP Staff"],
        "date": dt.date(2024, 12, 13), "accessed": dt.date(2024, 12, 16),
        "url": "https://www.thecanadianpress.example/2024/12/13/us-election-memos",
        "summary": "Memos obtained under the Access to Information Act show how officials prepared.",
        "language": "en", "tags": ["canada-us", "elections"]}
    assert report.added[0].path.name == \
        "the-canadian-press-2024-12-13-canadian-officials-prepared-for-any-us.yaml"
    atip = records["Briefing notes on illegal immigration and Canada–U.S. border cooperation"]
    assert (atip.kind, atip.atip_number, atip.pages, atip.publisher, atip.date, atip.language) == (
        "atip", "A-2024-00123", 12, "Public Safety Canada", dt.date(2024, 11, 15), "fr")
    web = records["Northern border statistics"]
    assert (web.kind, web.date, web.url, web.publisher) == (
        "web", None, "https://doi.org/10.1234/cbp.2025.04", "U.S. Customs and Border Protection")
    assert "year or month only" in report.added[2].notes[0]
    assert report.rejected == [(f"{FIXTURES / 'zotero.json'}, item 4 (id NOTITLE4)",
                                "the item has no title; give it one in Zotero and export again")]
    # the same export again, this time over HTTP: every item is already there
    again = load(ws, f"{server}/zotero")
    assert not again.added and len(again.skipped) == 3


def test_csl_syntax_error_names_the_line(ws: Workspace, tmp_path: Path) -> None:
    bad = tmp_path / "export.json"
    bad.write_text('[\n  {"title": "A"},\n  {"title": }\n]\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load(ws, str(bad))
    assert "export.json:3" in str(caught.value) and "JSON syntax error" in str(caught.value)


# Articles ------------------------------------------------------------------------

@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed articles are not beside the repository")
def test_seed_articles_give_quotes_a_brief_can_cite(ws: Workspace,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert run(ws, "sources", "import", str(SEEDS), "--tag", "canada-us") == 0
    out = capsys.readouterr().out
    assert "2 added, 0 skipped, 0 rejected" in out
    records = {r.id: r for r in read_records(ws.sources_dir)[0].values() if "canada-us" in r.tags}
    cp = next(r for r in records.values() if r.publisher == "The Canadian Press")
    assert cp.date == dt.date(2024, 12, 13)        # from the wire's "first published" line
    speakers = {q.text: q.speaker for r in records.values() for q in r.quotes}
    assert speakers["We are interested in locking in the progress made since 2020 and are "
                    "preparing for all possible outcomes"] == "A briefing note written in late January"
    assert speakers["Donald Trump is immune to facts"] == "Hampson"
    assert speakers["I will sign all necessary documents to charge Mexico and Canada a 25% Tariff "
                    "on ALL products coming into the United States, and its ridiculous Open "
                    "Borders"] == "Trump"
    hampson = ("[It’s] quite clear that when Donald Trump was elected to the presidency, he really "
               "didn’t have much interest either in knowing what’s going on between our two countries")
    assert speakers[hampson].startswith("Fen Hampson, a Carleton University professor")  # "he said"
    assert "Team Canada" not in speakers           # a two-word label is no quotation
    for record in records.values():
        assert record.key_facts and all(quote_found(q.text, record) for q in record.quotes)

    # a brief quoting the extracted passages passes check
    other = next(r for r in records.values() if r is not cp)
    brief = ws.root / "briefs" / "quoted.yaml"
    brief.write_text(yaml.safe_dump({
        "subject": "Quotes from the seed articles", "date": "2025-04-14",
        "summary": f'A memo said Canada is "{cp.quotes[1].text}" [@{cp.id}]. Hampson said '
                   f'"Donald Trump is immune to facts" [@{other.id}].'}), encoding="utf-8")
    findings = check_brief(Workspace(ws.root), brief)
    assert [f for f in findings if f.rule in ("misquote", "unknown-citation")] == []

    assert run(ws, "sources", "import", str(SEEDS)) == 0     # re-import adds nothing
    assert "0 added, 2 skipped" in capsys.readouterr().out


def test_html_article(ws: Workspace, server: str) -> None:
    for source in (str(FIXTURES / "article.html"), f"{server}/article"):
        report = load(ws, source)
        if report.skipped:                       # the second time: the same canonical address
            assert "already in the library as example-news-2025-04-08" in report.skipped[0][1]
            continue
        record = report.added[0].record
        assert (record.title, record.publisher, record.author, record.date, record.url) == (
            "Ottawa favoured border cooperation, documents show", "Example News", ["Sam Writer"],
            dt.date(2025, 4, 8), "https://example-news.example/2025/04/08/border-cooperation")
        assert record.summary == "Briefing notes show Ottawa favoured cooperation with the U.S."
        assert record.text.startswith("Briefing notes show Ottawa’s position")
        for absent in ("Home", "trackReader", "color: red", "© Example News"):
            assert absent not in record.text
        assert "Canada spent $1.3 billion on border security." in record.text   # <br> joins
        assert [(q.text, q.speaker) for q in record.quotes] == [
            ("rooted in cooperating with like-minded partners, particularly the U.S.", None),
            ("Canada collaborates extensively with the U.S., focusing on information sharing",
             "Talking points prepared for the minister"),
            ("Donald Trump is immune to facts", "Hampson")]


def test_markdown_and_text_articles_use_their_metadata(ws: Workspace) -> None:
    report = load(ws, str(FIXTURES / "article.md"), str(FIXTURES / "article.txt"), tags=["memo"])
    md, txt = (added.record for added in report.added)
    assert (md.title, md.publisher, md.date) == (
        "Memo on preparing for possible U.S. election outcomes", "Global Affairs Canada",
        dt.date(2024, 5, 2))
    assert md.quotes[0].speaker == "The undated memo"
    assert md.key_facts == ["The memo lists 12 areas of cooperation."]
    assert (txt.title, txt.publisher, txt.date) == (
        "Talking points on border cooperation", "Public Safety Canada", dt.date(2025, 4, 8))
    assert txt.text.startswith('"Canada collaborates')      # the header lines are not text
    assert txt.quotes == [Quote(text="Canada collaborates extensively with the U.S. on border "
                                     "management", speaker="The talking points")]


def test_one_article_takes_field_options(ws: Workspace, tmp_path: Path) -> None:
    article = tmp_path / "clipping.txt"
    article.write_text("Officials said 40 ports were affected.\n", encoding="utf-8")
    report = ingest.import_sources(ws, [str(article)], ingest.Options(today=DAY, fields={
        "title": "Ports affected", "publisher": "CBC News", "date": "2025-04-01",
        "kind": "report", "classification": "protected a"}))
    record = report.added[0].record
    assert (record.id, record.kind, record.classification) == (
        "cbc-news-2025-04-01-ports-affected", "report", "PROTECTED A")
    assert report.added[0].notes == []            # not "title from the first sentence"
    with pytest.raises(InputError, match="--title sets a field of one article"):
        ingest.import_sources(ws, [str(FIXTURES / "feed.rss")],
                              ingest.Options(fields={"title": "One title for a whole feed"}))


@pytest.mark.parametrize(("content", "message"), [
    (b"Caf\xe9 au lait\n", "not UTF-8 text (byte 0xe9)"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a binary file, not text"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "a PDF file"),
    (b"   \n\n", "the article has no text"),
])
def test_unreadable_article_files(ws: Workspace, tmp_path: Path, content: bytes, message: str,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "article.txt"
    path.write_bytes(content)
    before = files(ws)
    assert run(ws, "sources", "import", str(path)) == 2
    err = capsys.readouterr().err
    assert message in err and "article.txt" in err
    assert files(ws) == before


def test_declared_charset_is_honoured(ws: Workspace, tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_bytes('<html><head><meta charset="windows-1252"><title>Café talks</title></head>'
                     '<body><p>Ministers met at a café.</p></body></html>'.encode("cp1252"))
    record = load(ws, str(page)).added[0].record
    assert record.title == "Café talks" and record.text == "Ministers met at a café."


# Writing ---------------------------------------------------------------------------

def test_an_import_that_fails_half_way_leaves_nothing(ws: Workspace,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    report = ingest.plan_import(ws, [str(FIXTURES / "feed.rss")], ingest.Options(today=DAY))
    assert len(report.added) == 3
    placed: list[Path] = []
    real = records._place

    def failing(temp: Path, path: Path) -> None:
        if placed:
            raise OSError(28, "No space left on device")
        real(temp, path)
        placed.append(path)

    before = set(os.listdir(ws.sources_dir))
    monkeypatch.setattr(records, "_place", failing)
    with pytest.raises(OutputError, match="No space left on device; nothing was added"):
        ingest.write_report(report)
    assert placed and set(os.listdir(ws.sources_dir)) == before   # no record, no temp file


def test_import_never_replaces_a_file(ws: Workspace) -> None:
    report = ingest.plan_import(ws, [str(FIXTURES / "feed.atom")], ingest.Options(today=DAY))
    report.added[1].path.write_text("kind: news\ntitle: Written meanwhile\n", encoding="utf-8")
    with pytest.raises(OutputError, match="appeared while importing; nothing was added"):
        ingest.write_report(report)
    assert not report.added[0].path.exists()
    assert "Written meanwhile" in report.added[1].path.read_text(encoding="utf-8")


def test_same_title_and_date_elsewhere_gets_a_numbered_id(ws: Workspace, tmp_path: Path) -> None:
    feed = (FIXTURES / "feed.atom").read_text(encoding="utf-8").replace(
        "Droits de douane : &lt;em&gt;reprise&lt;/em&gt; des pourparlers",
        "Les ministres discutent de la frontière").replace(
        "2025-04-11T15:00:00Z", "2025-04-10T15:00:00Z")
    (tmp_path / "same.atom").write_text(feed, encoding="utf-8")
    ids = [added.record.id for added in load(ws, str(tmp_path / "same.atom")).added]
    assert ids == ["le-bulletin-frontalier-2025-04-10-les-ministres-discutent-de-la-frontiere",
                   "le-bulletin-frontalier-2025-04-10-les-ministres-discutent-de-la-frontiere-2"]


def test_record_yaml_is_in_field_order_and_reads_back(ws: Workspace) -> None:
    record = load(ws, str(FIXTURES / "feed.rss")).added[0].record
    text = records.record_yaml(record)
    keys = [line.split(":")[0] for line in text.splitlines() if line[:1].isalpha()]
    order = list(SourceRecord.model_fields)
    assert keys == sorted(keys, key=order.index)
    assert "&id" not in text and "text: |-\n  Federal and provincial" in text


@settings(max_examples=150, deadline=None)
@given(text=st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                    max_size=300),
       title=st.text(min_size=1, max_size=80).filter(lambda t: t.strip()))
def test_any_record_text_reads_back_as_written(text: str, title: str) -> None:
    record = SourceRecord(id="r", kind="news", title=title, text=text, summary=text or None,
                          key_facts=[text] if text else [], quotes=[Quote(text=text or "x")])
    data = yaml.load(records.record_yaml(record), Loader=yaml.SafeLoader)
    assert SourceRecord.model_validate({"id": "r", **data}) == record


# Add --------------------------------------------------------------------------------

def test_add_from_options(ws: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(ws, "sources", "add", "--kind", "statement", "--title", "Minister’s statement on tariffs",
               "--publisher", "Public Safety Canada", "--date", "2025-04-03", "--url",
               "https://www.example.gc.ca/statement", "--tag", "tariffs", "--quote",
               "We will respond with purpose and force", "--fact", "Tariffs of 25 per cent apply.",
               "--author", "A. Minister") == 0
    path = ws.sources_dir / "public-safety-canada-2025-04-03-ministers-statement-on-tariffs.yaml"
    assert f"added {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}" \
        in capsys.readouterr().out
    record = read_record(path)
    assert (record.kind, record.tags, record.author, record.quotes[0].text, record.key_facts) == (
        "statement", ["tariffs"], ["A. Minister"], "We will respond with purpose and force",
        ["Tariffs of 25 per cent apply."])
    assert record.added == ingest.today(ws) == record.accessed

    # the same again: a duplicate by address, then an id another record has
    assert run(ws, "sources", "add", "--kind", "news", "--title", "Other",
               "--url", "https://example.gc.ca/statement/") == 2
    assert "already in the library as public-safety-canada-2025-04-03" in capsys.readouterr().err
    assert run(ws, "sources", "add", "--kind", "news", "--title", "Other", "--id", "stats") == 2
    err = capsys.readouterr().err
    assert "the id 'stats' is already used by" in err and "stats.json" in err
    assert "choose another with --id" in err


@pytest.mark.parametrize(("args", "message"), [
    (["--title", "No kind"], "--kind is required"),
    (["--kind", "news", "--title", "T", "--date", "13/12/2024"], "--date: '13/12/2024' is not a date"),
    (["--kind", "newz", "--title", "T"], "--kind: Input should be 'news'"),
    (["--kind", "news", "--title", "T", "--url", "ftp://x"], "--url: 'ftp://x' is not an http(s)"),
    (["--kind", "news", "--title", "T", "--classification", "secret-ish"], "--classification:"),
    (["--kind", "news", "--title", "T", "--id", "../evil"], "--id: '../evil' is not a valid id"),
])
def test_add_bad_options(ws: Workspace, args: list[str], message: str,
                         capsys: pytest.CaptureFixture[str]) -> None:
    before = files(ws)
    assert run(ws, "sources", "add", *args) == 2
    assert message in capsys.readouterr().err
    assert files(ws) == before


def _editor(tmp_path: Path, *contents: str) -> str:
    """An $EDITOR that writes each of ``contents`` in turn (a Python script)."""
    script = tmp_path / "editor.py"
    script.write_text(
        "import json, sys, pathlib\n"
        f"state = pathlib.Path({str(tmp_path / 'calls')!r})\n"
        "n = int(state.read_text()) if state.exists() else 0\n"
        "state.write_text(str(n + 1))\n"
        f"contents = json.loads({json.dumps(json.dumps(contents))})\n"
        "pathlib.Path(sys.argv[1]).write_text(contents[min(n, len(contents) - 1)], encoding='utf-8')\n",
        encoding="utf-8")
    return f"{sys.executable} {script}"


def test_add_in_the_editor_reopens_on_an_error(ws: Workspace, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    template = add.edit_template({"kind": "memo", "tags": ["border"]})
    assert "kind: memo" in template and "tags: [border]" in template and "title:\n" in template
    monkeypatch.setenv("EDITOR", _editor(
        tmp_path,
        "kind: memo\ndate: 2025-04-02\n",                                        # no title
        "kind: memo\ntitle: Memo on ports\ndate: 2025-04-02\npublisher: CBSA\n"))
    monkeypatch.delenv("VISUAL", raising=False)
    assert run(ws, "sources", "add", "--edit", "--kind", "memo") == 0
    assert (tmp_path / "calls").read_text() == "2"
    record = read_record(ws.sources_dir / "cbsa-2025-04-02-memo-on-ports.yaml")
    assert record.title == "Memo on ports" and record.added == ingest.today(ws)


def test_add_in_the_editor_gives_up_when_saved_unchanged(ws: Workspace, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    before = files(ws)
    monkeypatch.setenv("VISUAL", f"{sys.executable} -c pass")      # closes without a change
    assert run(ws, "sources", "add", "--edit") == 0
    assert "nothing added" in capsys.readouterr().out
    # an invalid record, then the file saved as it was, error and all: give up, keep the draft
    with pytest.raises(InputError, match=r"line 3: date: 'soon' is not a date.*draft is kept"):
        add.add_with_editor(ws, {}, editor=_two_step_editor(tmp_path))
    assert files(ws) == before


def _two_step_editor(tmp_path: Path) -> str:
    """Writes an invalid record, then saves the file as it finds it."""
    script = tmp_path / "two.py"
    script.write_text(
        "import sys, pathlib\n"
        f"state = pathlib.Path({str(tmp_path / 'two-calls')!r})\n"
        "if not state.exists():\n"
        "    state.write_text('1')\n"
        "    pathlib.Path(sys.argv[1]).write_text('kind: news\\ndate: soon\\ntitle: T\\n')\n",
        encoding="utf-8")
    return f"{sys.executable} {script}"


def _script(tmp_path: Path, body: str) -> str:
    """An $EDITOR: a Python script run on the draft (``draft``: its path)."""
    script = tmp_path / "edit.py"
    script.write_text("import pathlib, sys\ndraft = pathlib.Path(sys.argv[1])\n" + body,
                      encoding="utf-8")
    return f"{sys.executable} {script}"


FLAGS = ["--kind", "report", "--title", "Ports: a review", "--author", "A. Writer",
         "--author", "B. Writer", "--tag", "border", "--date", "2025-03-04", "--pages", "12",
         "--url", "https://example.org/r?x=1", "--summary", "Two lines\nof summary",
         "--quote", "We will: act", "--fact", "Seizures rose 4%", "--text", "First: line\nSecond"]


def test_add_in_the_editor_with_every_flag_reads_the_draft_back(
        ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", _script(tmp_path, (
        "text = draft.read_text(encoding='utf-8')\n"
        "draft.write_text(text.replace('publisher:\\n', 'publisher: CBSA\\n'), encoding='utf-8')\n")))
    assert run(ws, "sources", "add", "--edit", *FLAGS) == 0
    record = read_record(ws.sources_dir / "cbsa-2025-03-04-ports-a-review.yaml")
    assert (record.kind, record.title, record.publisher) == ("report", "Ports: a review", "CBSA")
    assert record.author == ["A. Writer", "B. Writer"] and record.tags == ["border"]
    assert (record.date, record.pages) == (dt.date(2025, 3, 4), 12)
    assert record.summary == "Two lines\nof summary" and record.text == "First: line\nSecond"
    assert [q.text for q in record.quotes] == ["We will: act"]
    assert record.key_facts == ["Seizures rose 4%"]


def test_add_in_the_editor_with_flags_saved_unchanged_adds_nothing(
        ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    before = files(ws)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", _script(tmp_path, "pass\n"))
    assert run(ws, "sources", "add", "--edit", *FLAGS) == 0
    captured = capsys.readouterr()
    assert "nothing added" in captured.out and "error" not in captured.err
    assert files(ws) == before


def test_an_editor_that_deletes_the_draft(ws: Workspace, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    before = files(ws)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", _script(tmp_path, "draft.unlink()\n"))
    assert run(ws, "sources", "add", "--edit", "--kind", "memo") == 2
    err = capsys.readouterr().err
    assert re.search(r"error: the editor removed the draft \S+briefgen-record-\S+\.yaml; "
                     r"nothing added\n$", err), err
    assert files(ws) == before


def test_a_missing_editor_is_a_clear_error(ws: Workspace) -> None:
    with pytest.raises(InputError, match="cannot start the editor 'no-such-editor-x'"):
        add.add_with_editor(ws, {}, editor="no-such-editor-x")


# List, show, search ---------------------------------------------------------------

def test_list_filters(ws: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    load(ws, str(FIXTURES / "zotero.json"))
    assert run(ws, "sources", "list") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["ID", "KIND", "DATE", "TITLE"]
    assert len(lines) == 1 + 4 + 3
    dates = [line.split()[2] for line in lines[1:]]
    assert dates == sorted(dates, reverse=True)            # newest first

    def ids(*args: str) -> list[str]:
        assert run(ws, "sources", "list", *args) == 0
        return [line.split()[0] for line in capsys.readouterr().out.splitlines()[1:]]

    atip = "public-safety-canada-2024-11-15-briefing-notes-on-illegal-immigration"
    assert ids("--kind", "atip") == [atip, "atip-note"]
    web = "us-customs-and-border-northern-border-statistics"       # no date: added DAY
    assert ids("--kind", "atip", "--kind", "web") == [web, atip, "atip-note"]
    assert ids("--tag", "elections") == [
        "the-canadian-press-2024-12-13-canadian-officials-prepared-for-any-us"]
    assert ids("--since", "2024-11-01", "--until", "2024-11-14") == ["atip-note"]
    assert run(ws, "sources", "add", "--kind", "memo", "--title", "Protected memo", "--id", "pb",
               "--classification", "protected b") == 0
    capsys.readouterr()
    assert ids("--classification", "PROTECTED B") == ["pb"]
    assert len(ids("--classification", "unclassified")) == 7   # the default level counts
    assert run(ws, "sources", "list", "--since", "last week") == 2
    assert "--since: 'last week' is not a date" in capsys.readouterr().err


def test_show(ws: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(ws, "sources", "show", "memo-text") == 0
    out = capsys.readouterr().out
    assert out.startswith("# ") and "sources/memo-text.md\nid: memo-text\nkind: memo\n" in out
    assert run(ws, "sources", "show", "memo-txt") == 2
    assert "no record 'memo-txt' in the library; did you mean memo-text?" in capsys.readouterr().err


def test_search_finds_a_record_by_a_word_in_a_quote(ws: Workspace,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert run(ws, "sources", "add", "--kind", "statement", "--title", "Statement on ports",
               "--quote", "Our ports are resilient and open", "--id", "ports-statement") == 0
    capsys.readouterr()
    assert run(ws, "sources", "search", "resilient") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "ports-statement  Statement on ports"
    assert out[1].strip() == "Our ports are **resilient** and open"
    assert run(ws, "sources", "search", "ports") == 0
    assert "**ports**" in capsys.readouterr().out                  # in the title too
    assert run(ws, "sources", "search", "nowhere-to-be-found") == 1
    assert run(ws, "sources", "search", '"ports are" OR zebra', "--fts") == 0


def test_invalid_files_are_warned_about_and_left_out(ws: Workspace, caplog: pytest.LogCaptureFixture,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    (ws.sources_dir / "broken.yaml").write_text("kind: news\ntitel: Typo\n", encoding="utf-8")
    assert run(ws, "sources", "list") == 0
    assert "broken.yaml:2: titel: unknown field" in caplog.text
    out = capsys.readouterr().out
    assert "news-article" in out and "broken" not in out
    report = load(ws, str(FIXTURES / "feed.atom"))               # still imports
    assert len(report.added) == 2


def test_added_is_today_in_the_workspace_time_zone(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    shutil.copytree(Path(__file__).parent / "fixtures" / "workspace", root)
    for zone in ("Pacific/Kiritimati", "Etc/GMT+12"):             # 26 hours apart
        (root / "briefgen.toml").write_text(f'[digest]\ntimezone = "{zone}"\n', encoding="utf-8")
        import zoneinfo

        assert ingest.today(Workspace(root)) == dt.datetime.now(zoneinfo.ZoneInfo(zone)).date()


def test_ids_are_stable_slugs() -> None:
    assert records.make_id("The Canadian Press", dt.date(2024, 12, 13),
                          "Canadian officials prepared for any U.S. election outcome") == \
        "the-canadian-press-2024-12-13-canadian-officials-prepared-for-any-us"
    assert records.make_id("Radio-Canada", None, "Québec : l’été des négociations") == \
        "radio-canada-quebec-lete-des-negociations"
    assert records.make_id(None, None, "") == "record"
    assert ingest.url_key("https://www.example.org/a/?utm_source=x&id=3#top") == \
        ingest.url_key("http://example.org/a?id=3")


def test_the_documented_csl_mapping_is_the_one_used() -> None:
    doc = (Path(__file__).parent.parent / "docs" / "sources.md").read_text(encoding="utf-8")
    row = next(line for line in doc.splitlines() if line.startswith("| `type` |"))
    documented = {csl_type: kind for types, kind in
                  re.findall(r"((?:`[\w-]+`(?:, )?)+) → (\w+)", row)
                  for csl_type in types.strip("`").split("`, `")}
    assert documented == formats.CSL_KINDS


def test_french_quotations_and_speakers(ws: Workspace, tmp_path: Path) -> None:
    article = tmp_path / "depeche.txt"
    article.write_text(
        "« Nous allons protéger nos travailleurs et nos entreprises », a déclaré la ministre "
        "Mélanie Joly lors d'une conférence de presse.\n"
        "Selon le document, « la frontière demeure sûre et bien gérée ».\n"
        "« Le Canada ne cédera pas aux menaces », a-t-elle ajouté.\n"
        "Les droits de douane de 25 pour cent s'appliquent depuis mars.\n", encoding="utf-8")
    report = ingest.import_sources(ws, [str(article)], ingest.Options(
        today=DAY, fields={"language": "fr", "title": "Dépêche"}))
    record = report.added[0].record
    assert [(q.text, q.speaker) for q in record.quotes] == [
        ("Nous allons protéger nos travailleurs et nos entreprises", "La ministre Mélanie Joly"),
        ("la frontière demeure sûre et bien gérée", "Le document"),
        ("Le Canada ne cédera pas aux menaces", "La ministre Mélanie Joly")]
    assert record.key_facts == ["Les droits de douane de 25 pour cent s'appliquent depuis mars."]
    assert all(quote_found(q.text, record) for q in record.quotes)


def test_the_command_in_its_own_process(workspace: Path) -> None:
    """The installed entry point: lazy imports, messages and exit codes as a user sees them."""
    def briefgen(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "briefgen", *args], cwd=workspace,
                              capture_output=True, text=True, timeout=120)

    result = briefgen("sources", "import", str(FIXTURES / "feed.atom"))
    assert result.returncode == 0, result.stderr
    assert "2 added, 0 skipped, 0 rejected" in result.stdout
    assert "sources/le-bulletin-frontalier-2025-04-10-les-ministres" in result.stdout
    result = briefgen("sources", "import", str(FIXTURES / "malformed.rss"))
    assert result.returncode == 2
    assert "briefgen: error: " in result.stderr and "malformed.rss:12: not a well-formed feed: " \
        "mismatched tag" in result.stderr
    result = briefgen("sources", "search", "frontière")
    assert result.returncode == 0 and "**frontière**" in result.stdout
