"""Pages: outputs."""
from __future__ import annotations

ROUTES: list = []
