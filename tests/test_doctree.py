"""doctree: the one element tree the DOCX (and HTML) writers walk.

Writers trust the tree to hold plain text: characters, not HTML entities,
no raw HTML tags and none of Python-Markdown's \\x02…\\x03 placeholders.
"""
from __future__ import annotations

import xml.etree.ElementTree as etree
from pathlib import Path

import pytest

from briefgen.writers.doctree import MAX_LINK_TEXT, parse, reindent_lists

FIXTURES = Path(__file__).parent / "fixtures"


def _text(tree: etree.Element) -> str:
    return "".join(tree.itertext())


def _strings(tree: etree.Element) -> list[str]:
    """Every text, tail and attribute value in the tree."""
    found = []
    for element in tree.iter():
        found += [element.text or "", element.tail or ""]
        found += [value for value in element.attrib.values()]
    return found


def _body(tree: etree.Element) -> etree.Element:
    """The tree without its footnotes div."""
    for div in tree.findall("div"):
        if "footnote" in div.get("class", "").split():
            tree.remove(div)
    return tree


# Entities and raw HTML ------------------------------------------------------

@pytest.mark.parametrize(("markdown", "text"), [
    ("A &amp; B", "A & B"),
    ("&copy; 2025 &#233;t&#xE9;", "© 2025 été"),
    ("x < y & z > w", "x < y & z > w"),
    ("&lt;script&gt; stays text", "<script> stays text"),
    ("5 &lt; 6 and AT&T", "5 < 6 and AT&T"),
])
def test_entities_become_characters(markdown: str, text: str) -> None:
    tree = parse(markdown)
    assert tree.find("p").text == text


def test_inline_raw_html_tags_are_dropped_and_their_text_kept() -> None:
    tree = parse("x <b>bold</b> and <span class='c'>span</span> y")
    p = tree.find("p")
    assert len(p) == 0, "raw HTML tags must not become elements"
    assert _text(p) == "x bold and span y"


def test_raw_html_block_keeps_text_drops_tags_scripts_and_comments() -> None:
    tree = parse("<div>block <em>html</em></div>\n\n<script>alert(1)</script>\n\n"
                 "<!-- a > b\nnote to self -->\n\nafter")
    text = _text(tree)
    assert "block html" in text
    assert "<" not in text and "alert" not in text and "note to self" not in text
    assert [p.text.strip() for p in tree.iter("p")] == ["block html", "after"]


def test_raw_br_becomes_a_line_break_element() -> None:
    tree = parse("| a | b |\n|---|---|\n| one<br>two | x |\n\nline<br/>next")
    cell = tree.find(".//td")
    assert cell.text == "one" and cell.find("br") is not None and cell.find("br").tail == "two"
    p = tree.find("p")
    assert p.text == "line" and p.find("br").tail == "next"


def test_code_spans_keep_their_characters() -> None:
    code = parse("run `<b> & &amp; &copy;` now").find(".//code")
    assert code.text == "<b> & &amp; &copy;"


def test_indented_code_block_keeps_its_characters() -> None:
    code = parse("Intro\n\n    if a < b && c:\n        x = '&amp;'\n").find("pre/code")
    assert code.text == "if a < b && c:\n    x = '&amp;'\n"


def test_email_autolink_is_plain_text() -> None:
    a = parse("Write to <minister@example.org>.").find(".//a")
    assert a.get("href") == "mailto:minister@example.org"
    assert a.text == "minister@example.org"


def test_link_addresses_decode_entities_but_not_bare_ampersands() -> None:
    a = parse("[l](https://a.example/?x=1&amp;y=2&copy=3 \"Q&amp;A\")").find(".//a")
    assert a.get("href") == "https://a.example/?x=1&y=2&copy=3"
    assert a.get("title") == "Q&A"
    auto = parse("<https://a.example/?id=1&x=2>").find(".//a")
    assert auto.get("href") == auto.text == "https://a.example/?id=1&x=2"


def test_no_placeholders_anywhere_in_the_tree() -> None:
    text = (
        "# Title &amp; more\n\n"
        "Para with &copy;, <b>raw</b>, `code &amp;`, \\*stars\\*, <me@example.org> "
        "and a note.[^1] Second[^2]\n\n"
        "<div class=\"talking-points\" markdown=\"1\">\n\n- Point &amp; point<br>next[^1]\n\n</div>\n\n"
        "<div>raw block &amp; text</div>\n\n"
        "| h &amp; | <i>x</i> |\n|---|---|\n| a&nbsp;b | c |\n\n"
        "[^1]: Note with <span>raw</span> &amp; <https://e.example/a?b=1&c=2> and <x@example.org>.\n\n"
        "[^2]: Two paragraphs.\n\n    Second &lt;para&gt;.\n"
    )
    tree = parse(text)
    for value in _strings(tree):
        assert "\x02" not in value and "\x03" not in value, repr(value)
    assert "Note with raw & https://e.example/a?b=1&c=2 and x@example.org." in _text(tree)
    assert "Second <para>." in _text(tree)


# Footnotes ------------------------------------------------------------------

def test_footnote_backrefs_only_inside_the_footnote_div() -> None:
    tree = parse("One.[^1] Two.[^2]\n\n- Three.[^3]\n\n[^1]: First.\n[^2]: Second.\n[^3]: Third.\n")
    (notes,) = [d for d in tree.iter("div") if "footnote" in d.get("class", "").split()]
    in_notes = [a for a in notes.iter("a") if "footnote-backref" in a.get("class", "")]
    assert len(in_notes) == 3
    assert all(a.text == "\u21a9" for a in in_notes)
    body = _body(tree)
    assert not [a for a in body.iter("a") if "footnote-backref" in a.get("class", "")]
    refs = [a for a in body.iter("a") if "footnote-ref" in a.get("class", "")]
    assert [a.get("href") for a in refs] == ["#fn:1", "#fn:2", "#fn:3"]
    assert [li.get("id") for li in notes.iter("li")] == ["fn:1", "fn:2", "fn:3"]


def test_footnote_text_is_clean() -> None:
    tree = parse("Text.[^1]\n\n[^1]: The Daily Record, “Talks”. <https://example.org/a?id=1&x=2>\n")
    (li,) = [li for li in tree.iter("li") if li.get("id") == "fn:1"]
    p = li.find("p")
    assert p.text == "The Daily Record, “Talks”. "       # no NBSP placeholder before the backref
    assert p.find("a").get("href") == "https://example.org/a?id=1&x=2"


# Lists ----------------------------------------------------------------------

def _shape(element: etree.Element) -> list:
    """Nested lists as [text, [children…]] pairs."""
    out = []
    for li in element.findall("li"):
        sub = li.find("ul") if li.find("ul") is not None else li.find("ol")
        text = (li.text or (li.find("p").text if li.find("p") is not None else "") or "").strip()
        out.append([text, _shape(sub) if sub is not None else []])
    return out


@pytest.mark.parametrize("markdown", [
    "- a\n  - b\n    - c\n- d",            # CommonMark / Pandoc / GitHub indentation
    "- a\n    - b\n        - c\n- d",      # Python-Markdown's own four spaces
    "- a\n\t- b\n\t\t- c\n- d",            # tabs
])
def test_nested_bullets(markdown: str) -> None:
    ul = parse(markdown).find("ul")
    assert _shape(ul) == [["a", [["b", [["c", []]]]]], ["d", []]]


def test_nested_numbered_list_under_three_space_marker() -> None:
    ol = parse("1. x\n   1. y\n   2. z\n2. w").find("ol")
    assert _shape(ol) == [["x", [["y", []], ["z", []]]], ["w", []]]


def test_list_may_follow_a_paragraph_line_directly() -> None:
    tree = parse("Key points:\n- one\n- two\n\nAfter.")
    assert [p.text for p in tree.findall("p")] == ["Key points:", "After."]
    assert _shape(tree.find("ul")) == [["one", []], ["two", []]]


def test_item_paragraphs_and_lazy_lines_stay_in_their_item() -> None:
    tree = parse("- a\n\n  second para\n\n  - nested\n\nout")
    first = tree.find("ul/li")
    assert [p.text for p in first.findall("p")] == ["a", "second para"]
    assert first.find("ul/li").text.strip() == "nested"
    assert tree.findall("p")[-1].text == "out"
    tight = parse("- a\n- b\nlazy\n- c").find("ul")
    assert [" ".join(li.text.split()) for li in tight.findall("li")] == ["a", "b lazy", "c"]


def test_numbered_list_start_is_kept() -> None:
    assert parse("3. three\n4. four").find("ol").get("start") == "3"


def test_reindent_leaves_code_and_footnote_bodies_alone() -> None:
    text = "Intro\n\n    code - not a list\n\n[^1]: note\n\n    - more note\n"
    assert reindent_lists(text) == text


def test_talking_points_div_with_nested_point() -> None:
    tree = parse('<div class="talking-points" markdown="1">\n\n- A\n  - sub\n- B\n\n</div>')
    div = tree.find("div")
    assert div.get("class") == "talking-points"
    assert _shape(div.find("ul")) == [["A", [["sub", []]]], ["B", []]]


def test_fixture_note_markdown_parses_nested_bullet() -> None:
    text = (FIXTURES / "expected" / "note.md").read_text(encoding="utf-8")
    tree = parse(text)
    nested = [li for li in tree.iter("li") if (li.text or "").strip() == "nested under it"]
    assert len(nested) == 1
    parent_items = [li for li in tree.iter("li") if nested[0] in li.iter() and li is not nested[0]]
    assert [(li.text or "").strip() for li in parent_items] == ["A second bullet"]


# Square brackets ---------------------------------------------------------------

def test_brackets_never_closed_stay_as_written() -> None:
    text = "Figures " + "[x " * 2_000 + "end"
    assert "".join(parse(text).itertext()).strip() == text


def test_link_text_is_found_only_within_a_bounded_distance() -> None:
    """Python-Markdown scans from each '[' to its ']': to the end of the text for every
    '[' never closed (quadratic time; 30 KB of '[' took 40 s). The scan stops after
    MAX_LINK_TEXT characters or nesting, so no link text is longer."""
    near = parse("[" + "a" * (MAX_LINK_TEXT - 1) + "](https://example.org)")
    assert [a.get("href") for a in near.iter("a")] == ["https://example.org"]
    far = parse("[" + "a" * (MAX_LINK_TEXT + 1) + "](https://example.org)")
    assert list(far.iter("a")) == []
    nested = parse("[" * 100 + "a" + "]" * 100 + "(https://example.org)")
    assert list(nested.iter("a")) == []
    assert parse("[[a] b](https://example.org)").find(".//a").text == "[a] b"
