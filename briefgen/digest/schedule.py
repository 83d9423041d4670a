"""``briefgen digest schedule``: a crontab line, or a systemd service and timer, for a workspace.

Both run ``briefgen digest --catch-up`` early every Monday. The catch-up makes
the exact time uncritical: a run that was missed (machine off, server down)
is made up by the next one, and a week already made or sent is left alone.
"""
from __future__ import annotations

import hashlib
import re
import shlex
import sys

from briefgen.errors import InputError
from briefgen.workspace import Workspace


def command(ws: Workspace, email: bool) -> list[str]:
    """The digest run, with the Python that runs briefgen now (a venv keeps working)."""
    args = [sys.executable, "-m", "briefgen", "-C", str(ws.root), "digest", "--catch-up"]
    return args + ["--email"] if email else args


def _time(at: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{1,2}):(\d\d)", at.strip())
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise InputError(f"--at {at!r} is not a time of day; write it as HH:MM, e.g. 07:00")
    return int(match[1]), int(match[2])


def unit_name(ws: Workspace) -> str:
    """``briefgen-digest-<folder>-<hash>``: one pair of units per workspace."""
    slug = re.sub(r"[^a-z0-9]+", "-", ws.root.name.lower()).strip("-")[:32] or "workspace"
    return f"briefgen-digest-{slug}-{hashlib.sha1(str(ws.root).encode()).hexdigest()[:6]}"


def cron(ws: Workspace, email: bool, at: str = "07:00") -> str:
    hour, minute = _time(at)
    log = ws.root / ".briefgen" / "digest.log"
    log.parent.mkdir(exist_ok=True)             # the shell opens the log before briefgen runs
    line = " ".join(shlex.quote(part) for part in command(ws, email))
    line = f"{line} >> {shlex.quote(str(log))} 2>&1".replace("%", r"\%")  # % ends a cron command
    zone = ws.settings.digest.timezone
    lines = [
        f"# briefgen weekly digest of {ws.root}: Mondays at {hour:02d}:{minute:02d} (the machine's",
        f"# time zone; the digest's weeks are counted in {zone}).",
    ]
    if email and ws.settings.smtp.password_env:
        lines.append(f"# The run needs {ws.settings.smtp.password_env} in its environment: add a line "
                     f"{ws.settings.smtp.password_env}=... above this one (crontab -e), readable by you only.")
    lines.append(f"{minute} {hour} * * 1 {line}")
    return "\n".join(lines) + "\n"


def systemd(ws: Workspace, email: bool, at: str = "07:00") -> str:
    hour, minute = _time(at)
    name = unit_name(ws)
    exec_start = " ".join(_systemd_quote(part) for part in command(ws, email))
    zone = ws.settings.digest.timezone
    environment = ""
    if email and ws.settings.smtp.password_env:
        environment = ("# The SMTP password: a file with the line "
                       f"{ws.settings.smtp.password_env}=..., mode 600.\n"
                       f"EnvironmentFile=%h/.config/briefgen/{name}.env\n")
    service = (
        f"# ~/.config/systemd/user/{name}.service\n"
        "[Unit]\n"
        f"Description=briefgen weekly digest of {_systemd_text(str(ws.root))}\n\n"
        "[Service]\n"
        "Type=oneshot\n"
        f"WorkingDirectory={_systemd_text(str(ws.root))}\n"
        f"{environment}"
        f"ExecStart={exec_start}\n")
    timer = (
        f"# ~/.config/systemd/user/{name}.timer\n"
        "[Unit]\n"
        "Description=Run the briefgen weekly digest every Monday\n\n"
        "[Timer]\n"
        f"OnCalendar=Mon *-*-* {hour:02d}:{minute:02d}:00 {zone}\n"
        "Persistent=true\n"
        "RandomizedDelaySec=10min\n\n"
        "[Install]\n"
        "WantedBy=timers.target\n")
    enable = (f"# Then: systemctl --user daemon-reload && systemctl --user enable --now {name}.timer\n"
              "#       loginctl enable-linger $USER   (to run while you are logged out)\n")
    return f"{service}\n{timer}\n{enable}"


def _systemd_text(text: str) -> str:
    """A value in a unit file: ``%`` is a specifier there."""
    return text.replace("%", "%%")


def _systemd_quote(part: str) -> str:
    text = _systemd_text(part)
    if re.fullmatch(r"[A-Za-z0-9_@%+=:,./-]+", text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def schedule(ws: Workspace, kind: str = "cron", email: bool | None = None, at: str = "07:00") -> str:
    """What ``briefgen digest schedule`` prints. ``email`` None: when [smtp] has a host."""
    if email is None:
        email = bool(ws.settings.smtp.host)
    return systemd(ws, email, at) if kind == "systemd" else cron(ws, email, at)
