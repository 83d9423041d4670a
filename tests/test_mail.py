"""E-mail delivery against a real SMTP server (aiosmtpd on 127.0.0.1): delivery, attachment,
server down, rejection, retry, and never a week sent twice."""
from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
import json
import re
import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import docx
import pytest

pytest.importorskip("aiosmtpd")
from aiosmtpd.controller import Controller  # noqa: E402
from aiosmtpd.smtp import AuthResult, LoginPassword  # noqa: E402

from briefgen import cli  # noqa: E402
from briefgen.digest import mail  # noqa: E402
from briefgen.digest.mail import MailError  # noqa: E402
from briefgen.digest.state import STATE_FILE  # noqa: E402
from briefgen.digest.weekly import Options, run  # noqa: E402
from briefgen.errors import InputError  # noqa: E402
from briefgen.workspace import Workspace  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"
W50 = "2024-W50"
RECIPIENTS = ["minister-office@example.gc.ca", "analyst@example.gc.ca"]


@dataclass
class Recorder:
    """An SMTP handler that keeps what it accepts; ``reject`` makes it refuse the next messages."""

    messages: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    reject: list[str] = field(default_factory=list)       # replies for the next DATA commands
    refuse_rcpt: set[str] = field(default_factory=set)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse_rcpt:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if self.reject:
            return self.reject.pop(0)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    port: int
    handler: Recorder
    controller: Controller | None = None
    options: dict = field(default_factory=dict)

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port,
                                     **self.options)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def parsed(self) -> list[email.message.EmailMessage]:
        return [email.message_from_bytes(raw, policy=email.policy.default)
                for _, _, raw in self.handler.messages]


@pytest.fixture
def server() -> Iterator[Server]:
    srv = Server(free_port(), Recorder())
    srv.start()
    yield srv
    srv.stop()


def _workspace(tmp_path: Path, port: int, extra: str = "") -> Path:
    root = tmp_path / "ws"
    shutil.copytree(FIXTURES / "digest", root)
    with open(root / "briefgen.toml", "a", encoding="utf-8") as handle:
        handle.write(f'\n[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
                     f'sender = "digest@example.gc.ca"\nrecipients = {json.dumps(RECIPIENTS)}\n'
                     f"timeout = 5\n{extra}")
    return root


def _send(root: Path, **options) -> list:
    options.setdefault("formats", ["md", "docx"])
    return run(Workspace(root), Options(email=True, **options))


def _state(root: Path) -> dict:
    return json.loads((root / STATE_FILE).read_text(encoding="utf-8"))


def test_delivery_with_the_docx_attached(tmp_path: Path, server: Server) -> None:
    root = _workspace(tmp_path, server.port)
    [result] = _send(root, week=W50)
    assert result.sent
    [(sender, recipients, _)] = server.handler.messages
    assert sender == "digest@example.gc.ca" and recipients == RECIPIENTS
    [message] = server.parsed()
    assert message["Subject"] == "[PROTECTED B] Weekly Digest: 2024-W50"
    assert message["To"] == ", ".join(RECIPIENTS)
    assert message["Message-ID"].startswith("<digest-2024-W50-") and "@example.gc.ca>" in message["Message-ID"]
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "<html" in html and "Tariff threat prompts talks" in html and "PROTECTED B" in html
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert text.startswith("**PROTECTED B**") and "### Tariff threat prompts talks" in text
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "2024-W50.docx"
    assert attachment.get_content_type() == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    data = attachment.get_content()
    assert data == (root / "out" / "digests" / "2024-W50.docx").read_bytes()
    document = docx.Document(io.BytesIO(data))
    assert "Tariff threat prompts talks" in "\n".join(p.text for p in document.paragraphs)
    week = _state(root)["weeks"][W50]
    assert week["sent_at"] and week["recipients"] == RECIPIENTS


def test_a_week_is_never_sent_twice(tmp_path: Path, server: Server,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    root = _workspace(tmp_path, server.port)
    _send(root, week=W50)
    again = _send(root, week=W50)[0]
    assert not again.sent and again.already_sent and again.written == []
    # even when the digest changed since (a record added late): the files change, no e-mail
    (root / "sources" / "late.yaml").write_text(
        "kind: news\ntitle: Added late\nadded: 2024-12-12\n", encoding="utf-8")
    late = _send(root, week=W50)[0]
    assert late.written and not late.sent
    assert cli.main(["-C", str(root), "digest", "--week", W50, "--email", "--format", "md,docx"]) == 0
    assert "already sent on" in capsys.readouterr().out
    assert len(server.handler.messages) == 1


def test_server_down_fails_then_the_next_run_retries(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    down = Server(free_port(), Recorder())          # nothing listens on this port yet
    root = _workspace(tmp_path, down.port)
    code = cli.main(["-C", str(root), "digest", "--week", W50, "--email", "--format", "md,docx"])
    assert code == 1
    err = capsys.readouterr().err
    assert f"cannot send through the SMTP server 127.0.0.1:{down.port}: Connection refused" in err
    assert (root / "out" / "digests" / "2024-W50.docx").is_file()     # written before sending
    assert _state(root)["weeks"][W50]["sent_at"] is None
    down.start()
    try:
        assert _send(root, week=W50)[0].sent                           # the retry, files unchanged
        assert not _send(root, week=W50)[0].sent
        assert len(down.handler.messages) == 1
    finally:
        down.stop()


def test_a_rejected_message_is_not_counted_as_sent(tmp_path: Path, server: Server) -> None:
    root = _workspace(tmp_path, server.port)
    server.handler.reject = ["554 5.7.1 Message rejected by policy"]
    with pytest.raises(MailError, match="did not accept the message: 554 5.7.1 Message rejected"):
        _send(root, week=W50)
    assert _state(root)["weeks"][W50]["sent_at"] is None
    assert _send(root, week=W50)[0].sent
    assert len(server.handler.messages) == 1


def test_catch_up_stops_at_a_failure_and_resumes_without_duplicates(tmp_path: Path,
                                                                    server: Server) -> None:
    """Empty weeks too (--send-empty): every week of the catch-up is a message."""
    root = _workspace(tmp_path, server.port)

    def catch_up(today: dt.date) -> list:
        return _send(root, catch_up=True, send_empty=True, today=today)

    catch_up(dt.date(2024, 12, 4))                                     # W48, sent
    server.handler.reject = ["451 4.3.0 Try again later"]             # the next message fails
    with pytest.raises(MailError, match="451"):
        catch_up(dt.date(2024, 12, 24))                                # W49 fails: W50, W51 wait
    state = _state(root)
    assert state["last_week"] == "2024-W48" and "2024-W50" not in state["weeks"]
    results = catch_up(dt.date(2024, 12, 24))
    assert [(r.name, r.sent) for r in results] == [("2024-W49", True), (W50, True), ("2024-W51", True)]
    assert catch_up(dt.date(2024, 12, 24)) == []
    subjects = [m["Subject"].split(": ")[1] for m in server.parsed()]
    assert subjects == ["2024-W48", "2024-W49", W50, "2024-W51"]      # each once, in order
    assert _state(root)["last_week"] == "2024-W51"


def test_an_empty_week_is_not_sent_unless_asked(tmp_path: Path, server: Server,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    root = _workspace(tmp_path, server.port)
    results = _send(root, catch_up=True, today=dt.date(2024, 12, 24))      # W51
    results += _send(root, catch_up=True, today=dt.date(2025, 1, 8))       # W52, W01
    assert [(r.name, r.records, r.sent, r.empty_not_sent) for r in results] == [
        ("2024-W51", 1, True, False), ("2024-W52", 0, False, True), ("2025-W01", 0, False, True)]
    assert _state(root)["last_week"] == "2025-W01"          # empty weeks are done, not retried
    assert [m["Subject"].split(": ")[1] for m in server.parsed()] == ["2024-W51"]
    assert (root / "out/digests/2024-W52.md").is_file()      # still written
    assert cli.main(["-C", str(root), "digest", "--email", "--week", "2024-W49",
                     "--format", "md"]) == 0
    assert capsys.readouterr().out.endswith("2024-W49: no records; not sent (--send-empty sends it)\n")
    assert _send(root, week="2024-W49", send_empty=True)[0].sent
    assert [m["Subject"].split(": ")[1] for m in server.parsed()] == ["2024-W51", "2024-W49"]


def test_a_refused_recipient_does_not_resend_to_the_others(tmp_path: Path, server: Server,
                                                           caplog) -> None:
    root = _workspace(tmp_path, server.port)
    server.handler.refuse_rcpt = {"analyst@example.gc.ca"}
    assert _send(root, week=W50)[0].sent
    assert "refused analyst@example.gc.ca" in caplog.text
    assert _state(root)["weeks"][W50]["recipients"] == ["minister-office@example.gc.ca"]
    assert not _send(root, week=W50)[0].sent


def _authenticator(expected: str):
    def check(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"digest" \
            and auth_data.password == expected.encode()
        return AuthResult(success=ok, handled=False)
    return check


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_login_with_the_password_from_the_environment(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    srv = Server(free_port(), Recorder(), options={
        "authenticator": _authenticator("s3cret"), "auth_required": True, "auth_require_tls": False})
    srv.start()
    try:
        root = _workspace(tmp_path, srv.port, 'username = "digest"\npassword_env = "DIGEST_SMTP_PASSWORD"\n')
        monkeypatch.setenv("DIGEST_SMTP_PASSWORD", "wrong")
        with pytest.raises(MailError, match="refused the login of 'digest'"):
            _send(root, week=W50)
        monkeypatch.setenv("DIGEST_SMTP_PASSWORD", "s3cret")
        assert _send(root, week=W50)[0].sent
        assert len(srv.handler.messages) == 1
    finally:
        srv.stop()


def test_a_missing_password_variable_stops_before_anything_is_written(
        tmp_path: Path, server: Server, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    root = _workspace(tmp_path, server.port, 'username = "digest"\npassword_env = "DIGEST_SMTP_PASSWORD"\n')
    monkeypatch.delenv("DIGEST_SMTP_PASSWORD", raising=False)
    code = cli.main(["-C", str(root), "digest", "--week", W50, "--email"])
    assert code == 2
    assert "the environment variable DIGEST_SMTP_PASSWORD (named by [smtp] password_env) is not set" \
        in capsys.readouterr().err
    assert not (root / "out").exists() and not (root / STATE_FILE).exists()
    assert server.handler.messages == []


def test_a_password_in_the_file_is_refused(tmp_path: Path, server: Server) -> None:
    root = _workspace(tmp_path, server.port, 'password = "s3cret"\n')
    with pytest.raises(InputError, match="unknown field; did you mean 'password_env'"):
        Workspace(root)


@pytest.mark.parametrize("missing, message", [
    ("host", "--email needs [smtp] host"), ("sender", "--email needs [smtp] sender"),
    ("recipients", "--email needs [smtp] recipients"),
])
def test_incomplete_settings(tmp_path: Path, server: Server, missing: str, message: str) -> None:
    root = _workspace(tmp_path, server.port)
    settings = root / "briefgen.toml"
    settings.write_text("\n".join(line for line in settings.read_text(encoding="utf-8").splitlines()
                                  if not line.startswith(f"{missing} =")) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=message.replace("[", r"\[").replace("]", r"\]")):
        _send(root, week=W50)
    assert not (root / "out").exists()


def _certificate(folder: Path) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return key, cert


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_encrypted_connections(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, security: str) -> None:
    key, cert = _certificate(tmp_path)
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    options = ({"tls_context": server_context, "require_starttls": True} if security == "starttls"
               else {"ssl_context": server_context})
    srv = Server(free_port(), Recorder(), options=options)
    srv.start()
    real = ssl.create_default_context
    monkeypatch.setattr(mail.ssl, "create_default_context", lambda *a, **k: real(cafile=str(cert)))
    try:
        root = _workspace(tmp_path, srv.port)
        settings = root / "briefgen.toml"
        settings.write_text(settings.read_text(encoding="utf-8").replace(
            'security = "none"', f'security = "{security}"'), encoding="utf-8")
        assert _send(root, week=W50)[0].sent
        assert len(srv.handler.messages) == 1
    finally:
        srv.stop()


def test_an_untrusted_certificate_is_a_clear_failure(tmp_path: Path) -> None:
    key, cert = _certificate(tmp_path)
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    srv = Server(free_port(), Recorder(), options={"tls_context": server_context})
    srv.start()
    try:
        root = _workspace(tmp_path, srv.port)
        settings = root / "briefgen.toml"
        settings.write_text(settings.read_text(encoding="utf-8").replace(
            'security = "none"', 'security = "starttls"'), encoding="utf-8")
        with pytest.raises(MailError, match="CERTIFICATE_VERIFY_FAILED|certificate verify failed"):
            _send(root, week=W50)
        assert srv.handler.messages == []
    finally:
        srv.stop()


@pytest.mark.parametrize("setting, field", [
    ('sender = "digest@example.gc.ca\\r\\nBcc: spy@example.com"', "smtp.sender"),
    ('recipients = ["a@example.gc.ca", "b@example.gc.ca\\nBcc: spy@example.com"]',
     "smtp.recipients.1"),
    ('[labels.en]\ndigest_title = "Digest\\r\\nBcc: spy@example.com"', "labels.en.digest_title"),
])
def test_a_line_break_in_a_header_setting_is_refused(
        tmp_path: Path, server: Server, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch, setting: str, field: str) -> None:
    """No header injection: the settings are refused as they are read, nothing is sent."""
    root = _workspace(tmp_path, server.port)
    settings = root / "briefgen.toml"
    text = settings.read_text(encoding="utf-8")
    key = setting.split(" =")[0].split("\n")[-1]
    if key in ("sender", "recipients"):          # replace the [smtp] line of that name
        text = re.sub(rf"(?m)^{key} = .*$", lambda _: setting, text)
    else:
        text += setting + "\n"
    settings.write_text(text, encoding="utf-8")
    line = text[:text.index(setting.split("\n")[-1])].count("\n") + 1
    monkeypatch.chdir(root)
    assert cli.main(["digest", "--email", "--week", W50]) == 2
    assert capsys.readouterr().err == (
        f"briefgen: error: briefgen.toml:{line}: {field}: a line break (or NUL) is not allowed "
        "here; write it on one line\n")
    assert server.handler.messages == [] and not (root / "out").exists()
