"""Record files: ids made from their fields, YAML in the order of the model's fields,
and the files of one import written together or not at all."""
from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

import yaml

from briefgen.errors import OutputError, shown_path
from briefgen.models import SourceRecord
from briefgen.yamllimits import LimitedLoader

# Ids ---------------------------------------------------------------------------

def slug(text: str | None, limit: int) -> str:
    """Lowercase ASCII words joined by '-', whole words up to ``limit`` characters."""
    if not text:
        return ""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    ascii_text = re.sub(r"(?<=\w)[.'](?=\w)", "", ascii_text)      # U.S. → US, Canada's
    out = ""
    for word in re.findall(r"[a-z0-9]+", ascii_text.lower()):
        if out and len(out) + 1 + len(word) > limit:
            break
        out = f"{out}-{word}" if out else word[:limit]
    return out


def make_id(publisher: str | None, date: dt.date | None, title: str | None) -> str:
    """The stable id of a new record: publisher-date-title, e.g.
    ``the-canadian-press-2024-12-13-canadian-officials-prepared-for-any-us``."""
    parts = [slug(publisher, 30), date.isoformat() if date else "", slug(title, 40)]
    return "-".join(part for part in parts if part) or "record"



# YAML in a stable field order ----------------------------------------------------

# libyaml's emitter when PyYAML has it; no &anchors (added and accessed are often one date).
_Dumper: Any = type("_Dumper", (getattr(yaml, "CSafeDumper", yaml.SafeDumper),),
                    {"ignore_aliases": lambda self, data: True})


class _Literal(str):
    """Printed as a ``|`` block: the record's text, line for line."""


class _Folded(str):
    """Printed as a ``>`` block: a long one-paragraph summary."""


class _Flow(list):  # type: ignore[type-arg]
    """Printed on one line: ``tags: [canada-us, border]``."""


_STR = "tag:yaml.org,2002:str"
_Dumper.add_representer(_Literal, lambda d, v: d.represent_scalar(_STR, str(v), style="|"))
_Dumper.add_representer(_Folded, lambda d, v: d.represent_scalar(_STR, str(v), style=">"))
_Dumper.add_representer(_Flow, lambda d, v: d.represent_sequence(
    "tag:yaml.org,2002:seq", list(v), flow_style=True))


def record_yaml(record: SourceRecord) -> str:
    """The record as a YAML file: fields in the model's order, empty ones left out,
    the id left to the file name."""
    data: dict[str, Any] = {}
    for name in SourceRecord.model_fields:
        value = getattr(record, name)
        if name == "id" or value is None or value == [] or value == "":
            continue
        if name == "quotes":
            value = [{k: v for k, v in quote.model_dump().items() if v is not None} for quote in value]
        elif name in ("tags", "author"):
            value = _Flow(value)
        elif isinstance(value, str) and "\n" in value:
            value = _Literal(value)
        elif name == "summary" and len(value) > 70:
            value = _Folded(value)
        data[name] = value
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=88)


def checked_yaml(record: SourceRecord, path: Path) -> str:
    """:func:`record_yaml`, read back as the library will read it: the same record or an error."""
    text = record_yaml(record)
    data = yaml.load(text, Loader=LimitedLoader)  # noqa: S506 - the safe loader, with limits
    if SourceRecord.model_validate({"id": record.id, **data}) != record:
        raise OutputError(f"the record would not read back as written (please report this): "
                          f"{record.id}", file=path)
    return text


# Writing -------------------------------------------------------------------------

def write_new(files: list[tuple[Path, str]]) -> None:
    """Write new files, all or none, never replacing a file.

    Each file is written to a hidden temp file beside it, the batch is flushed to
    disk once (a flush per file would cost more than the import), then each is
    linked into place; if any step fails, the files already placed are removed.
    """
    staged: list[tuple[Path, Path]] = []
    placed: list[Path] = []
    try:
        for path, text in files:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            staged.append((Path(temp), path))
            with os.fdopen(fd, "wb") as handle:
                handle.write(text.encode("utf-8"))
                if not hasattr(os, "sync"):
                    os.fsync(handle.fileno())
        if hasattr(os, "sync"):
            os.sync()
        for temp, path in staged:
            os.chmod(temp, 0o644)
            _place(temp, path)
            placed.append(path)
    except BaseException as err:
        for path in placed:
            path.unlink(missing_ok=True)
        if isinstance(err, FileExistsError):
            raise OutputError(f"{shown_path(Path(err.filename or ''))} appeared while importing; "
                              "nothing was added") from None
        if isinstance(err, OSError):
            raise OutputError(f"cannot write the records: {err}; nothing was added") from None
        raise
    finally:
        for temp, _ in staged:
            temp.unlink(missing_ok=True)


def _place(temp: Path, path: Path) -> None:
    """Link ``temp`` to ``path``, failing if ``path`` exists (a hard link, where the
    file system has them; else a checked rename)."""
    try:
        os.link(temp, path)
    except FileExistsError:
        raise FileExistsError(17, "exists", str(path)) from None
    except OSError:
        if path.exists():
            raise FileExistsError(17, "exists", str(path)) from None
        os.replace(temp, path)

def field_yaml(name: str, value: Any) -> str:
    """One field given as a flag, as block YAML the draft reads back: lists of words on
    one line, quotes as a list of fields, the text as a ``|`` block."""
    if name in ("tags", "author"):
        value = _Flow(value)
    elif name == "text" or (isinstance(value, str) and "\n" in value):
        value = _Literal(value)
    dumped = yaml.dump({name: value}, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                       default_flow_style=False, width=88)
    return dumped.rstrip("\n")
