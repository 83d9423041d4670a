"""Run the briefgen command line, stopping at one point of a build: for crash and concurrency tests.

``python tests/killpoint.py WHAT N MARKER GO -- ARGS...`` runs ``briefgen ARGS`` and,
before the (N+1)-th call of WHAT, appends its pid to MARKER, then waits until the
file GO exists (for ever if it never does: the test kills it). WHAT is ``stage``
(a file written to its temp name), ``replace`` (a temp file moved into place) or
``note`` (a note made, in a worker process when the build has them).
"""
from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import briefgen.builder as builder
import briefgen.cpus as cpus
from briefgen.cli import main

what, count, marker, go = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4])
calls = 0


def _pause() -> None:
    with marker.open("a") as handle:
        handle.write(f"{os.getpid()}\n")
    while not go.exists():
        time.sleep(0.05)


def _counted(real: Callable[..., Any]) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        global calls
        if calls == count:
            _pause()
        calls += 1
        return real(*args, **kwargs)
    return call


owner = {"stage": builder, "replace": builder.os, "note": builder}[what]
name = {"stage": "_stage", "replace": "replace", "note": "make_note"}[what]
setattr(owner, name, _counted(getattr(owner, name)))
real_cpus = cpus.usable_cpus
cpus.usable_cpus = lambda: max(2, real_cpus())      # -j 2 means two workers, even on one CPU
sys.exit(main(sys.argv[sys.argv.index("--") + 1:]))
