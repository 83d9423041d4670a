"""Citations: the Pandoc-style parser, footnote and sources-list numbering, key checks."""
from __future__ import annotations

import pytest

from briefgen.errors import CitationError
from briefgen.note.citations import (
    Citations,
    Cite,
    check_keys,
    cited_keys,
    parse_cluster,
    short_title,
)


def _render(key: str, locator: str | None, first: bool) -> str:
    """A stand-in for citation.md.j2 that shows what it was called with."""
    form = "FULL" if first else "short"
    return f"{form} {key}" + (f", {locator}" if locator else "")


@pytest.mark.parametrize(("text", "keys"), [
    ("[@key]", ["key"]),
    ("[@key, p. 4]", ["key"]),
    ("[@a; @b]", ["a", "b"]),
    ("[see @a, p. 4; also @b]", ["a", "b"]),
    ("[@doc.v2-final_x]", ["doc.v2-final_x"]),
    ("[@gc.ca-2024_01]", ["gc.ca-2024_01"]),
    ("[-@a]", ["a"]),
    ("one [@a] two [@b] three [@a]", ["a", "b", "a"]),
    (r"\[@x]", []),                        # escaped bracket: literal text
    ("a@b.com", []),                       # e-mail address
    ("[mail a@b.com]", []),                # e-mail in brackets
    ("`[@x]`", []),                        # inline code
    ("``a [@x] b``", []),
    ("```\n[@x]\n\n[@y]\n```\n", []),     # fenced code block, even with a blank line
    ("~~~ `info`\n[@x]\n~~~\n[@b]", ["b"]),
    ("```inline``` then [@a]\n\n```\nand [@b]\n```", ["a"]),  # inline, not a fence
    ("[@a](http://x)", []),                # a link, not a citation
    ("[@a][ref]", []),                     # a reference link
    ("[^1]", []),                          # a footnote mark
    ("[@a; not a key]", []),               # every item must hold a key
    ("[text] and [more]", []),
])
def test_cited_keys(text: str, keys: list[str]) -> None:
    assert cited_keys(text) == keys


@pytest.mark.parametrize(("body", "cites"), [
    ("@key", (Cite("key"),)),
    ("@key, p. 4", (Cite("key", "p. 4"),)),
    ("@key p. 4", (Cite("key", "p. 4"),)),
    ("@a; @b", (Cite("a"), Cite("b"))),
    ("see @a, p. 4; also @b", (Cite("a", "p. 4", "see"), Cite("b", None, "also"))),
    ("@a, pp. 4-5,", (Cite("a", "pp. 4-5"),)),
    # a suffix of punctuation only is no locator
    ("@a.", (Cite("a"),)),
    ("@a,", (Cite("a"),)),
    ("@a:", (Cite("a"),)),
    ("@a.b.", (Cite("a.b"),)),
    ("@a, .", (Cite("a"),)),
])
def test_parse_cluster(body: str, cites: tuple[Cite, ...]) -> None:
    assert parse_cluster(body) == cites


def test_stray_backtick_does_not_hide_citations_in_the_next_paragraph() -> None:
    text = "It`s the first paragraph.\n\nThe second [@a] has `code`."
    assert cited_keys(text) == ["a"]


# --- footnotes mode ---------------------------------------------------------

@pytest.mark.parametrize(("text", "resolved"), [
    ("word [@a].", "word.[^1]"),
    ("word [@a], more", "word,[^1] more"),
    ("word [@a]", "word[^1]"),
    ("word[@a]!", "word![^1]"),
    ("Canada and the U.S. [@a].", "Canada and the U.S.[^1]"),
    ("line one\n[@a] two", "line one[^1] two"),            # a soft line break goes
    (r"\[@a] stays", r"\[@a] stays"),
    # a cluster opening a block keeps its space: the Markdown must stay a list, a paragraph
    ("- [@a] is a source.", "- [^1] is a source."),
    ("1. [@a] is a source.", "1. [^1] is a source."),
    ("> [@a] said so.", "> [^1] said so."),
    ("Para one.\n\n[@a] starts two.", "Para one.\n\n[^1] starts two."),
    ("End.\n\n[@a]", "End.\n\n[^1]"),
    ("[@a] first", "[^1] first"),
])
def test_footnote_marks(text: str, resolved: str) -> None:
    assert Citations(_render).resolve(text) == resolved


def test_footnotes_number_in_order_full_then_short() -> None:
    c = Citations(_render)
    text = c.resolve("One [@b]. Two [@a, p. 4]. Three [@b, p. 9].")
    assert text == "One.[^1] Two.[^2] Three.[^3]"
    assert c.notes == ["FULL b.", "FULL a, p. 4.", "short b, p. 9."]


def test_one_footnote_per_cluster_with_prefixes() -> None:
    c = Citations(_render)
    assert c.resolve("Text [see @a, p. 4; also @b].") == "Text.[^1]"
    assert c.notes == ["see FULL a, p. 4; also FULL b."]


def test_first_citation_is_full_across_separate_resolve_calls() -> None:
    c = Citations(_render)
    c.resolve("A [@a].")
    c.resolve("B [@a; @b].")
    assert c.notes == ["FULL a.", "short a; FULL b."]


def test_render_trailing_period_is_not_doubled() -> None:
    c = Citations(lambda key, locator, first: f"Ref {key}.")
    c.resolve("x [@a; @b]")
    assert c.notes == ["Ref a; Ref b."]


def test_add_uncited_lists_only_records_never_cited() -> None:
    c = Citations(_render)
    c.resolve("x [@a]")
    assert c.add_uncited(["a", "c", "b", "c"]) == ["FULL c.", "FULL b."]


# --- sources-list mode ------------------------------------------------------

@pytest.mark.parametrize(("text", "resolved", "notes"), [
    ("word [@a].", r"word \[1\].", ["FULL a."]),
    ("x [@a, p. 4; @b]", r"x \[1, p. 4; 2\]", ["FULL a.", "FULL b."]),
    ("x [@a] y [@b] z [@a, p. 2]", r"x \[1\] y \[2\] z \[1, p. 2\]", ["FULL a.", "FULL b."]),
    ("x [see @a, p. 4]", r"x \[see 1, p. 4\]", ["FULL a."]),   # the prefix is kept
    ("- [@a] item", r"- \[1\] item", ["FULL a."]),
])
def test_sources_list(text: str, resolved: str, notes: list[str]) -> None:
    c = Citations(_render, "sources-list")
    assert c.resolve(text) == resolved
    assert c.notes == notes


def test_sources_list_add_uncited_continues_numbering() -> None:
    c = Citations(_render, "sources-list")
    c.resolve("[@b]")
    assert c.add_uncited(["a", "b"]) == ["FULL a."]
    assert c.numbers == {"b": 1, "a": 2}


# --- check_keys -------------------------------------------------------------

def test_check_keys_returns_cited_keys() -> None:
    assert check_keys("x [@a; @b] y [@a]", ["a", "b", "c"]) == ["a", "b", "a"]


def test_unknown_key_suggests_near_matches() -> None:
    with pytest.raises(CitationError) as err:
        check_keys("x [@news-artcle]", ["news-article", "stats"], file="b.yaml", line=7,
                   field="summary")
    assert "@news-artcle" in err.value.message
    assert "did you mean 'news-article'" in err.value.message
    assert (err.value.file, err.value.line, err.value.field) == ("b.yaml", 7, "summary")


def test_unknown_key_without_near_match_has_no_suggestion() -> None:
    with pytest.raises(CitationError) as err:
        check_keys("[@zzz]", ["news-article"])
    assert "did you mean" not in str(err.value)


def test_escaped_citation_is_not_checked() -> None:
    assert check_keys(r"\[@nothing] and `[@nothing]`", []) == []


def test_period_after_a_closing_quote_is_not_doubled() -> None:
    citations = Citations(lambda key, locator, first: key)
    text = citations.resolve('as "rooted in partners, particularly the U.S." [@a]. Then [@b].')
    assert text == 'as "rooted in partners, particularly the U.S."[^1] Then.[^2]'


@pytest.mark.parametrize(("title", "short"), [
    ("Briefing notes on illegal immigration and Canada–U.S. border cooperation (dated Nov. 13 "
     "and 15, 2024)", "Briefing notes on illegal immigration…"),
    ("Canadian officials prepared for any U.S. election outcome, internal memos show",
     "Canadian officials prepared…"),
    ("Briefing note on preparations for the 2024 U.S. election (late January 2024)",
     "Briefing note on preparations for the 2024…"),
    ("Ottawa favoured border “cooperation” with Trump administration before tariff threats",
     "Ottawa favoured border “cooperation” with Trump…"),
    ("Notes d’information sur l’immigration illégale et la coopération frontalière",
     "Notes d’information sur l’immigration illégale…"),
    ("A short title", "A short title"),
    (" ".join(["Supercalifragilisticexpialidocious"] * 3), "Supercalifragilisticexpialidocious…"),
    ("x" * 60, "x" * 47 + "…"),
])
def test_short_title_ends_where_a_phrase_can_end(title: str, short: str) -> None:
    assert short_title(title) == short


def test_repeat_citations_use_the_short_title(example_notes) -> None:
    text = (example_notes / "border-cooperation.md").read_text(encoding="utf-8")
    assert "“Briefing notes on illegal immigration…”" in text
    assert " and…" not in text and "U.S.…" not in text


def test_a_code_span_does_not_reach_into_the_next_list_item() -> None:
    # one backtick ending each item: Markdown pairs nothing, so both citations stand
    text = "- First [@a] `\n- Second [@b] `\n\n1. Third [@c] `\n2. Fourth [@d] `"
    assert cited_keys(text) == ["a", "b", "c", "d"]
    assert cited_keys("A `code [@x]\nstill code` then [@y].") == ["y"]
