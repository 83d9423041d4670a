"""briefgen serve: Host, Origin and CSRF checks, ids not paths, sign-in, bind refusal."""
from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from briefgen.cli import main
from briefgen.web.server import TOKEN_VARIABLE
from tests.webclient import client, csrf

TOKEN = "a-long-enough-access-token"


def test_a_foreign_host_header_is_refused(workspace: Path) -> None:
    """A DNS-rebinding page reaches 127.0.0.1 under its own name: the Host header gives it away."""
    web = client(workspace)
    assert web.get("/briefs").status_code == 200
    refused = web.get("/briefs", headers={"Host": "evil.example"})
    assert refused.status_code == 400 and "Host" in refused.text


@pytest.mark.parametrize("headers", [{"Origin": "http://evil.example"}, {"Origin": ""},
                                     {"Origin": "null"}])
def test_a_post_from_another_origin_is_refused(workspace: Path, headers: dict) -> None:
    web = client(workspace)
    token = csrf(web)
    answer = web.post("/briefs/new", data={"csrf": token, "type": "briefing-note", "name": "x"},
                      headers=headers)
    assert answer.status_code == 403
    assert not (workspace / "briefs" / "x.md").exists()


def test_a_post_without_the_right_csrf_token_is_refused(workspace: Path) -> None:
    web = client(workspace)
    for data in ({}, {"csrf": "0" * 64}, {"csrf": csrf(client(workspace))}):   # another session's
        answer = web.post("/briefs/new", data={**data, "type": "briefing-note", "name": "x"})
        assert answer.status_code == 403, data
        assert "token" in answer.text
    assert not (workspace / "briefs" / "x.md").exists()
    made = web.post("/briefs/new", data={"csrf": csrf(web), "type": "briefing-note", "name": "x"})
    assert made.status_code == 303 and made.headers["location"] == "/briefs/x"
    assert (workspace / "briefs" / "x.md").read_text().startswith("---\ntype: briefing-note\n")


def test_the_csrf_token_also_works_as_a_header(workspace: Path) -> None:
    web = client(workspace)
    answer = web.post("/briefs/note/preview", data={"text": "x"},
                      headers={"X-CSRF-Token": csrf(web)})
    assert answer.status_code == 200


@pytest.mark.parametrize("url", [
    "/briefs/..%2F..%2Fbriefgen.toml", "/briefs/%2Fetc%2Fpasswd", "/briefs/%2E%2E",
    "/library/records/..%2Fbriefgen.toml", "/static/..%2F..%2Fcli.py", "/static/../app.py",
    "/briefs/open?brief=../briefgen.toml&record=x&quote=0",
])
def test_no_path_from_a_request_reaches_outside(workspace: Path, url: str) -> None:
    answer = client(workspace).get(url)
    assert answer.status_code in (400, 404)
    assert "department" not in answer.text and "root:" not in answer.text
    assert "Traceback" not in answer.text


def test_saving_under_a_path_instead_of_an_id_is_refused(workspace: Path) -> None:
    web = client(workspace)
    answer = web.post("/briefs/..%2Fbriefgen.toml/save",
                      data={"csrf": csrf(web), "text": "x", "opened": ""})
    assert answer.status_code in (400, 404)
    assert "department" in (workspace / "briefgen.toml").read_text()


def test_a_body_over_the_limit_is_refused_unread(workspace: Path) -> None:
    web = client(workspace)
    big = b"x" * (10 * 1024 * 1024 + 1)
    answer = web.post("/library/import", content=big,
                      headers={"X-CSRF-Token": csrf(web), "Content-Type": "text/plain"})
    assert answer.status_code == 413


def test_record_and_brief_text_is_escaped(workspace: Path) -> None:
    (workspace / "sources" / "evil.yaml").write_text(
        "kind: news\ntitle: <script>alert(1)</script> border\ntext: <img src=x onerror=alert(2)>\n")
    web = client(workspace)
    found = web.get("/library", params={"q": "border"}).text
    assert "<script>alert(1)" not in found and "&lt;script&gt;alert(1)" in found
    record = web.get("/library/records/evil").text
    assert "<img src=x" not in record and "&lt;img src=x" in record


def test_a_broken_brief_shows_its_message_not_a_traceback(workspace: Path) -> None:
    (workspace / "briefs" / "bad.yaml").write_text("subject: [unclosed\n")
    web = client(workspace)
    listing = web.get("/briefs")
    assert listing.status_code == 200 and "cannot be read" in listing.text
    page = web.get("/briefs/bad")
    assert page.status_code == 200
    assert re.search(r"line 2</button> error \[input\]: YAML syntax error", page.text)
    assert "Traceback" not in page.text and "File \"" not in page.text


def test_pages_send_security_headers_and_a_strict_cookie(workspace: Path) -> None:
    answer = client(workspace).get("/briefs")
    assert "default-src 'self'" in answer.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie


def test_with_auth_every_page_needs_the_token(workspace: Path) -> None:
    web = client(workspace, token=TOKEN)
    assert web.get("/briefs").headers["location"] == "/login"
    assert web.get("/library/records/news-article").status_code == 303
    assert web.post("/briefs/new", data={"csrf": csrf(web, "/login")}).status_code == 403
    wrong = web.post("/login", data={"csrf": csrf(web, "/login"), "token": "guess"})
    assert wrong.status_code == 403 and web.get("/briefs").status_code == 303
    right = web.post("/login", data={"csrf": csrf(web, "/login"), "token": TOKEN})
    assert right.status_code == 303
    assert "HttpOnly" in right.headers["set-cookie"] and "SameSite=Strict" in right.headers["set-cookie"]
    assert web.get("/briefs").status_code == 200
    web.post("/logout", data={"csrf": csrf(web)})
    assert web.get("/briefs").status_code == 303


def test_a_network_bind_without_auth_is_refused(workspace: Path, capsys: pytest.CaptureFixture,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TOKEN_VARIABLE, raising=False)
    assert main(["serve", "-C", str(workspace), "--host", "0.0.0.0"]) == 2
    assert "--host 0.0.0.0 would open the workspace to the network; add --auth" in capsys.readouterr().err
    assert main(["serve", "-C", str(workspace), "--host", "0.0.0.0", "--auth"]) == 2
    assert f"environment variable {TOKEN_VARIABLE}" in capsys.readouterr().err
    monkeypatch.setenv(TOKEN_VARIABLE, "short")
    assert main(["serve", "-C", str(workspace), "--host", "192.168.1.5", "--auth"]) == 2
    assert "at least 16 characters" in capsys.readouterr().err


def test_the_interface_speaks_the_browser_language_and_toggles(workspace: Path) -> None:
    web = client(workspace)
    assert "Bibliothèque" in web.get("/briefs", headers={"Accept-Language": "fr-CA,fr;q=0.9"}).text
    assert "Library" in web.get("/briefs", headers={"Accept-Language": "de, en;q=0.5"}).text
    toggled = web.post("/lang", data={"csrf": csrf(web), "lang": "fr", "back": "//evil.example"})
    assert toggled.headers["location"] == "/"
    assert '<html lang="fr">' in web.get("/briefs").text


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_real_server_answers_on_loopback_only_to_its_names(workspace: Path) -> None:
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "briefgen", "serve", "-C", str(workspace),
                               "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        url = f"http://127.0.0.1:{port}/briefs"
        for _ in range(200):
            try:
                page = urllib.request.urlopen(url, timeout=5).read().decode()
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        assert "Border cooperation | test" in page
        forged = urllib.request.Request(url, headers={"Host": "attacker.example"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(forged, timeout=5)
        assert refused.value.code == 400
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_a_port_in_use_is_one_clear_line(workspace: Path, capsys: pytest.CaptureFixture) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "-C", str(workspace), "--port", str(port)]) == 2
    assert capsys.readouterr().err == \
        f"briefgen: error: cannot listen on 127.0.0.1:{port}: Address already in use\n"


def test_a_wildcard_bind_answers_to_this_machine_names_only() -> None:
    from briefgen.web.server import guard_for

    guard = guard_for("0.0.0.0", 8000, True, ("briefs.example.org",), env={TOKEN_VARIABLE: TOKEN})
    for name in (socket.gethostname(), "localhost", "briefs.example.org"):
        assert guard.host_allowed(f"{name}:8000") and guard.host_allowed(name)
    assert not guard.host_allowed("evil.example:8000")
    assert guard.token == TOKEN
    loopback = guard_for("127.0.0.1", 8000, False, env={})
    assert not loopback.host_allowed(f"{socket.gethostname()}:8000") or \
        socket.gethostname() == "localhost"
