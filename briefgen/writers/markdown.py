"""Markdown writer: the note's Markdown with the marking on its first and last line."""
from __future__ import annotations

from briefgen.note.composer import Note


def write(note: Note) -> bytes:
    marking = f"**{note.marking}**"
    return f"{marking}\n\n{note.body.strip()}\n\n{marking}\n".encode("utf-8")
