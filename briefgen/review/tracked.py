"""Two versions of a sequence of Word blocks → one sequence with tracked changes.

The new version's elements are reused (and rewritten in place where they
changed), so accepting every change gives the new note; the old version's
words come back as ``w:del`` runs, so rejecting every change gives the old
one. Paragraphs are aligned by their text, then diffed word by word over
their runs; tables row by row and cell by cell; a footnote whose reference
is kept is diffed inside the footnotes part (see :mod:`briefgen.review.notes`).
"""
from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator
from difflib import SequenceMatcher

from briefgen.review.runs import (
    WORDS,
    Context,
    Element,
    atoms,
    local,
    paragraph,
    rebuilt,
    text_key,
    w,
    whole_paragraph,
)

# Blocks this many times this many apart are not searched for similar pairs (a rewrite).
_MAX_PAIRING = 2500
_SIMILAR = 0.5


# Blocks -----------------------------------------------------------------------


def blocks(old: list[Element], new: list[Element], ctx: Context) -> list[Element]:
    """The new blocks with the changes from the old ones tracked, in order."""
    old_keys = [text_key(el, ctx.old) for el in old]
    new_keys = [text_key(el, ctx.new) for el in new]
    out: list[Element] = []
    matcher = SequenceMatcher(None, old_keys, new_keys, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pairs: list[tuple[Element | None, Element | None]] = list(zip(old[i1:i2], new[j1:j2]))
        else:
            pairs = _pair(old[i1:i2], old_keys[i1:i2], new[j1:j2], new_keys[j1:j2])
        for before, after in pairs:
            out.extend(_block(before, after, ctx))
    return out


def _pair(old: list[Element], old_keys: list[str], new: list[Element],
          new_keys: list[str]) -> list[tuple[Element | None, Element | None]]:
    """Old and new blocks of a changed stretch, similar ones paired (in order),
    the others alone: the most similar pairing, found by dynamic programming."""
    n, m = len(old), len(new)
    if n == m == 1 and local(old[0]) == local(new[0]):
        return [(old[0], new[0])]        # one paragraph rewritten in place: one paragraph
    if n * m > _MAX_PAIRING:
        return [(o, None) for o in old] + [(None, e) for e in new]
    sim = [[_similarity(old[i], old_keys[i], new[j], new_keys[j]) for j in range(m)]
           for i in range(n)]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            take = sim[i][j] + best[i + 1][j + 1] if sim[i][j] >= _SIMILAR else 0.0
            best[i][j] = max(take, best[i + 1][j], best[i][j + 1])
    pairs: list[tuple[Element | None, Element | None]] = []
    i = j = 0
    while i < n and j < m:
        if sim[i][j] >= _SIMILAR and best[i][j] == sim[i][j] + best[i + 1][j + 1]:
            pairs.append((old[i], new[j]))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            pairs.append((old[i], None))
            i += 1
        else:
            pairs.append((None, new[j]))
            j += 1
    return pairs + [(o, None) for o in old[i:]] + [(None, e) for e in new[j:]]


def _similarity(old: Element, old_key: str, new: Element, new_key: str) -> float:
    if local(old) != local(new):
        return 0.0
    a, b = WORDS.findall(old_key), WORDS.findall(new_key)
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    return matcher.ratio() if matcher.real_quick_ratio() >= _SIMILAR else 0.0


def _block(old: Element | None, new: Element | None, ctx: Context) -> Iterator[Element]:
    if new is None and old is not None:
        yield deleted_block(old, ctx)
    elif old is None and new is not None:
        yield inserted_block(new, ctx)
    elif old is not None and new is not None:
        if local(old) == local(new) == "p":
            yield paragraph(old, new, ctx)
        elif local(old) == local(new) == "tbl":
            yield from table(old, new, ctx)
        else:
            yield deleted_block(old, ctx)
            yield inserted_block(new, ctx)


def deleted_block(old: Element, ctx: Context) -> Element:
    if local(old) == "tbl":
        copied = copy.deepcopy(old)
        for tr in copied.findall(w("tr")):
            _whole_row(tr, "del", ctx)
        return copied
    return rebuilt(old, [("del", a, None) for a in atoms(old, ctx.old)], ctx, mark="del")


def inserted_block(new: Element, ctx: Context) -> Element:
    if local(new) == "tbl":
        for tr in new.findall(w("tr")):
            _whole_row(tr, "ins", ctx)
        return new
    return rebuilt(new, [("ins", a, None) for a in atoms(new, ctx.new)], ctx, mark="ins")


# Tables -----------------------------------------------------------------------


def table(old: Element, new: Element, ctx: Context) -> Iterator[Element]:
    """``new`` with its rows and cells diffed against ``old``'s; a table whose
    columns changed is the old one deleted and the new one inserted."""
    if _grid(old) != _grid(new):
        yield deleted_block(old, ctx)
        yield inserted_block(new, ctx)
        return
    old_rows, new_rows = old.findall(w("tr")), new.findall(w("tr"))
    keys = [[text_key(tr, side) for tr in rows] for rows, side in
            ((old_rows, ctx.old), (new_rows, ctx.new))]
    anchor = new_rows[-1].getnext() if new_rows else None
    for tr in new_rows:
        new.remove(tr)
    matcher = SequenceMatcher(None, keys[0], keys[1], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        pairs: Iterable[tuple[Element | None, Element | None]] = (
            zip(old_rows[i1:i2], new_rows[j1:j2]) if tag == "equal" else
            _pair(old_rows[i1:i2], keys[0][i1:i2], new_rows[j1:j2], keys[1][j1:j2]))
        for before, after in pairs:
            for row in _row(before, after, ctx):
                if anchor is not None:
                    anchor.addprevious(row)
                else:
                    new.append(row)
    yield new


def _grid(tbl: Element) -> int:
    return len(tbl.findall(f"{w('tblGrid')}/{w('gridCol')}"))


def _row(old: Element | None, new: Element | None, ctx: Context) -> Iterator[Element]:
    if old is not None and new is not None and _cells(old) == _cells(new):
        for old_tc, new_tc in zip(old.findall(w("tc")), new.findall(w("tc"))):
            _cell(old_tc, new_tc, ctx)
        yield new
        return
    if old is not None:
        copied = copy.deepcopy(old)
        _whole_row(copied, "del", ctx)
        yield copied
    if new is not None:
        _whole_row(new, "ins", ctx)
        yield new


def _cells(tr: Element) -> int:
    return len(tr.findall(w("tc")))


def _cell(old: Element, new: Element, ctx: Context) -> None:
    content = [c for c in new if local(c) in ("p", "tbl")]
    result = blocks([c for c in old if local(c) in ("p", "tbl")], content, ctx)
    for child in content:
        new.remove(child)
    new.extend(result)


def _whole_row(tr: Element, kind: str, ctx: Context) -> None:
    """A row inserted or deleted: the mark on the row, its paragraphs tracked too."""
    trpr = tr.find(w("trPr"))
    if trpr is None:
        trpr = tr.makeelement(w("trPr"), {})
        tr.insert(0 if tr.find(w("tblPrEx")) is None else 1, trpr)
    change = trpr.find(w("trPrChange"))
    ctx.marks.add(trpr, kind, None if change is None else trpr.index(change))
    side = ctx.old if kind == "del" else ctx.new
    for p in list(tr.iter(w("p"))):
        p.getparent().replace(p, whole_paragraph(p, kind, side, ctx))
