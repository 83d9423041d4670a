"""Shared fixtures: a small workspace copied to a temp folder for each test."""
from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Property-based tests: CI runs a fixed seed and a bounded number of examples;
# ``HYPOTHESIS_PROFILE=long pytest tests/test_fuzz*.py`` runs many more.
settings.register_profile("ci", max_examples=40, derandomize=True, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", max_examples=1000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parent.parent


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A copy of tests/fixtures/workspace: four records, one brief (briefs/note.yaml)."""
    target = tmp_path / "ws"
    shutil.copytree(FIXTURES / "workspace", target)
    return target


@pytest.fixture(autouse=True)
def _no_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


@pytest.fixture(scope="session")
def example_notes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example workspace (both languages, every note type) built to md, docx and html."""
    from briefgen.builder import build
    from briefgen.workspace import Workspace, init

    root = tmp_path_factory.mktemp("examples") / "ws"
    init(root)
    build(Workspace(root), None, ["md", "docx", "html"])
    return root / "out"


@pytest.fixture(scope="session")
def example_pdfs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example workspace built to PDF by LibreOffice (skipped where it is not installed)."""
    from briefgen.builder import build
    from briefgen.workspace import Workspace, init

    if not (shutil.which("soffice") or shutil.which("libreoffice")):
        pytest.skip("LibreOffice (soffice) is not installed: .ci/run installs it where apt-get can")
    root = tmp_path_factory.mktemp("example-pdfs") / "ws"
    init(root)
    build(Workspace(root), None, ["pdf"])
    return root / "out"


@pytest.fixture
def fresh_copy(tmp_path: Path) -> Callable[[Path, str], Path]:
    """Copy a folder that a session or module fixture built once, for one test to change
    (file times kept, so what was up to date stays so)."""
    def copy(source: Path, name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(source, target)
        return target
    return copy
