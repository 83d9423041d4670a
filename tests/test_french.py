"""French notes: labels, markings, dates, typography, and no English label left."""
from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest
from outputs import W, docx_part, docx_text, headings, html_page, tables

from briefgen.builder import build
from briefgen.note.composer import compose
from briefgen.note.labels import LABELS, labels_for
from briefgen.note.render import format_date
from briefgen.note.typography import NBSP, NNBSP, french
from briefgen.workspace import Workspace, init

REPO = Path(__file__).parent.parent
FRENCH_EXAMPLES = ["border-cooperation-fr", "border-decision-fr", "border-qp-fr",
                   "border-media-lines-fr", "border-meeting-fr"]
# Labels printed only in HTML (attributes) or with placeholders: checked on their own.
NOT_PRINTED = {"back_to_text", "marking", "notes", "page_x_of_y"}


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fr") / "ws"
    init(root)
    build(Workspace(root), FRENCH_EXAMPLES, ["md", "docx", "html"])
    return root


# Labels spelled the same in both languages ("Options", "Date :"): the only English
# labels a French note may show. Fixed here, not read from the French catalogue, so
# a French label left in English (next_steps = "Next Steps") is caught.
SAME_IN_BOTH = {"date", "options", "option", "consultations", "sources", "question",
                "participants", "signature", "notes"}


def _bare(label: str) -> str:
    return label.rstrip(":").strip()


def _english_only() -> dict[str, str]:
    """Every English label a French note must not show."""
    return {k: v for k, v in LABELS["en"].items() if k not in SAME_IN_BOTH | NOT_PRINTED}


def _word(label: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w’]){re.escape(_bare(label))}(?![\w’])")


def _unquoted(text: str) -> str:
    """The note's own words: quotations and the titles of English records are « »."""
    return re.sub(r"«[^»]*»", "", text)


def english_labels(text: str) -> list[str]:
    """The keys of the English labels found in a French note's text."""
    return [key for key, label in _english_only().items() if _word(label).search(_unquoted(text))]


def test_catalogues_have_the_same_labels() -> None:
    assert set(LABELS["en"]) == set(LABELS["fr"])
    assert all(v.strip() for lang in LABELS.values() for v in lang.values())


def test_french_catalogue_is_translated() -> None:
    same = {k for k, v in LABELS["en"].items() if _bare(v) == _bare(LABELS["fr"][k])}
    assert same == SAME_IN_BOTH


def test_a_french_label_left_in_english_is_caught(examples: Path, tmp_path: Path) -> None:
    """The checks below fail on a French label set to its English words."""
    root = tmp_path / "ws"
    init(root)
    with open(root / "briefgen.toml", "a", encoding="utf-8") as settings:
        settings.write('\n[labels.fr]\nnext_steps = "Next Steps"\nsummary = "Summary"\n')
    build(Workspace(root), ["border-cooperation-fr"], ["docx", "html"])
    assert english_labels(docx_text(root / "out/border-cooperation-fr.docx")) == [
        "summary", "next_steps"]
    assert english_labels(html_page(root / "out/border-cooperation-fr.html").text) == [
        "summary", "next_steps"]
    assert english_labels(docx_text(examples / "out/border-cooperation-fr.docx")) == []


def test_french_labels_use_french_spacing_and_apostrophes() -> None:
    for key, value in LABELS["fr"].items():
        assert "'" not in value, key
        if value.endswith(":"):
            assert value.endswith(" :"), key      # no-break space added when rendered


@pytest.mark.parametrize("name", FRENCH_EXAMPLES)
def test_french_docx_has_no_english_label(examples: Path, name: str) -> None:
    text = docx_text(examples / "out" / f"{name}.docx")
    assert english_labels(text) == []
    assert "NON CLASSIFIÉ" in text and "UNCLASSIFIED" not in text


@pytest.mark.parametrize("name", FRENCH_EXAMPLES)
def test_french_html_has_no_english_label(examples: Path, name: str) -> None:
    html = (examples / "out" / f"{name}.html").read_text(encoding="utf-8")
    page = html_page(examples / "out" / f"{name}.html")
    assert english_labels(page.text) == []
    assert '<html lang="fr-CA">' in html
    assert 'aria-label="Classification de sécurité"' in html
    assert "Security classification" not in html and "Back to text" not in html
    assert '"Page " counter(page) " de " counter(pages)' in html


def test_french_headings_and_header_block(examples: Path) -> None:
    docx = examples / "out" / "border-decision-fr.docx"
    assert headings(docx)[:4] == ["Enjeu", "Contexte", "Considérations", "Options"]
    header = dict(tuple(row) for row in tables(docx)[0])
    assert header[f"Date{NBSP}:"] == f"11{NBSP}avril 2025"     # a form field: no article
    assert header[f"Objet{NBSP}:"].startswith("Présentation de la coopération")
    assert f"Nº de suivi{NBSP}:" in header
    options = next(t for t in tables(docx) if t[0][0] == "Option")
    assert options[0] == ["Option", "Avantages", "Inconvénients"]
    text = docx_text(docx)
    assert "☐ J’approuve" in text and "☐ Je n’approuve pas" in text
    assert f"Signature{NBSP}:" in text and "___" not in text
    assert "POUR DÉCISION" in text and "NOTE AU MINISTRE" in text


def test_french_docx_language_and_marking(examples: Path) -> None:
    docx = examples / "out" / "border-qp-fr.docx"
    styles = docx_part(docx, "word/styles.xml")
    lang = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    assert lang.get(f"{W}val") == "fr-CA"
    assert "Page" in docx_text(docx) and "de" in docx_text(docx)


def test_french_note_keeps_english_quotes_in_english(examples: Path) -> None:
    md = (examples / "out" / "border-cooperation-fr.md").read_text(encoding="utf-8")
    assert re.search(r"«\u00a0\[rooted in\s+cooperating with like-minded partners, particularly "
                     r"the U\.S\.\]\{lang=en\}\u00a0»", md)
    assert f"en ces termes{NBSP}:" in md


def test_french_citation_dates_and_quotes(examples: Path) -> None:
    md = (examples / "out" / "border-cooperation-fr.md").read_text(encoding="utf-8")
    assert re.search(r"\[\^\d+\]: Truth Social, «\u00a0\[Truth Social post announcing a 25% tariff "
                     r"on products from Mexico and Canada\]\{lang=en\}\u00a0», 25\u00a0novembre 2024\.",
                     md)
    assert "November" not in md


def test_dates_with_babel() -> None:
    day = dt.date(2024, 12, 13)
    assert format_date(day, "fr", article=True) == f"le 13{NBSP}décembre 2024"
    assert format_date(day, "fr") == f"13{NBSP}décembre 2024"
    assert format_date(dt.date(2025, 4, 1), "fr", article=True) == f"le 1er{NBSP}avril 2025"
    assert format_date(day, "en") == "13 December 2024"
    assert format_date(day, "en", article=True) == "13 December 2024"
    assert format_date(None, "fr") == ""


@pytest.mark.parametrize("before, after", [
    ("Objet : x", f"Objet{NBSP}: x"),
    ("**Préparé par :** A", f"**Préparé par{NBSP}:** A"),
    ("Pourquoi? Oui; non !", f"Pourquoi{NNBSP}? Oui{NNBSP}; non{NNBSP}!"),
    ("« mot » et «mot»", f"«{NBSP}mot{NBSP}» et «{NBSP}mot{NBSP}»"),
    ("25 % des cas", f"25{NBSP}% des cas"),
    ("depuis le 11 septembre 2001 et le 1er avril", f"depuis le 11{NBSP}septembre 2001 et le 1er{NBSP}avril"),
    ("les 12 Mois", "les 12 Mois"),
    # left as written: times, addresses, link targets, code, citations, entities, attributes
    ("à 14:30", "à 14:30"),
    ("voir https://example.org/a?b=1:2", "voir https://example.org/a?b=1:2"),
    ("[le site](https://example.org/?q=a:b)", "[le site](https://example.org/?q=a:b)"),
    ("<https://example.org/?x>", "<https://example.org/?x>"),
    ("`a:b; c!`", "`a:b; c!`"),
    ("[voir @a, p. 4; @b]", "[voir @a, p. 4; @b]"),
    ("AT&amp;T", "AT&amp;T"),
    ("{: .talking-points}", "{: .talking-points}"),
    ("|---|:---:|", "|---|:---:|"),
    ("![image](x.png)", "![image](x.png)"),
    ("```\nx : y ?\n```", "```\nx : y ?\n```"),
    ("[^1]: Note", "[^1]: Note"),
])
def test_french_typography(before: str, after: str) -> None:
    assert french(before) == after


def test_french_spacing_only_in_french_notes(workspace: Path) -> None:
    brief = workspace / "briefs/note.yaml"
    text = brief.read_text(encoding="utf-8")
    brief.write_text(text.replace("purpose: information\n",
                                  "purpose: information\nnext_steps: 'Why? Because: reasons.'\n"))
    english = compose(Workspace(workspace), brief).body
    assert "Why? Because: reasons." in english
    brief.write_text(text.replace("purpose: information\n",
                                  "purpose: information\nlang: fr\nnext_steps: 'Pourquoi? Parce que: oui.'\n"))
    body = compose(Workspace(workspace), brief).body
    assert f"Pourquoi{NNBSP}? Parce que{NBSP}: oui." in body


def test_workspace_language_and_label_overrides(workspace: Path) -> None:
    toml = workspace / "briefgen.toml"
    toml.write_text(toml.read_text().replace('language = "en"', 'language = "fr"')
                    + '\n[labels.fr]\nmemo_title = "NOTE À LA MINISTRE"\n', encoding="utf-8")
    build(Workspace(workspace), ["note"], ["md"])
    md = (workspace / "out/note.md").read_text(encoding="utf-8")
    assert md.startswith("**NON CLASSIFIÉ**\n\n# NOTE À LA MINISTRE\n\n**POUR INFORMATION**")
    assert f"| Date{NBSP}: | 10{NBSP}avril 2025 |" in md
    assert labels_for("fr", {"fr": {"memo_title": "X"}})["summary"] == "Résumé"


def test_protected_marking_in_french(workspace: Path) -> None:
    brief = workspace / "briefs/note.yaml"
    brief.write_text(brief.read_text().replace("purpose: information\n",
                                               "purpose: information\nlang: fr\n"
                                               "classification: protected b\n"))
    build(Workspace(workspace), ["note"], ["md", "docx"])
    assert (workspace / "out/note.md").read_text(encoding="utf-8").startswith("**PROTÉGÉ B**")
    assert "PROTÉGÉ B" in docx_text(workspace / "out/note.docx")


def test_unsupported_language_lists_the_supported_ones(workspace: Path) -> None:
    toml = workspace / "briefgen.toml"
    toml.write_text(toml.read_text().replace('language = "en"', 'language = "de"'))
    result = subprocess.run([sys.executable, "-m", "briefgen", "build"], cwd=workspace,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr == ("briefgen: error: briefgen.toml:3: language: unsupported language "
                             "'de'; supported languages: en (English), fr (French)\n")


def test_multi_citation_footnotes_take_french_spacing(examples: Path) -> None:
    md = (examples / "out" / "border-decision-fr.md").read_text(encoding="utf-8")
    notes = [line for line in md.splitlines() if line.startswith("[^") and line.count("»") > 1]
    assert notes and all(f"{NNBSP}; " in line for line in notes)
    assert not [line for line in notes if re.search(f"(?<!{NNBSP}); ", line)]


def test_french_header_labels_fit_on_one_line(examples: Path) -> None:
    """The label column is as wide as the longest label (« État de l’approbation : »)."""
    import docx

    document = docx.Document(str(examples / "out" / "border-media-lines-fr.docx"))
    memo = document.tables[0]
    label = max((row.cells[0].text for row in memo.rows), key=len)
    assert label == f"État de l’approbation{NBSP}:"
    assert memo.columns[0].width >= docx.shared.Inches(1.75)
