"""Bounds on one template rendering: time, loop steps and the size of the text it makes.

A template is staff-written code. Jinja's sandbox keeps it away from Python's
internals, not from ``{% for i in range(100000) %}{% for j in range(100000) %}``
or ``{{ 'x' * 10**10 }}``. The sandbox in :mod:`briefgen.note.render` reports
here on every loop step, call, operator, filter and printed value; going over
a bound raises :class:`OverLimit`, which the renderer turns into one message
with the template's file and line.
"""
from __future__ import annotations

import contextvars
import functools
import math
import re
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from jinja2 import Environment
from jinja2.nodes import EvalContext
from jinja2.runtime import Context

SECONDS = 20.0            # a note renders in milliseconds, a week's digest well under a second
STEPS = 10_000_000        # loop iterations and calls
CHARACTERS = 20_000_000   # text one rendering may make, and the longest value it may build
NUMBER_BITS = 14_000      # the largest integer an operator may make (about 4,200 digits)

_SPEC = re.compile(r"%[-#0 +]*([\d.]+)|:[^{}\d\s]*([\d.]+)")   # '%9.2f', '{:>9}', '{:.9f}'
# Calls whose number arguments are widths or counts of characters to make.
_PADDING = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs", "do_center",
                      "do_indent", "do_wordwrap", "do_truncate"})


class OverLimit(Exception):  # noqa: N818 - raised through Jinja, reported by render()
    """A rendering went over one of its bounds; ``what`` says which."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


@dataclass
class Budget:
    """What one rendering may still spend."""

    deadline: float
    steps: int
    characters: int       # what it prints and what its loops' literal text adds
    output: int           # what reaches the output, counted apart (an include in a loop)
    _ticks: int = field(default=0, repr=False)

    def step(self) -> None:
        self.steps -= 1
        if self.steps < 0:
            raise OverLimit("steps")
        self._ticks += 1
        if self._ticks >= 1000:       # the clock costs more than a step: read it now and then
            self._ticks = 0
            self.check_time()

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise OverLimit("time")

    def spend(self, characters: int) -> None:
        self.characters -= characters
        if self.characters < 0:
            raise OverLimit("size")


_CURRENT: contextvars.ContextVar[Budget | None] = contextvars.ContextVar("budget", default=None)


@contextmanager
def budget() -> Iterator[Budget]:
    """A fresh budget for one rendering (each thread of the preview has its own)."""
    spent = Budget(time.monotonic() + SECONDS, STEPS, CHARACTERS, CHARACTERS)
    token = _CURRENT.set(spent)
    try:
        yield spent
    finally:
        _CURRENT.reset(token)


def _current() -> Budget | None:
    return _CURRENT.get()


def step() -> None:
    spent = _current()
    if spent is not None:
        spent.step()


def printed(text: str) -> str:
    """Every ``{{ }}`` a template prints counts against its text budget."""
    spent = _current()
    if spent is not None:
        spent.spend(len(text))
    return text


def loop(iterable: Iterable[Any], weight: int = 0) -> Iterator[Any]:
    """A template's ``for`` loop: each step counts, as does the literal text its body prints."""
    spent = _current()
    for item in iterable:
        if spent is not None:
            spent.step()
            spent.spend(weight)
        yield item


def value(result: Any) -> Any:
    """A value an operator, call or filter built: no longer than the text budget."""
    if isinstance(result, (str, bytes, list, tuple, dict)) and len(result) > CHARACTERS:
        raise OverLimit("size")
    if isinstance(result, int) and result.bit_length() > NUMBER_BITS:
        raise OverLimit("number")
    return result


def operands(operator: str, left: Any, right: Any) -> None:
    """Refuse an operator whose result would be too large, before Python builds it."""
    step()
    sized = (str, list, tuple)
    if operator == "*":
        for seq, times in ((left, right), (right, left)):
            if isinstance(seq, sized) and isinstance(times, int) and len(seq) * times > CHARACTERS:
                raise OverLimit("size")
        if isinstance(left, int) and isinstance(right, int) and \
                _bits(left) + _bits(right) > NUMBER_BITS:
            raise OverLimit("number")
    elif operator == "**" and isinstance(left, (int, float)) and isinstance(right, (int, float)):
        if abs(left) > 1 and right > 0 and right * math.log2(abs(left)) > NUMBER_BITS:
            raise OverLimit("number")
    elif operator == "%" and isinstance(left, str):
        _widths(left)


def _bits(number: int) -> int:
    return abs(number).bit_length()


def _widths(spec: str) -> None:
    """A format string may not pad to more than the text budget (``'%999999999d'``)."""
    numbers = (n for m in _SPEC.finditer(spec) for n in re.findall(r"\d+", m[1] or m[2]))
    if any(int(n) > CHARACTERS for n in numbers):
        raise OverLimit("size")


def _longest(args: tuple[Any, ...]) -> int:
    """The largest width or string any argument gives (an indent, a wrap string)."""
    return max((a if isinstance(a, int) else len(a) for a in args
                if isinstance(a, (int, str)) and not isinstance(a, bool)), default=0)


def _joined(items: Any, separator: Any) -> int:
    if not isinstance(items, (list, tuple)):   # never consume a generator to measure it
        return 0
    return sum(len(str(x)) + len(str(separator)) for x in items)


# How long the result of a call can get, for the calls that multiply their input:
# (the value, its other arguments) → an upper bound on the result's length.
_REPLACE = lambda s, a: len(s) + (s.count(a[0]) + 1) * len(a[1])  # noqa: E731
_GROWS: dict[str, Callable[[Any, tuple[Any, ...]], int]] = {
    "replace": _REPLACE,
    "do_replace": _REPLACE,
    "expandtabs": lambda s, a: len(s) + s.count("\t") * _longest(a),
    "do_indent": lambda s, a: len(s) + (s.count("\n") + 1) * _longest(a),
    "do_wordwrap": lambda s, a: len(s) * (1 + _longest(a)),
    "join": lambda s, a: _joined(a[0], s),
    "do_join": lambda s, a: _joined(s, a[0] if a else ""),
}
_FORMATS = frozenset({"format", "format_map", "do_format"})
_WATCHED = _PADDING | _FORMATS | set(_GROWS)    # every other call only takes a step


def arguments(func: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Refuse a call whose arguments ask for more than the budget: a width over it
    (``center``, ``ljust``), a format that pads past it, or a
    ``replace``/``indent``/``join`` whose result would be longer than the text budget."""
    step()
    name = getattr(func, "__name__", "")
    if name not in _WATCHED:
        return
    target = getattr(getattr(func, "__wrapped__", func), "__self__", None)  # str.format too
    if target is None:       # a filter: its value is the first argument after Jinja's own
        args = tuple(a for a in args if not isinstance(a, (Context, EvalContext, Environment)))
        target, args = (args[0], args[1:]) if args else (None, args)
    others = (*args, *kwargs.values())
    if name in _PADDING and any(isinstance(a, int) and a > CHARACTERS for a in others):
        raise OverLimit("size")
    if isinstance(target, str) and name in _FORMATS:
        _widths(target)
    grow = _GROWS.get(name)
    if grow and _estimate(grow, target, others) > CHARACTERS:
        raise OverLimit("size")


def _estimate(grow: Callable[[Any, tuple[Any, ...]], int], target: Any, args: tuple[Any, ...]) -> int:
    try:
        return grow(target, args)
    except (TypeError, IndexError, AttributeError):
        return 0                               # odd arguments: the call itself will say so


def bounded(func: Callable[..., Any]) -> Callable[..., Any]:
    """A filter with its arguments and result held to the budget (Jinja calls filters
    directly, not through the sandbox's ``call``)."""
    @functools.wraps(func)   # keeps jinja_pass_arg: pass_context filters still get the context
    def run(*args: Any, **kwargs: Any) -> Any:
        arguments(func, args, kwargs)
        return value(func(*args, **kwargs))

    return run
