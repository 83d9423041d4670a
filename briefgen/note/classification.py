"""Security markings: an ordered scale, normalised spellings, French forms."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

FRENCH = {
    "UNCLASSIFIED": "NON CLASSIFIÉ",
    "PROTECTED A": "PROTÉGÉ A",
    "PROTECTED B": "PROTÉGÉ B",
    "PROTECTED C": "PROTÉGÉ C",
    "CONFIDENTIAL": "CONFIDENTIEL",
    "SECRET": "SECRET",
    "TOP SECRET": "TRÈS SECRET",
}


def _plain(text: str) -> str:
    """Without accents: "PROTEGE B" is how many keyboards type "PROTÉGÉ B"."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


_FROM_FRENCH = {_plain(fr): en for en, fr in FRENCH.items()}


class Scale:
    """The workspace's levels, lowest first (briefgen.toml ``classification_levels``)."""

    def __init__(self, levels: Iterable[str]) -> None:
        self.levels = [self._canonical(level) for level in levels]

    @staticmethod
    @lru_cache(maxsize=256)
    def _canonical(value: str) -> str:
        text = unicodedata.normalize("NFC", re.sub(r"\s+", " ", value.strip()).upper())
        return _FROM_FRENCH.get(_plain(text), text)

    def normalise(self, value: str) -> str:
        """``protected b`` and ``PROTÉGÉ B`` both mean ``PROTECTED B``; unknown is an error."""
        level = self._canonical(value)
        if level not in self.levels:
            raise ValueError(f"unknown classification {value!r}; known levels: "
                             + ", ".join(self.levels))
        return level

    def rank(self, level: str) -> int:
        return self.levels.index(self.normalise(level))

    def highest(self, levels: Iterable[str]) -> str:
        return max((self.normalise(level) for level in levels), key=self.rank)

    @staticmethod
    def marking(level: str, lang: str) -> str:
        """The text printed on the page, in the note's language."""
        return FRENCH.get(level, level) if lang == "fr" else level
