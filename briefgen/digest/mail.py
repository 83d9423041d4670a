"""E-mail delivery of the digest through SMTP (``[smtp]`` in briefgen.toml).

The message is an HTML body (the HTML writer's page when briefgen has one,
else the Markdown through Python-Markdown), the Markdown as its plain-text
alternative, and the DOCX attached. The password never sits in the file:
``password_env`` names the environment variable that holds it, and a missing
one is reported before anything is written.
"""
from __future__ import annotations

import os
import smtplib
import socket
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from typing import Any

from briefgen.errors import BriefgenError, InputError
from briefgen.models import SmtpSettings

DOCX_TYPE = ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


class MailError(BriefgenError):
    """The server could not be reached or did not accept the message: exit status 1."""

    exit_code = 1


def check_settings(smtp: SmtpSettings, root: Path,
                   environ: Mapping[str, str] = os.environ) -> str | None:
    """The password, once the settings a send needs are known to be there (else InputError)."""
    settings_file = root / "briefgen.toml"
    for name in ("host", "sender"):
        if not getattr(smtp, name):
            raise InputError(f"--email needs [smtp] {name} in briefgen.toml",
                             file=settings_file, field=f"smtp.{name}")
    if not smtp.recipients:
        raise InputError("--email needs [smtp] recipients in briefgen.toml (a list of addresses)",
                         file=settings_file, field="smtp.recipients")
    if smtp.username and not smtp.password_env:
        raise InputError("[smtp] username is set but not password_env, the name of the "
                         "environment variable that holds the password", file=settings_file,
                         field="smtp.password_env")
    if not smtp.password_env:
        return None
    password = environ.get(smtp.password_env)
    if not password:
        raise InputError(f"the environment variable {smtp.password_env} (named by [smtp] "
                         "password_env) is not set; set it to the SMTP password in the "
                         "environment of the run", file=settings_file, field="smtp.password_env")
    return password


def html_body(note: Any, ws: Any) -> str:
    """The note as the HTML writer's page."""
    from briefgen.builder import WRITERS

    return WRITERS["html"](note, ws).decode("utf-8")


def digest_message(ws: Any, note: Any, name: str, digest_hash: str, docx: bytes | None,
                   page: bytes | None) -> EmailMessage:
    """The digest's e-mail: HTML body, Markdown alternative, DOCX attached.

    The Message-ID is the same for the same digest, so a mail system can drop a
    copy it has already delivered.
    """
    from briefgen.builder import WRITERS
    from briefgen.writers import markdown as md_writer

    smtp = ws.settings.smtp
    if docx is None:
        docx = WRITERS["docx"](note, ws)
    text = md_writer.write(note).decode("utf-8")
    body = page.decode("utf-8") if page is not None else html_body(note, ws)
    message = EmailMessage()
    message["Subject"] = f"[{note.marking}] {note.brief.subject}"
    message["From"] = smtp.sender
    message["To"] = ", ".join(smtp.recipients)
    message["Date"] = formatdate(localtime=True)
    domain = (smtp.sender or "").rpartition("@")[2] or "briefgen.invalid"
    message["Message-ID"] = f"<digest-{name}-{digest_hash[:16]}@{domain}>"
    message.set_content(text)
    message.add_alternative(body, subtype="html")
    message.add_attachment(docx, maintype=DOCX_TYPE[0], subtype=DOCX_TYPE[1],
                           filename=f"{name}.docx")
    return message


def send(smtp: SmtpSettings, password: str | None, message: EmailMessage) -> list[str]:
    """Hand the message to the server; the recipients it refused (all refused: MailError).

    Returns only once the server has accepted the message.
    """
    port = smtp.port or DEFAULT_PORTS[smtp.security]
    where = f"{smtp.host}:{port}"
    context = ssl.create_default_context()
    client: smtplib.SMTP | None = None
    try:
        if smtp.security == "ssl":
            client = smtplib.SMTP_SSL(smtp.host or "", port, timeout=smtp.timeout, context=context)
        else:
            client = smtplib.SMTP(smtp.host or "", port, timeout=smtp.timeout)
            if smtp.security == "starttls":
                client.starttls(context=context)
        if smtp.username:
            client.login(smtp.username, password or "")
        refused = client.send_message(message)
    except smtplib.SMTPAuthenticationError as err:
        raise MailError(f"the SMTP server {where} refused the login of {smtp.username!r}: "
                        f"{_reply(err)}") from None
    except smtplib.SMTPRecipientsRefused as err:
        raise MailError(f"the SMTP server {where} refused every recipient: "
                        + "; ".join(f"{who} ({_reply(reply)})" for who, reply in err.recipients.items())
                        ) from None
    except smtplib.SMTPNotSupportedError as err:
        raise MailError(f"the SMTP server {where} does not support this: {err}; check [smtp] "
                        "security") from None
    except smtplib.SMTPResponseException as err:
        raise MailError(f"the SMTP server {where} did not accept the message: {_reply(err)}") from None
    except (smtplib.SMTPException, ssl.SSLError, socket.timeout, OSError) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err) or type(err).__name__
        raise MailError(f"cannot send through the SMTP server {where}: {reason}") from None
    finally:
        if client is not None:
            try:
                client.quit()
            except (smtplib.SMTPException, OSError):
                client.close()
    return sorted(refused)


def _reply(err: Any) -> str:
    """An SMTP reply as ``550 text``."""
    if isinstance(err, tuple):
        code, text = err
    else:
        code, text = err.smtp_code, err.smtp_error
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {text}".strip()
