"""The workspace as the app last read it, kept until a file under it changes.

Reading a library of thousands of records means checking every file; doing it
for each keystroke's preview would cost a second. A watcher thread (watchfiles,
as ``briefgen preview`` uses) counts changes to sources/, templates/ and
briefgen.toml; while the count stands still, requests share one Workspace (its
records loaded once) and search the index without checking every file again.
Without a running watcher every request reads afresh.
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path

from briefgen.workspace import SETTINGS_FILE, Workspace

log = logging.getLogger("briefgen")


class Snapshot:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.version = 0
        self.watching = False
        self.stop = threading.Event()
        self._made: tuple[int, Workspace] | None = None
        self._indexed = -1

    def start(self) -> None:
        threading.Thread(target=self._watch, daemon=True, name="briefgen-watch").start()

    def _watch(self) -> None:
        from watchfiles import watch

        paths = [p for p in (self.root / "sources", self.root / "templates",
                             self.root / SETTINGS_FILE) if p.exists()]
        if not paths:
            return
        try:
            self.watching = True
            for _ in watch(*paths, stop_event=self.stop, debounce=50, rust_timeout=500):
                self.changed()
        except Exception as err:  # noqa: BLE001 - no watcher: read afresh for every request
            log.warning("warning: not watching the workspace (%s); reading it for each page", err)
        finally:
            self.watching = False

    def changed(self) -> None:
        """Something under the workspace changed (seen by the watcher, or written by the app)."""
        self.version += 1

    def workspace(self) -> Workspace:
        made = self._made
        if self.watching and made is not None and made[0] == self.version:
            return made[1]
        version = self.version
        ws = Workspace(self.root)
        self._made = (version, ws)
        return ws

    def index_current(self) -> bool:
        """True when the index was refreshed since the last change: no need to check files."""
        current = self.watching and self._indexed == self.version
        self._indexed = self.version
        return current
