"""briefgen serve reads the library once and again only when a file under it changes."""
from __future__ import annotations

import time
from pathlib import Path

from briefgen.web.snapshot import Snapshot


def _wait(condition, seconds: float = 20.0) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_without_a_watcher_every_request_reads_afresh(workspace: Path) -> None:
    snapshot = Snapshot(workspace)
    assert snapshot.workspace() is not snapshot.workspace()
    assert not snapshot.index_current()


def test_a_record_written_by_another_program_is_seen(workspace: Path) -> None:
    snapshot = Snapshot(workspace)
    snapshot.start()
    try:
        assert _wait(lambda: snapshot.watching)
        first = snapshot.workspace()
        assert snapshot.workspace() is first                  # nothing changed: shared
        assert "late" not in first.records
        assert not snapshot.index_current() and snapshot.index_current()
        (workspace / "sources" / "late.yaml").write_text("kind: news\ntitle: Late story\n")
        assert _wait(lambda: snapshot.workspace() is not first)
        assert "late" in snapshot.workspace().records
        assert not snapshot.index_current()                   # the index must be refreshed
    finally:
        snapshot.stop.set()
