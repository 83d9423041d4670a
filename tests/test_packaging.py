"""The wheel as a user gets it: built, installed in a fresh venv, run outside the repo.

How the venv gets its dependencies (jinja2, python-docx, markdown, pydantic, pyyaml...):

1. A clean venv (no system site-packages) and ``pip install <wheel>`` from the indexes
   pip is configured with. This is the real check: the wheel's declared dependencies
   alone must be enough. It is fast (seconds) with a local index or wheel cache.
2. If that install fails (typically: offline, no index reachable), a venv with
   ``--system-site-packages`` and ``pip install --no-deps --no-index <wheel>``: the
   dependencies come from the Python running the tests. That Python has briefgen
   installed editable, so the tests assert the ``briefgen`` the venv imports is the
   wheel's copy in the venv's site-packages, not the checkout, and run everything from
   a folder outside the repo. ``pip check`` then still catches a misspelt or missing
   declared dependency; only an undeclared one goes unnoticed in this mode.

The venv is made ``--without-pip`` and driven by this Python's pip (``pip --python``,
pip >= 22.3), which saves the few seconds ``ensurepip`` takes.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import warnings
import zipfile
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BRIEF = "border-cooperation"
PACKAGE_DATA = ("_templates/briefing-note.md.j2", "_templates/reference.docx",
                "_examples/briefgen.toml", "disclosure/ministers.json",
                "web/static/htmx.min.js", "web/static/app.js", "web/templates/editor.html")


@dataclass(frozen=True)
class Installed:
    wheel: Path
    venv: Path
    clean: bool  # True: dependencies installed from an index; False: system site-packages
    work: Path   # a folder outside the repo to run in

    def bin(self, name: str) -> Path:
        return self.venv / ("Scripts" if os.name == "nt" else "bin") / name

    def run(self, *cmd: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
        return subprocess.run([str(c) for c in cmd], cwd=cwd or self.work, env=env,
                              capture_output=True, text=True, timeout=300)


def _check(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, f"{result.args}\n{result.stdout}\n{result.stderr}"
    return result


def _build_wheel(outdir: Path) -> Path:
    """``python -m build --wheel``; without build isolation when hatchling is here (offline)."""
    isolation = ["--no-isolation"] if find_spec("hatchling") else []
    _check(subprocess.run([sys.executable, "-m", "build", "--wheel", *isolation,
                           "--outdir", str(outdir), str(REPO)],
                          capture_output=True, text=True, timeout=300))
    (wheel,) = outdir.glob("briefgen-*.whl")
    return wheel


def _pip(python: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pip", "--python", str(python), *args],
                          capture_output=True, text=True, timeout=300)


def _venv(path: Path, system_site: bool) -> Path:
    flags = ["--system-site-packages"] if system_site else []
    _check(subprocess.run([sys.executable, "-m", "venv", "--without-pip", *flags, str(path)],
                          capture_output=True, text=True, timeout=120))
    return path / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _install(wheel: Path, root: Path) -> tuple[Path, bool]:
    """The wheel in a clean venv if its dependencies can be had, else see the docstring."""
    python = _venv(root / "clean", system_site=False)
    result = _pip(python, "install", "--quiet", "--retries", "1", "--timeout", "15", str(wheel))
    if result.returncode == 0:
        return root / "clean", True
    warnings.warn("clean venv install failed, falling back to --system-site-packages:\n"
                  + result.stderr[-2000:], stacklevel=1)
    python = _venv(root / "shared", system_site=True)
    _check(_pip(python, "install", "--quiet", "--no-deps", "--no-index", "--ignore-installed",
                str(wheel)))
    return root / "shared", False


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    root = tmp_path_factory.mktemp("packaging")
    assert not root.resolve().is_relative_to(REPO), "the temp folder must be outside the repo"
    wheel = _build_wheel(root / "dist")
    venv, clean = _install(wheel, root)
    work = root / "work"
    work.mkdir()
    return Installed(wheel=wheel, venv=venv, clean=clean, work=work)


def test_wheel_holds_templates_and_examples(installed: Installed) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    for data in PACKAGE_DATA:
        assert f"briefgen/{data}" in names
    assert any(n.startswith("briefgen/_examples/sources/") for n in names)
    assert {f"briefgen/_examples/briefs/{BRIEF}.md", f"briefgen/_examples/briefs/{BRIEF}.yaml"} & names
    assert not any(n.startswith(("tests/", "bench/")) for n in names)


def test_venv_imports_the_wheel_not_the_checkout(installed: Installed) -> None:
    python = installed.bin("python")
    code = ("import briefgen, sysconfig; print(briefgen.__file__); "
            "print(sysconfig.get_path('purelib'))")
    module, purelib = _check(installed.run(python, "-c", code)).stdout.split("\n")[:2]
    package = Path(module).resolve().parent
    assert package == Path(purelib).resolve() / "briefgen"
    assert package.is_relative_to(installed.venv.resolve())
    assert not package.is_relative_to(REPO)
    for data in PACKAGE_DATA:
        assert (package / data).is_file(), data
    assert (package / "_examples/sources").is_dir()
    # Every dependency the wheel declares is installed (catches a misspelt requirement
    # even when the clean install was not possible). Only briefgen's own lines count:
    # with system site-packages, other packages' problems are none of this test's business.
    result = _pip(python, "check")
    assert not [line for line in result.stdout.splitlines() if line.startswith("briefgen ")], \
        result.stdout


def test_init_and_build_outside_the_repo(installed: Installed) -> None:
    briefgen = installed.bin("briefgen")
    _check(installed.run(briefgen, "init", "desk"))
    desk = installed.work / "desk"
    result = _check(installed.run(briefgen, "build", cwd=desk))
    assert f"out/{BRIEF}.docx" in result.stdout

    md = (desk / "out" / f"{BRIEF}.md").read_text(encoding="utf-8")
    lines = md.strip().splitlines()
    assert lines[0] == lines[-1] == "**UNCLASSIFIED**"  # the marking, first and last line
    refs = set(re.findall(r"\[\^(\d+)\](?!:)", md))
    notes = set(re.findall(r"^\[\^(\d+)\]:", md, re.MULTILINE))
    assert refs and refs == notes  # footnotes: every reference has its note and back

    docx = desk / "out" / f"{BRIEF}.docx"
    with zipfile.ZipFile(docx) as archive:
        assert {"word/document.xml", "word/footnotes.xml"} <= set(archive.namelist())
        margins = "".join(archive.read(n).decode("utf-8") for n in archive.namelist()
                          if re.fullmatch(r"word/(header|footer)\d*\.xml", n))
    assert "UNCLASSIFIED" in margins  # the marking in the page header or footer
