"""Jinja stage: a resolved brief → Markdown text.

Templates run in Jinja's immutable sandbox. Anything printed with ``{{ }}``
is Markdown-escaped unless it is ``Markdown`` (brief text written by staff),
so record text is always shown as data, never as markup or template code.
"""
from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import os
import re
import sys
from collections.abc import Callable, Generator, Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator
from jinja2.loaders import split_template_path
from jinja2.sandbox import ImmutableSandboxedEnvironment

from briefgen.errors import BriefgenError, InputError, TemplateError
from briefgen.models import ID_PATTERN
from briefgen.note import limits
from briefgen.note.citations import short_title
from briefgen.note.labels import LOCALES
from briefgen.workspace import builtin_templates


class Markdown(str):
    """Text that is already Markdown and must not be escaped again."""


_ENTITY_OR_TAG = re.compile(r"&(?=#?\w+;)|<(?=[A-Za-z/!?])")
_INLINE = re.compile(r"([\\`*_\[\]{}|])")
_LINE_START = re.compile(r"^([ \t]*)([#+>-]|\d+[.)])", re.M)


def md_escape(text: str) -> str:
    """Make any text show literally in Markdown (CommonMark and Python-Markdown)."""
    text = _ENTITY_OR_TAG.sub(lambda m: "&amp;" if m.group() == "&" else "&lt;", text)
    text = _INLINE.sub(r"\\\1", text)
    return _LINE_START.sub(lambda m: m[1] + ("&gt;" if m[2] == ">" else m[2][:-1] + "\\" + m[2][-1]), text)


def _finalize(value: Any) -> str:
    """What ``{{ }}`` prints: Markdown as is, anything else escaped; all of it counted."""
    if value is None:
        return ""
    if isinstance(value, Markdown):
        return limits.printed(value)
    return limits.printed(md_escape(str(value)))


_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")


@lru_cache(maxsize=512)
def format_date(value: dt.date | None, lang: str = "en", article: bool = False) -> str:
    """13 December 2024 / 13 décembre 2024, in Canadian English or French (Babel's data).

    French writes the first of the month "1er", with a no-break space before the
    month; with ``article`` a French date takes its article, as in a sentence:
    "le 13 décembre 2024".
    """
    if value is None:
        return ""
    if lang == "en":   # the same as Babel's en-CA "d MMMM y", without loading its locale data
        return f"{value.day} {_MONTHS_EN[value.month - 1]} {value.year}"
    from babel.dates import (
        format_date as babel_date,  # locale data: only when a date is shown
    )

    text = babel_date(value, "d MMMM y", locale=LOCALES[lang])
    if lang == "fr":     # the day and its month stay on one line: "11 septembre"
        text = "1er" + text[1:] if value.day == 1 else text
        text = text.replace(" ", "\u00a0", 1)
        text = "le " + text if article else text
    return text


@jinja2.pass_context
def _date(context: Any, value: dt.date | None, article: bool = False) -> str:
    """``{{ brief.date | date }}``; ``date(article=true)`` for the memo's own date."""
    return format_date(value, context.get("lang", "en"), article)


def _cell(value: Any) -> Markdown:
    """Text for one pipe-table cell: one line, pipes escaped."""
    if isinstance(value, Markdown):
        text = re.sub(r"(?<!\\)\|", r"\|", value)
    else:
        text = md_escape(str(value or ""))
    return Markdown(re.sub(r"\s*\n\s*", " ", text))


def _item(value: Any, indent: int = 2) -> Markdown:
    """Text for a list item: continuation lines indented under the bullet."""
    text = value if isinstance(value, Markdown) else md_escape(str(value or ""))
    return Markdown(text.strip().replace("\n", "\n" + " " * indent))


@jinja2.pass_context
def _join_and(context: Any, items: Any) -> Markdown:
    """"A, B and C" (French: "A, B et C"); each item escaped unless it is Markdown."""
    parts = [_finalize(item) for item in items if item]
    word = " et " if context.get("lang") == "fr" else " and "
    return Markdown(", ".join(parts[:-1]) + word + parts[-1] if len(parts) > 1 else "".join(parts))


def _pluralize(count: int, singular: str = "", plural: str = "s") -> str:
    """``{{ n }} record{{ n | pluralize }}`` or ``{{ n | pluralize("entry", "entries") }}``."""
    return singular if count == 1 else plural


def _cite(key: str, locator: str | None = None) -> Markdown:
    """A citation of a record by id, resolved like ``[@key]`` in brief text."""
    if not ID_PATTERN.fullmatch(str(key)):
        raise ValueError(f"{key!r} is not a record id")
    return Markdown(f"[@{key}, {md_escape(locator)}]" if locator else f"[@{key}]")


def _autolink(url: str | None) -> Markdown:
    """A record's (validated http/https) address as a Markdown autolink."""
    return Markdown(f"<{url}>") if url else Markdown("")


class _Generator(CodeGenerator):
    """Jinja's compiler, with every loop and every ``~`` reporting to :mod:`limits`."""

    def visit_For(self, node: nodes.For, frame: Any) -> None:  # noqa: N802 - Jinja's names
        """``for x in items`` runs as ``for x in environment.bounded_loop(items, weight)``,
        the weight being the literal text one pass of the body can print."""
        weight = sum(len(data.data) for data in node.find_all(nodes.TemplateData))
        node.iter = nodes.Call(nodes.EnvironmentAttribute("bounded_loop"),
                               [node.iter, nodes.Const(weight)], [], None, None,
                               lineno=node.iter.lineno)
        super().visit_For(node, frame)

    def visit_Concat(self, node: nodes.Concat, frame: Any) -> None:  # noqa: N802
        self.write("environment.bounded_value(")
        super().visit_Concat(node, frame)
        self.write(")")


# The templates loaded while :func:`templates_used` records (a build's note): name → file.
_USED: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar(
    "templates_used", default=None)


@contextlib.contextmanager
def templates_used() -> Iterator[dict[str, str]]:
    """Every template a note loads inside this block (``extends``, ``include``, ``import``
    and the citation template too), even those Jinja serves from its cache, by name with
    the file it came from: what an incremental build watches to know the note is out of
    date."""
    used: dict[str, str] = {}
    token = _USED.set(used)
    try:
        yield used
    finally:
        _USED.reset(token)


class _Sandbox(ImmutableSandboxedEnvironment):
    """The sandbox, plus: what a macro or ``super()`` returns is template output, not data;
    and every loop step, call, operator and value is held to :mod:`limits`."""

    code_generator_class = _Generator
    intercepted_binops = frozenset({"*", "**", "+", "%"})
    bounded_loop = staticmethod(limits.loop)
    bounded_value = staticmethod(limits.value)

    def _load_template(self, name: str, globals: Any) -> jinja2.Template:  # noqa: A002
        template = super()._load_template(name, globals)
        used = _USED.get()
        if used is not None:
            used[name] = template.filename or ""
        return template

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        limits.arguments(__obj, args, kwargs)
        result = limits.value(super().call(__context, __obj, *args, **kwargs))
        if isinstance(__obj, (jinja2.runtime.Macro, jinja2.runtime.BlockReference)):
            return Markdown(result)
        return result

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        limits.operands(operator, left, right)
        return limits.value(super().call_binop(context, operator, left, right))


class _Contained(jinja2.FileSystemLoader):
    """A template folder whose templates cannot be links to files elsewhere."""

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Any]:
        source, filename, uptodate = super().get_source(environment, template)
        root = Path(self.searchpath[0]).resolve()
        if not Path(filename).resolve().is_relative_to(root):
            raise TemplateError(f"template {template!r} links outside {root}", file=filename)
        return source, filename, uptodate


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates kept in Jinja's private per-user temp folder: a cold
    ``briefgen build`` then skips compiling them (keyed by each template's source)."""
    try:   # the pattern names briefgen's compiler: code compiled without its limits is not reused
        return jinja2.FileSystemBytecodeCache(pattern=f"briefgen-{_Generator.__name__}-2-%s.cache")
    except (OSError, RuntimeError):
        return None


class _Layered(jinja2.ChoiceLoader):
    """The first folder that has a template wins, and keeps winning only while that is
    so: a compiled template is out of date when its file changes, and also when a
    workspace file of its name appears (or goes) while briefgen runs (the preview)."""

    load = jinja2.BaseLoader.load      # through get_source below (ChoiceLoader skips it)

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Any]:
        for loader in self.loaders:
            try:
                source, filename, uptodate = loader.get_source(environment, template)
            except jinja2.TemplateNotFound:
                continue
            return source, filename, self._fresh(loader, template, uptodate)
        raise jinja2.TemplateNotFound(template)

    def _fresh(self, winner: jinja2.BaseLoader, template: str,
               uptodate: Any) -> Callable[[], bool]:
        def fresh() -> bool:
            first = next((loader for loader in self.loaders if _has(loader, template)), None)
            return first is winner and (uptodate is None or uptodate())
        return fresh


def _has(loader: jinja2.BaseLoader, template: str) -> bool:
    """Whether a loader has a file for the name, without reading it."""
    if isinstance(loader, jinja2.PrefixLoader):
        try:
            inner, name = loader.get_loader(template)
        except jinja2.TemplateNotFound:
            return False
        return _has(inner, name)
    try:
        pieces = split_template_path(template)
    except jinja2.TemplateNotFound:
        return False
    return any(os.path.isfile(os.path.join(folder, *pieces))
               for folder in getattr(loader, "searchpath", ()))


def readable(folder: Path) -> None:
    """A workspace ``templates/`` that is there but cannot be read is an error, not a
    reason to use the built-ins without a word (a file, a looping link, no permission)."""
    if not (folder.exists() or folder.is_symlink()):
        return
    try:
        with os.scandir(folder):
            pass
    except OSError as err:
        raise InputError(f"cannot read the templates folder: {err.strerror or err}",
                         file=folder) from None


@lru_cache(maxsize=8)
def environment(workspace_templates: Path | None) -> jinja2.Environment:
    """Workspace templates first, then built-ins; ``builtin/NAME`` always reaches the original.
    The workspace folder is asked even when it does not exist yet."""
    if workspace_templates is not None:
        readable(workspace_templates)
    builtin = _Contained(builtin_templates())
    loaders: list[jinja2.BaseLoader] = [builtin, jinja2.PrefixLoader({"builtin": builtin})]
    if workspace_templates is not None:
        loaders.insert(0, _Contained(workspace_templates))
    env = _Sandbox(
        loader=_Layered(loaders), undefined=jinja2.StrictUndefined,
        finalize=_finalize, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True, autoescape=False, bytecode_cache=_bytecode_cache())
    env.filters.update(date=_date, cell=_cell, item=_item, autolink=_autolink, escape_md=md_escape,
                       markdown=Markdown, join_and=_join_and, pluralize=_pluralize, cite=_cite,
                       short_title=short_title)
    env.filters = {name: limits.bounded(func) for name, func in env.filters.items()}
    del env.globals["lipsum"]      # placeholder text at any length: nothing a note needs
    return env


def render(env: jinja2.Environment, name: str, context: Mapping[str, Any]) -> str:
    """Render one template; any template mistake becomes a TemplateError with file:line."""
    try:
        with limits.budget() as budget:
            template = env.get_template(name)
            text = "".join(_counted(template.generate(context), budget))
    except limits.OverLimit as err:
        file, line = _template_frame(sys.exc_info()[2])
        raise TemplateError(_over(err.what), file=file or name, line=line) from None
    except jinja2.TemplateNotFound as err:
        file, line = _template_frame(sys.exc_info()[2])    # the extends/include that names it
        raise TemplateError(f"template {err.name!r} not found{_near(env, err.name)}",
                            file=file, line=line) from None
    except jinja2.TemplateSyntaxError as err:
        raise TemplateError(f"template syntax error: {err.message}",
                            file=err.filename or err.name, line=err.lineno) from None
    except jinja2.TemplateError as err:
        file, line = _template_frame(sys.exc_info()[2])
        raise TemplateError(f"template error: {err.message or err}", file=file or name,
                            line=line) from None
    except BriefgenError:
        raise
    except Exception as err:  # a filter or operator given the wrong kind of value: {{ 1 / 0 }}
        file, line = _template_frame(sys.exc_info()[2])
        what = str(err) or f"{type(err).__name__} in a filter or operator"
        raise TemplateError(f"template error: {what}", file=file or name, line=line) from err
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def _near(env: jinja2.Environment, name: str | None) -> str:
    """"; did you mean 'builtin/briefing-note.md.j2'?" for a misspelled template name."""
    import difflib

    close = difflib.get_close_matches(name or "", env.list_templates(), n=1, cutoff=0.8)
    return f"; did you mean {close[0]!r}?" if close else ""


def _counted(chunks: Generator[str, None, None], budget: limits.Budget) -> Iterator[str]:
    """The template's output as it comes, counted; going over is raised inside the
    template, where it stopped, so the message can name its line."""
    for chunk in chunks:
        budget.output -= len(chunk)
        if budget.output < 0:
            chunks.throw(limits.OverLimit("size"))
        yield chunk


def _over(what: str) -> str:
    """The message for a rendering that went over one of its bounds."""
    if what == "time":
        return (f"the template took longer than {limits.SECONDS:g} s to render; "
                "look for a loop that runs too long")
    if what == "steps":
        return (f"the template ran more than {limits.STEPS:,} loop steps and calls; "
                "look for a loop that runs too long")
    if what == "number":
        return "the template made a number too large to print; look for ** or * on large numbers"
    return (f"the template made more than {limits.CHARACTERS:,} characters of text; "
            "look for a loop that prints too much, or * or a filter on a long text")


def _template_frame(tb: Any) -> tuple[str | None, int | None]:
    """The innermost traceback frame that belongs to a template file."""
    found: tuple[str | None, int | None] = (None, None)
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found
