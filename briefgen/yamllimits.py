"""Safety limits for every YAML file briefgen reads: records, briefs, front matter,
template schemas and drafts all go through :class:`LimitedLoader`.

A hostile or careless file must end in one clear error, fast: an alias bomb
(``&a`` repeated by ``*a`` nine times, nine levels deep) would expand to
hundreds of millions of values in the walks after parsing; a tag such as
``!!int abc`` or ``!!python/object`` would crash or surprise the constructor.
The document is checked as a node graph (aliases shared, so the check costs
one visit per written node) before any value is built.
"""
from __future__ import annotations

from typing import Any

import yaml

from briefgen.errors import InputError

MAX_DEPTH = 100           # lists and mappings inside each other
MAX_REPEATED = 10_000     # values that aliases (*name) add beyond those written out
MAX_DIGITS = 100          # characters of a number, beyond which it must be quoted text

_Y = "tag:yaml.org,2002:"
_SCALARS = {f"{_Y}{name}" for name in ("str", "int", "float", "bool", "null", "timestamp")}
_KINDS = {f"{_Y}seq": yaml.SequenceNode, f"{_Y}map": yaml.MappingNode,
          **{tag: yaml.ScalarNode for tag in _SCALARS}}
_WORDS = {"int": "a number", "float": "a number", "bool": "true or false", "null": "empty (null)",
          "timestamp": "a date"}

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when there


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _shown(tag: str) -> str:
    return "!!" + tag.removeprefix(_Y) if tag.startswith(_Y) else tag


def check_nodes(root: yaml.Node | None) -> dict[int, str]:
    """Refuse a document that nests too deep, expands too far through aliases, loops
    back into itself, or uses a tag or key the formats never need.

    Returns the field path of each node (by ``id``), for later messages.
    """
    fields: dict[int, str] = {}
    sizes: dict[int, int] = {}            # expanded size of each node seen
    open_nodes: set[int] = set()          # on the current path: a loop if met again

    def size(node: yaml.Node, field: str, depth: int) -> int:
        if id(node) in sizes:
            return sizes[id(node)]
        where = {"line": _line(node), "field": field or None}
        if id(node) in open_nodes:
            raise InputError("this YAML alias (*name) refers to the value that holds it; "
                             "write the value out", **where)
        if depth > MAX_DEPTH:
            raise InputError(f"lists and fields nest more than {MAX_DEPTH} levels deep",
                             line=_line(node))
        _check_tag(node, where)
        fields[id(node)] = field
        open_nodes.add(id(node))
        total = 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                label = key.value if isinstance(key, yaml.ScalarNode) else "?"
                name = f"{field}.{label}" if field else str(label)
                _check_key(key)
                total += size(key, name, depth + 1) + size(value, name, depth + 1)
        elif isinstance(node, yaml.SequenceNode):
            total += sum(size(item, f"{field}.{index}" if field else str(index), depth + 1)
                         for index, item in enumerate(node.value))
        open_nodes.discard(id(node))
        sizes[id(node)] = total
        if total - len(fields) > MAX_REPEATED:
            raise InputError(f"YAML aliases (*name) repeat more than {MAX_REPEATED} values; "
                             "write the values out instead", **where)
        return total

    if root is not None:
        size(root, "", 1)
    return fields


def shallow(value: Any) -> bool:
    """Whether a value read from JSON nests at most :data:`MAX_DEPTH` levels (the limit
    YAML files have), found without recursion."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (list, dict)):
            if depth > MAX_DEPTH:
                return False
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return True


def _check_tag(node: yaml.Node, where: dict[str, Any]) -> None:
    """Only the plain kinds of value: text, numbers, true/false, dates, lists, fields."""
    if node.tag == f"{_Y}merge":
        raise InputError("the merge key '<<' is not supported; write the fields out",
                         line=where["line"])
    kind = _KINDS.get(node.tag)
    if kind is None:
        raise InputError(f"the YAML tag {_shown(node.tag)} is not allowed; "
                         "write the value as plain text", **where)
    if not isinstance(node, kind):
        written_as = {yaml.ScalarNode: "a single value", yaml.SequenceNode: "a list",
                      yaml.MappingNode: "fields"}[type(node)]
        raise InputError(f"the YAML tag {_shown(node.tag)} cannot mark {written_as}", **where)


def _check_key(key: yaml.Node) -> None:
    """``1:`` or ``~:`` would become a number or nothing, and read like a line number later."""
    if key.tag != f"{_Y}str" and key.tag in _SCALARS and isinstance(key, yaml.ScalarNode):
        what = _WORDS[key.tag.removeprefix(_Y)]
        raise InputError(f"the key {key.value!r} is read as {what}; a field name is text "
                         f"(write it in quotes: \"{key.value}\")", line=_line(key))


class LimitedLoader(_Base):  # type: ignore[misc]
    """The safe loader with :func:`check_nodes` run on each document, and numbers or
    true/false that cannot be read reported with their line instead of a crash."""

    def get_single_node(self) -> yaml.Node | None:
        node = super().get_single_node()
        self._node_fields = check_nodes(node)
        return node

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        return self._scalar(node, "a whole number", super().construct_yaml_int)

    def construct_yaml_float(self, node: yaml.ScalarNode) -> float:
        return self._scalar(node, "a number", super().construct_yaml_float)

    def construct_yaml_bool(self, node: yaml.ScalarNode) -> bool:
        return self._scalar(node, "true or false", super().construct_yaml_bool)

    def _scalar(self, node: yaml.ScalarNode, kind: str, construct: Any) -> Any:
        text = str(node.value)
        if len(text) > MAX_DIGITS and kind != "true or false":
            raise InputError(f"a number of more than {MAX_DIGITS} characters; "
                             "put it in quotes to keep it as text", **self._where(node))
        try:
            return construct(node)
        except (ValueError, KeyError, TypeError):
            raise InputError(f"{text[:40]!r} cannot be read as {kind} "
                             f"(YAML tag {_shown(node.tag)})", **self._where(node)) from None

    def _where(self, node: yaml.Node) -> dict[str, Any]:
        return {"line": _line(node), "field": getattr(self, "_node_fields", {}).get(id(node)) or None}


for _name in ("int", "float", "bool"):
    LimitedLoader.add_constructor(f"{_Y}{_name}", getattr(LimitedLoader, f"construct_yaml_{_name}"))


def compose(text: str) -> yaml.Node | None:
    """The node graph of one YAML document, within the limits (for line and column maps)."""
    loader = LimitedLoader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()
