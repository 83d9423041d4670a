"""The how-to in docs/customizing.md, run as written on a new workspace."""
from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

DOC = Path(__file__).parent.parent / "docs" / "customizing.md"
STEP = re.compile(
    r"^File `(?P<file>[^`]+)`:\n\n```\w*\n(?P<content>.*?)^```"
    r"|^Run:\n\n```sh\n(?P<commands>.*?)^```"
    r"|^<!-- expect (?P<out>\S+): (?P<text>.*?) -->",
    re.M | re.S)


def briefgen(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    args = shlex.split(command)
    assert args[0] == "briefgen"
    return subprocess.run([sys.executable, "-m", "briefgen", *args[1:]], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_customizing_howto_runs_as_written(tmp_path: Path) -> None:
    ws = tmp_path / "desk"
    assert briefgen(f"briefgen init {ws}", tmp_path).returncode == 0
    steps = list(STEP.finditer(DOC.read_text(encoding="utf-8")))
    assert len(steps) >= 12
    for step in steps:
        if step["file"]:
            (ws / step["file"]).parent.mkdir(parents=True, exist_ok=True)
            (ws / step["file"]).write_text(step["content"], encoding="utf-8")
        elif step["commands"]:
            for command in step["commands"].strip().splitlines():
                result = briefgen(command, ws)
                assert result.returncode == 0, f"{command}: {result.stderr}"
        else:
            assert step["text"] in (ws / step["out"]).read_text(encoding="utf-8")


def test_error_table_matches_real_messages(tmp_path: Path) -> None:
    ws = tmp_path / "desk"
    briefgen(f"briefgen init {ws}", tmp_path)
    (ws / "templates/briefing-note.md.j2").write_text(
        '{% extends "builtin/briefing-note.md.j2" %}\n{% block summary %}\n\n\n\n\n'
        "{{ brief.sumary }}\n{% endblock %}\n")
    result = briefgen("briefgen build", ws)
    assert "templates/briefing-note.md.j2:7: template error: 'dict object' has no attribute 'sumary'" \
        in result.stderr
    assert "templates/x.md.j2:7: template error: 'dict object' has no attribute 'sumary'" \
        in DOC.read_text(encoding="utf-8")
