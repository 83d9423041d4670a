"""PDF output: the notes' DOCX files converted by LibreOffice, all in one call.

LibreOffice spends about a second starting; a batch of notes converts in one
``soffice --headless --convert-to pdf`` run, in a temp folder with a profile
of its own (so that it never meets a LibreOffice the user has open). The
page count of each PDF checks the note's page budget.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from briefgen.errors import OutputError

INSTALL = ("install LibreOffice (Debian or Ubuntu: apt-get install libreoffice-writer-nogui; "
           "Fedora: dnf install libreoffice-writer; macOS: brew install --cask libreoffice; "
           "Windows: winget install TheDocumentFoundation.LibreOffice), or set BRIEFGEN_SOFFICE "
           "to its soffice program, or leave pdf out of --format")
# Tagged PDF/UA: headings, lists and table headers reach screen readers; the title,
# the language and the PDF/UA identifier go into the metadata.
FILTER = ('pdf:writer_pdf_Export:{"PDFUACompliance":{"type":"boolean","value":"true"},'
          '"UseTaggedPDF":{"type":"boolean","value":"true"}}')
TIMEOUT = 600            # seconds for one batch
_PROGRAMS = ("soffice", "libreoffice")
_MAC = "/Applications/LibreOffice.app/Contents/MacOS/soffice"
_WINDOWS = r"C:\Program Files\LibreOffice\program\soffice.exe"


def find_soffice() -> str:
    """LibreOffice's ``soffice``: $BRIEFGEN_SOFFICE, else on PATH or where installers put it."""
    chosen = os.environ.get("BRIEFGEN_SOFFICE")
    if chosen:
        found = shutil.which(chosen)
        if found is None:
            raise OutputError(f"BRIEFGEN_SOFFICE is {chosen!r}, which is not a program; {INSTALL}")
        return found
    for name in _PROGRAMS:
        found = shutil.which(name)
        if found:
            return found
    for path in (_MAC, _WINDOWS):
        if os.path.isfile(path):
            return path
    raise OutputError(f"PDF output needs LibreOffice, which is not installed: {INSTALL}")


def convert(documents: Sequence[bytes], stamps: Sequence[dt.datetime], soffice: str) -> list[bytes]:
    """Each DOCX as PDF bytes, in order; ``stamps`` fix each PDF's creation date."""
    if not documents:
        return []
    with tempfile.TemporaryDirectory(prefix="briefgen-pdf-") as temp:
        folder = Path(temp)
        names = [f"note-{index:04d}" for index in range(len(documents))]
        for name, data in zip(names, documents):
            (folder / f"{name}.docx").write_bytes(data)
        command = [soffice, f"-env:UserInstallation={(folder / 'profile').as_uri()}",
                   "--headless", "--norestore", "--nologo", "--nolockcheck",
                   "--convert-to", FILTER, "--outdir", str(folder / "pdf"),
                   *(f"{name}.docx" for name in names)]
        try:
            result = subprocess.run(command, cwd=folder, capture_output=True, text=True,
                                    timeout=TIMEOUT, env={**os.environ, "HOME": temp},
                                    stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise OutputError(f"LibreOffice did not finish converting {len(documents)} "
                              f"note(s) to PDF within {TIMEOUT} s") from None
        except OSError as err:
            raise OutputError(f"cannot run LibreOffice ({soffice}): {err}; {INSTALL}") from None
        pdfs = []
        for name, stamp in zip(names, stamps):
            target = folder / "pdf" / f"{name}.pdf"
            if not target.is_file():
                said = (result.stderr or result.stdout).strip().splitlines()
                raise OutputError("LibreOffice did not convert the DOCX to PDF (exit status "
                                  f"{result.returncode}{': ' + said[-1] if said else ''})")
            pdfs.append(_fixed(target.read_bytes(), stamp))
        return pdfs


_CREATED = re.compile(rb"/CreationDate\(D:(\d{14})")
_XMP_CREATED = re.compile(rb"(?<=<xmp:CreateDate>)\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")
# The file id and LibreOffice's checksum change from run to run.
_VARYING = re.compile(rb"(?<=/ID \[ <)[0-9A-F]{32}(?=>\s*<)|(?<=>\s<)[0-9A-F]{32}(?=> \])"
                      rb"|(?<=/DocChecksum /)[0-9A-F]{32}")


def _fixed(pdf: bytes, stamp: dt.datetime) -> bytes:
    """The same bytes for the same note: the creation date from the note, the file id
    and checksum from the content. All keep their length, so the cross-reference
    table stays right."""
    pdf = _CREATED.sub(lambda m: b"/CreationDate(D:" + stamp.strftime("%Y%m%d%H%M%S").encode(), pdf)
    pdf = _XMP_CREATED.sub(stamp.strftime("%Y-%m-%dT%H:%M:%S").encode(), pdf)
    digest = hashlib.md5(_VARYING.sub(b"", pdf), usedforsecurity=False).hexdigest().upper()
    return _VARYING.sub(digest.encode(), pdf)


_PAGES = re.compile(rb"/Type\s*/Pages\b")
_COUNT = re.compile(rb"/Count\s+(\d+)")


def page_count(pdf: bytes) -> int:
    """The number of pages: the /Count of the page tree's root (the largest one)."""
    counts = [count for match in _PAGES.finditer(pdf)
              if (count := _count_in_dict(pdf, match.start())) is not None]
    return max(counts) if counts else _pdfinfo_pages(pdf)


def _count_in_dict(pdf: bytes, inside: int) -> int | None:
    """/Count of the dictionary around offset ``inside`` (not of one nested in it)."""
    start = pdf.rfind(b"<<", 0, inside)
    depth, index = 0, start
    while 0 <= index < len(pdf):
        if pdf.startswith(b"<<", index):
            depth += 1
            index += 2
        elif pdf.startswith(b">>", index):
            depth -= 1
            index += 2
            if depth == 0:
                break
        else:
            if depth == 1 and (match := _COUNT.match(pdf, index)):
                return int(match.group(1))
            index += 1
    return None


def _pdfinfo_pages(pdf: bytes) -> int:
    """A PDF whose page tree is compressed: ask poppler's pdfinfo."""
    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo is None:
        raise OutputError("cannot count the PDF's pages: install poppler-utils (pdfinfo)")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        text = subprocess.run([pdfinfo, handle.name], capture_output=True, text=True,
                              timeout=60).stdout
    match = re.search(r"^Pages:\s+(\d+)", text, re.M)
    if match is None:
        raise OutputError("cannot count the PDF's pages")
    return int(match.group(1))
