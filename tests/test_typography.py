"""English typographic quotes (French spacing is tested in test_french.py)."""
from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.note.typography import english


@pytest.mark.parametrize(("written", "printed"), [
    ('She said "we deliver" today.', "She said “we deliver” today."),
    ('"Rooted in cooperating," officials wrote.', "“Rooted in cooperating,” officials wrote."),
    ("Ottawa's position and the 'reciprocal' rate", "Ottawa’s position and the ‘reciprocal’ rate"),
    ("In the '90s, it was (\"tightly integrated\").", "In the ’90s, it was (“tightly integrated”)."),
    ('as "rooted in\ncooperating."[^1] Next', "as “rooted in\ncooperating.”[^1] Next"),
    ('**"Bold quote"** and _"em"_', "**“Bold quote”** and _“em”_"),
    ('a "quote [@rec, p. 4]" here', "a “quote [@rec, p. 4]” here"),
])
def test_english_quotes_and_apostrophes_become_typographic(written: str, printed: str) -> None:
    assert english(written) == printed


@pytest.mark.parametrize("kept", [
    '`code "stays"`',
    '[link](https://example.org/?q="x" "title")',
    '<div class="memo-header" markdown="1">',
    '{: .talking-points title="x"}',
    '\\"escaped\\"',
    '[ref]: https://example.org "Title"',
    "https://example.org/it's",
])
def test_code_tags_links_and_escapes_keep_straight_quotes(kept: str) -> None:
    assert english(kept) == kept


def test_english_note_has_no_straight_quote_in_its_text(example_notes: Path) -> None:
    """The brief's "quotes" print like the references' “titles”."""
    for name in ("border-cooperation", "border-decision", "border-qp", "border-media-lines",
                 "border-meeting"):
        text = (example_notes / f"{name}.md").read_text(encoding="utf-8")
        prose = "\n".join(line for line in text.splitlines() if not line.startswith("<"))
        assert '"' not in prose and "'" not in prose, name
        assert "“" in prose or "’" in prose, name


@pytest.mark.parametrize("odd", ["[a](" * 20000, "](" * 30000, "[x]{lang=en}" * 5000])
def test_odd_text_keeps_its_brackets(odd: str) -> None:
    """Runs of unclosed link targets (which took minutes to scan when each try ran to
    the end of the text; now it stops at the next bracket) come out as written."""
    from briefgen.note.typography import french

    assert english(odd) == odd and french(odd) == odd
