"""The messages briefgen can print, as found in its source: what docs/errors.md explains.

Run ``python tools/errors_doc.py`` after adding or changing an error or a warning:
it lists every message template (the literal text, each value filled in at run
time written as ``…``) and where it comes from, then what docs/errors.md lacks
and what it lists that the code no longer has. tests/test_errors_doc.py decides
what "complete" means: it uses this scan and adds the messages put together at
run time, which the source alone does not show.

A message is, in the modules of briefgen/:

- the message given to an error class (BriefgenError and its subclasses,
  wherever they are defined), or the ``super().__init__`` text of one that
  makes its own message;
- the message of ``Loaded.error`` (import errors) and the reason of ``Rejected``
  (an import entry turned away);
- the format of a ``log.warning`` or ``log.error`` call;
- a line ``cli.py`` prints with ``print(..., file=sys.stderr)``;
- a ``ValueError`` raised in models.py or classification.py, whose text the user
  sees (through the field checks of a record, brief or briefgen.toml).

A call whose message is not literal text (a variable, a function's result) is a
*dynamic* site: the test names the messages each one can show.
"""
from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "briefgen"
DOC = REPO / "docs" / "errors.md"
ROOT_ERROR = "BriefgenError"
# Other calls whose argument (at this position) is a message shown to the user.
MESSAGE_CALLS = {"error": 0, "Rejected": 1}
# Modules whose ValueError texts reach the user as messages.
VALUE_ERROR_MODULES = ("models.py", "note/classification.py")
ELLIPSIS = "…"
_PERCENT = re.compile(r"%%|%[-#0 +]*(?:\d+|\*)?(?:\.\d+)?[sdifrxXeEgGc]")
# A documented template: a level-3 heading that is one code span.
DOC_HEADING = re.compile(r"^### `(?P<template>[^`]+)`[ \t]*$", re.M)


@dataclass(frozen=True)
class Site:
    """One place in the source that produces a message."""

    module: str             # relative to briefgen/, e.g. "writers/docx.py"
    line: int
    function: str           # the enclosing function (or class) name; "" at module level
    kind: str               # error class name, "log.warning", "stderr", "ValueError", ...
    expr: str               # the message expression as written
    template: str | None    # None: dynamic (not literal text)

    @property
    def key(self) -> tuple[str, str, str]:
        """Names a dynamic site without its line number, which changes with every edit."""
        return (self.module, self.function, self.expr)


def template(node: ast.expr, percent: bool = False) -> str | None:
    """Literal text with each run-time value as ``…``; None when the node is not literal text.

    ``percent``: a logging format, whose ``%s`` are values too.
    """
    text = _text(node, percent)
    if text is None:
        return None
    text = " ".join(text.split())               # line breaks read as spaces in one line
    text = re.sub(f"{ELLIPSIS}+", ELLIPSIS, text)
    if not re.sub(rf"[\s{ELLIPSIS}:;,.()'\"]", "", text):
        return None                              # no words of its own: "…", "…: …"
    return text


def _text(node: ast.expr, percent: bool) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        value = node.value
        if percent:
            return _PERCENT.sub(lambda m: "%" if m.group() == "%%" else ELLIPSIS, value)
        return value
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
            else:
                parts.append(ELLIPSIS)
        return "".join(parts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _text(node.left, percent), _text(node.right, percent)
        if left is None and right is None:
            return None
        return (left if left is not None else ELLIPSIS) + (right if right is not None else ELLIPSIS)
    return None


def modules(package: Path = PACKAGE) -> dict[str, ast.Module]:
    return {path.relative_to(package).as_posix(): ast.parse(path.read_text(encoding="utf-8"))
            for path in sorted(package.rglob("*.py"))}


def error_classes(trees: dict[str, ast.Module]) -> dict[str, ast.ClassDef]:
    """BriefgenError and every class that derives from it, in any module, by name."""
    classes = {node.name: node for tree in trees.values() for node in ast.walk(tree)
               if isinstance(node, ast.ClassDef)}
    found = {ROOT_ERROR: classes[ROOT_ERROR]}
    grew = True
    while grew:
        grew = False
        for name, node in classes.items():
            if name not in found and any(_name(base) in found for base in node.bases):
                found[name] = node
                grew = True
    return found


def _name(node: ast.expr) -> str | None:
    """``InputError`` or ``mail.MailError`` → the class or function name."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _own_message(node: ast.ClassDef) -> bool:
    """An error class whose ``__init__`` takes no ``message``: callers give data (findings,
    failures), it makes the message."""
    return any(isinstance(item, ast.FunctionDef) and item.name == "__init__"
               and "message" not in [arg.arg for arg in item.args.args] for item in node.body)


def sites(package: Path = PACKAGE) -> list[Site]:
    """Every place in the package that produces a message, in module and line order."""
    trees = modules(package)
    classes = error_classes(trees)
    found = []
    for module, tree in trees.items():
        found += list(_sites(module, tree, classes))
    return sorted(found, key=lambda site: (site.module, site.line))


def _sites(module: str, tree: ast.Module, classes: dict[str, ast.ClassDef]) -> Iterator[Site]:
    for function, node in _calls(tree):
        name = _name(node.func)
        position: int | None = None
        kind = name or ""
        percent = False
        if name in classes:
            if _own_message(classes[name]):
                continue                    # its message is its super().__init__ text
            position = 0
        elif name == "__init__" and _is_super(node.func) and function in classes:
            if function == ROOT_ERROR:
                continue                    # Exception's own __init__: the message as given
            position, kind = 0, f"{function}.__init__"
        elif (name in ("warning", "error") and isinstance(node.func, ast.Attribute)
              and _name(node.func.value) == "log"):
            position, kind, percent = 0, f"log.{name}", True
        elif name in MESSAGE_CALLS and (name != "error" or isinstance(node.func, ast.Attribute)):
            position = MESSAGE_CALLS[name]
        elif module == "cli.py" and name == "print" and _to_stderr(node):
            position, kind = 0, "stderr"
        elif name == "ValueError" and module in VALUE_ERROR_MODULES:
            position = 0
        if position is None:
            continue
        given = [*node.args, *(k.value for k in node.keywords if k.arg == "message")]
        if len(given) <= position:
            continue
        arg = given[position]
        yield Site(module, node.lineno, function, kind, ast.unparse(arg), template(arg, percent))


def _calls(tree: ast.Module) -> Iterator[tuple[str, ast.Call]]:
    """Every call, with the name of the innermost function or class around it."""
    def visit(node: ast.AST, where: str) -> Iterator[tuple[str, ast.Call]]:
        for child in ast.iter_child_nodes(node):
            inner = where
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                inner = child.name
                if child.name == "__init__" and isinstance(node, ast.ClassDef):
                    inner = node.name       # an error class's own message
            elif isinstance(child, ast.ClassDef):
                inner = child.name
            if isinstance(child, ast.Call):
                yield where, child
            yield from visit(child, inner)

    yield from visit(tree, "")


def _is_super(func: ast.expr) -> bool:
    return (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call)
            and _name(func.value.func) == "super")


def _to_stderr(node: ast.Call) -> bool:
    return any(k.arg == "file" and ast.unparse(k.value) == "sys.stderr" for k in node.keywords)


def documented(text: str) -> list[str]:
    """The templates docs/errors.md explains: its ``### `…``` headings."""
    return [match["template"] for match in DOC_HEADING.finditer(text)]


def main() -> int:
    """List the templates found; with the test's full list, what the doc lacks or has extra."""
    found = sites()
    for site in found:
        shown = site.template if site.template is not None else f"(dynamic) {site.expr}"
        print(f"briefgen/{site.module}:{site.line}: {site.kind}: {shown}")
    sys.path.insert(0, str(REPO / "tests"))
    from test_errors_doc import expected_templates  # the test's complete list

    expected = expected_templates(found)
    doc = set(documented(DOC.read_text(encoding="utf-8"))) if DOC.exists() else set()
    missing, stale = sorted(expected - doc), sorted(doc - expected)
    print(f"\n{len(expected)} templates; {len(missing)} missing from docs/errors.md, "
          f"{len(stale)} there but no longer in the code")
    for text in missing:
        print(f"missing: `{text}`")
    for text in stale:
        print(f"stale:   `{text}`")
    return 1 if missing or stale else 0


if __name__ == "__main__":
    sys.exit(main())
