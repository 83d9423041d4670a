"""briefgen digest schedule: a crontab line and systemd units that run this workspace's digest."""
from __future__ import annotations

import shlex
import shutil
import sys
from pathlib import Path

import pytest

from briefgen import cli
from briefgen.digest.schedule import schedule, unit_name
from briefgen.errors import InputError
from briefgen.workspace import Workspace

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    root = tmp_path / "my digest"               # a space, as in many shared-drive paths
    shutil.copytree(FIXTURES / "digest", root)
    return Workspace(root)


def _with_smtp(ws: Workspace) -> Workspace:
    settings = ws.root / "briefgen.toml"
    settings.write_text(settings.read_text(encoding="utf-8") + '\n[smtp]\nhost = "smtp.example.gc.ca"\n'
                        'sender = "d@example.gc.ca"\nrecipients = ["m@example.gc.ca"]\n'
                        'username = "d"\npassword_env = "DIGEST_PW"\n', encoding="utf-8")
    return Workspace(ws.root)


def test_cron_line(ws: Workspace) -> None:
    text = schedule(ws, "cron")
    line = text.splitlines()[-1]
    assert line.startswith("0 7 * * 1 ")
    command = shlex.split(line.removeprefix("0 7 * * 1 ").split(" >> ")[0])
    assert command == [sys.executable, "-m", "briefgen", "-C", str(ws.root), "digest", "--catch-up"]
    assert f">> '{ws.root}/.briefgen/digest.log' 2>&1" in line
    assert (ws.root / ".briefgen").is_dir()     # the shell opens the log before briefgen runs
    assert "America/Toronto" in text


def test_cron_with_email_and_another_time(ws: Workspace) -> None:
    ws = _with_smtp(ws)
    text = schedule(ws, "cron", at="6:30")
    assert text.splitlines()[-1].startswith("30 6 * * 1 ")
    assert "--catch-up --email" in text and "DIGEST_PW" in text
    assert "--email" not in schedule(ws, "cron", email=False)


def test_percent_signs_are_escaped_for_cron(tmp_path: Path) -> None:
    root = tmp_path / "100%"
    shutil.copytree(FIXTURES / "digest", root)
    line = schedule(Workspace(root), "cron").splitlines()[-1]
    assert "100\\%" in line and "100%" not in line.replace("100\\%", "")


def test_systemd_units(ws: Workspace) -> None:
    ws = _with_smtp(ws)
    text = schedule(ws, "systemd")
    name = unit_name(ws)
    assert name.startswith("briefgen-digest-my-digest-")
    assert f"# ~/.config/systemd/user/{name}.service" in text
    assert f"# ~/.config/systemd/user/{name}.timer" in text
    assert "Type=oneshot" in text and f"WorkingDirectory={ws.root}" in text
    exec_start = next(line for line in text.splitlines() if line.startswith("ExecStart="))
    assert f'"{ws.root}"' in exec_start and exec_start.endswith("digest --catch-up --email")
    assert f"EnvironmentFile=%h/.config/briefgen/{name}.env" in text and "DIGEST_PW=" in text
    assert "OnCalendar=Mon *-*-* 07:00:00 America/Toronto" in text
    assert "Persistent=true" in text and "WantedBy=timers.target" in text
    assert f"systemctl --user enable --now {name}.timer" in text


def test_bad_time() -> None:
    ws = Workspace(FIXTURES / "digest")
    for at in ("7am", "24:00", "07:60"):
        with pytest.raises(InputError, match="not a time of day"):
            schedule(ws, "cron", at=at)


def test_cli_schedule(ws: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["-C", str(ws.root), "digest", "schedule", "--systemd", "--no-email"]) == 0
    out = capsys.readouterr().out
    assert "[Timer]" in out and "--email" not in out
    assert cli.main(["digest", "schedule", "--cron", "-C", str(ws.root)]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("0 7 * * 1 ")
    assert cli.main(["-C", str(ws.root), "digest", "schedule", "--at", "noon"]) == 2
    assert "not a time of day" in capsys.readouterr().err
