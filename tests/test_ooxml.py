"""Raw OOXML helpers, through real builds: what a staff reference.docx may not carry over,
and the package Word reads: schema order, compatibility mode, application properties."""
from __future__ import annotations

import logging
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import docx
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from lxml import etree

from briefgen.builder import build
from briefgen.workspace import Workspace

REFERENCE = Path(__file__).parent.parent / "templates" / "reference.docx"
REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
TEMPLATE_AT = "https://evil.example/normal.dotm"
ATTACHED_TEMPLATE = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
                     "attachedTemplate")
FRAME = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/frame"
FRAME_AT = "https://evil.example/frame.html"


def _external_reference(ws: Path) -> Path:
    """The built-in reference.docx with an attachedTemplate on a web server in its
    settings, and a second external relationship on its document part."""
    reference = docx.Document(str(REFERENCE))
    settings = reference.part._settings_part
    r_id = settings.relate_to(TEMPLATE_AT, ATTACHED_TEMPLATE, is_external=True)
    attached = OxmlElement("w:attachedTemplate")
    attached.set(qn("r:id"), r_id)
    settings.element.insert(0, attached)
    reference.part.relate_to(FRAME_AT, FRAME, is_external=True)
    target = ws / "templates" / "reference.docx"
    target.parent.mkdir(exist_ok=True)
    reference.save(str(target))
    return target


def _rels(package: zipfile.ZipFile) -> list[etree._Element]:
    return [rel for name in package.namelist() if name.endswith(".rels")
            for rel in etree.fromstring(package.read(name)).iter(f"{REL}Relationship")]


def test_external_relationships_of_the_reference_are_left_out(
        workspace: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(workspace)
    _external_reference(workspace)
    with caplog.at_level(logging.WARNING, logger="briefgen"):
        build(Workspace(workspace), ["note"], ["docx"], Path("out"))
    with zipfile.ZipFile(workspace / "out/note.docx") as package:
        external = [rel for rel in _rels(package) if rel.get("TargetMode") == "External"]
        settings = package.read("word/settings.xml")
    assert external, "the note's own hyperlinks are external relationships"
    assert {rel.get("Type") for rel in external} == {RT.HYPERLINK}
    assert "https://example.org/a" in {rel.get("Target") for rel in external}
    assert b"attachedTemplate" not in settings and b"evil.example" not in settings
    warnings = [r.getMessage() for r in caplog.records if "external link" in r.getMessage()]
    assert warnings == [f"{Path('templates/reference.docx')}: warning: left out 2 external "
                        f"link(s) Word could fetch when a note opens: {FRAME_AT}, {TEMPLATE_AT}"]
    docx.Document(str(workspace / "out/note.docx"))       # still a package python-docx reads


def test_the_built_in_reference_needs_nothing_left_out(
        workspace: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="briefgen"):
        build(Workspace(workspace), ["note"], ["docx"], Path("out"))
    assert not [r for r in caplog.records if "external link" in r.getMessage()]


# Schema order, compatibility mode, application properties -----------------------

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
M = "http://schemas.openxmlformats.org/officeDocument/2006/math"
SL = "http://schemas.openxmlformats.org/schemaLibrary/2006/main"
PREFIX = {"w": W, "m": M, "sl": SL}


def _tags(*names: str) -> list[str]:
    return [f"{{{PREFIX[n.split(':')[0]]}}}{n.split(':')[1]}" for n in names]


# Child sequences of ECMA-376 Part 1 (Transitional, 5th edition), §17, for the
# elements the writer and the built-in reference.docx emit.
SEQUENCES: dict[str, list[str]] = {
    "w:rPr": _tags(
        "w:rStyle", "w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:caps", "w:smallCaps",
        "w:strike", "w:dstrike", "w:outline", "w:shadow", "w:emboss", "w:imprint", "w:noProof",
        "w:snapToGrid", "w:vanish", "w:webHidden", "w:color", "w:spacing", "w:w", "w:kern",
        "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect", "w:bdr", "w:shd",
        "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout",
        "w:specVanish", "w:oMath"),
    "w:pPr": _tags(
        "w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr",
        "w:widowControl", "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs",
        "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct",
        "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
        "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap",
        "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl",
        "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange"),
    "w:tblPr": _tags(
        "w:tblStyle", "w:tblpPr", "w:tblOverlap", "w:bidiVisual", "w:tblStyleRowBandSize",
        "w:tblStyleColBandSize", "w:tblW", "w:jc", "w:tblCellSpacing", "w:tblInd",
        "w:tblBorders", "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption",
        "w:tblDescription", "w:tblPrChange"),
    "w:tcPr": _tags(
        "w:cnfStyle", "w:tcW", "w:gridSpan", "w:hMerge", "w:vMerge", "w:tcBorders", "w:shd",
        "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark",
        "w:headers", "w:cellIns", "w:cellDel", "w:cellMerge", "w:tcPrChange"),
    "w:tcBorders": _tags("w:top", "w:start", "w:left", "w:bottom", "w:end", "w:right",
                         "w:insideH", "w:insideV", "w:tl2br", "w:tr2bl"),
    "w:pBdr": _tags("w:top", "w:left", "w:bottom", "w:right", "w:between", "w:bar"),
    "w:sectPr": _tags(
        "w:headerReference", "w:footerReference", "w:footnotePr", "w:endnotePr", "w:type",
        "w:pgSz", "w:pgMar", "w:paperSrc", "w:pgBorders", "w:lnNumType", "w:pgNumType",
        "w:cols", "w:formProt", "w:vAlign", "w:noEndnote", "w:titlePg", "w:textDirection",
        "w:bidi", "w:rtlGutter", "w:docGrid", "w:printerSettings", "w:sectPrChange"),
    "w:style": _tags(
        "w:name", "w:aliases", "w:basedOn", "w:next", "w:link", "w:autoRedefine", "w:hidden",
        "w:uiPriority", "w:semiHidden", "w:unhideWhenUsed", "w:qFormat", "w:locked",
        "w:personal", "w:personalCompose", "w:personalReply", "w:rsid", "w:pPr", "w:rPr",
        "w:tblPr", "w:trPr", "w:tcPr", "w:tblStylePr"),
    "w:styles": _tags("w:docDefaults", "w:latentStyles", "w:style"),
    "w:docDefaults": _tags("w:rPrDefault", "w:pPrDefault"),
    "w:tbl": _tags("w:bookmarkStart", "w:tblPr", "w:tblGrid", "w:tr"),
    "w:tr": _tags("w:tblPrEx", "w:trPr", "w:tc"),
    "w:tc": _tags("w:tcPr", "w:p", "w:tbl"),
    "w:compat": _tags(
        "w:useSingleBorderforContiguousCells", "w:wpJustification", "w:noTabHangInd",
        "w:noLeading", "w:spaceForUL", "w:noColumnBalance", "w:balanceSingleByteDoubleByteWidth",
        "w:noExtraLineSpacing", "w:doNotLeaveBackslashAlone", "w:ulTrailSpace",
        "w:doNotExpandShiftReturn", "w:spacingInWholePoints", "w:lineWrapLikeWord6",
        "w:printBodyTextBeforeHeader", "w:printColBlack", "w:wpSpaceWidth",
        "w:showBreaksInFrames", "w:subFontBySize", "w:suppressBottomSpacing",
        "w:suppressTopSpacing", "w:suppressSpacingAtTopOfPage", "w:suppressTopSpacingWP",
        "w:suppressSpBfAfterPgBrk", "w:swapBordersFacingPages", "w:convMailMergeEsc",
        "w:truncateFontHeightsLikeWP6", "w:mwSmallCaps", "w:usePrinterMetrics",
        "w:doNotSuppressParagraphBorders", "w:wrapTrailSpaces", "w:footnoteLayoutLikeWW8",
        "w:shapeLayoutLikeWW8", "w:alignTablesRowByRow", "w:forgetLastTabAlignment",
        "w:adjustLineHeightInTable", "w:autoSpaceLikeWord95", "w:noSpaceRaiseLower",
        "w:doNotUseHTMLParagraphAutoSpacing", "w:layoutRawTableWidth", "w:layoutTableRowsApart",
        "w:useWord97LineBreakRules", "w:doNotBreakWrappedTables", "w:doNotSnapToGridInCell",
        "w:selectFldWithFirstOrLastChar", "w:applyBreakingRules", "w:doNotWrapTextWithPunct",
        "w:doNotUseEastAsianBreakRules", "w:useWord2002TableStyleRules",
        "w:growAutofit", "w:useFELayout", "w:useNormalStyleForList",
        "w:doNotUseIndentAsNumberingTabStop", "w:useAltKinsokuLineBreakRules",
        "w:allowSpaceOfSameStyleInTable", "w:doNotSuppressIndentation",
        "w:doNotAutofitConstrainedTables", "w:autofitToFirstFixedWidthCell",
        "w:underlineTabInNumList", "w:displayHangulFixedWidth", "w:splitPgBreakAndParaMark",
        "w:doNotVertAlignCellWithSp", "w:doNotBreakConstrainedForcedTable",
        "w:doNotVertAlignInTxbx", "w:useAnsiKerningPairs", "w:cachedColBalance",
        "w:compatSetting"),
    "w:settings": _tags(
        "w:writeProtection", "w:view", "w:zoom", "w:removePersonalInformation",
        "w:removeDateAndTime", "w:doNotDisplayPageBoundaries", "w:displayBackgroundShape",
        "w:printPostScriptOverText", "w:printFractionalCharacterWidth", "w:printFormsData",
        "w:embedTrueTypeFonts", "w:embedSystemFonts", "w:saveSubsetFonts", "w:saveFormsData",
        "w:mirrorMargins", "w:alignBordersAndEdges", "w:bordersDoNotSurroundHeader",
        "w:bordersDoNotSurroundFooter", "w:gutterAtTop", "w:hideSpellingErrors",
        "w:hideGrammaticalErrors", "w:activeWritingStyle", "w:proofState", "w:formsDesign",
        "w:attachedTemplate", "w:linkStyles", "w:stylePaneFormatFilter",
        "w:stylePaneSortMethod", "w:documentType", "w:mailMerge", "w:revisionView",
        "w:trackRevisions", "w:doNotTrackMoves", "w:doNotTrackFormatting",
        "w:documentProtection", "w:autoFormatOverride", "w:styleLockTheme", "w:styleLockQFSet",
        "w:defaultTabStop", "w:autoHyphenation", "w:consecutiveHyphenLimit",
        "w:hyphenationZone", "w:doNotHyphenateCaps", "w:showEnvelope", "w:summaryLength",
        "w:clickAndTypeStyle", "w:defaultTableStyle", "w:evenAndOddHeaders",
        "w:bookFoldRevPrinting", "w:bookFoldPrinting", "w:bookFoldPrintingSheets",
        "w:drawingGridHorizontalSpacing", "w:drawingGridVerticalSpacing",
        "w:displayHorizontalDrawingGridEvery", "w:displayVerticalDrawingGridEvery",
        "w:doNotUseMarginsForDrawingGridOrigin", "w:drawingGridHorizontalOrigin",
        "w:drawingGridVerticalOrigin", "w:doNotShadeFormData", "w:noPunctuationKerning",
        "w:characterSpacingControl", "w:printTwoOnOne", "w:strictFirstAndLastChars",
        "w:noLineBreaksAfter", "w:noLineBreaksBefore", "w:savePreviewPicture",
        "w:doNotValidateAgainstSchema", "w:saveInvalidXml", "w:ignoreMixedContent",
        "w:alwaysShowPlaceholderText", "w:doNotDemarcateInvalidXml", "w:saveXmlDataOnly",
        "w:useXSLTWhenSaving", "w:saveThroughXslt", "w:showXMLTags",
        "w:alwaysMergeEmptyNamespace", "w:updateFields", "w:hdrShapeDefaults",
        "w:footnotePr", "w:endnotePr", "w:compat", "w:docVars", "w:rsids", "m:mathPr",
        "w:attachedSchema", "w:themeFontLang", "w:clrSchemeMapping",
        "w:doNotIncludeSubdocsInStats", "w:doNotAutoCompressPictures", "w:forceUpgrade",
        "w:captions", "w:readModeInkLockDown", "w:smartTagType", "sl:schemaLibrary",
        "w:shapeDefaults", "w:doNotEmbedSmartTags", "w:decimalSymbol", "w:listSeparator"),
}
# Elements whose properties child must come first (the rest is content).
FIRST = {"w:r": _tags("w:rPr")[0], "w:p": _tags("w:pPr")[0]}


def order_errors(root: ElementTree.Element) -> list[str]:
    """Every element whose schema-language children are out of their ECMA-376 sequence."""
    sequences = {_tags(name)[0]: seq for name, seq in SEQUENCES.items()}
    firsts = {_tags(name)[0]: child for name, child in FIRST.items()}
    errors = []
    for element in root.iter():
        if element.tag in sequences:
            sequence = sequences[element.tag]
            known = [c.tag for c in element if c.tag.startswith(f"{{{W}}}") or c.tag in sequence]
            unknown = [t for t in known if t not in sequence]
            positions = [sequence.index(t) for t in known if t in sequence]
            if unknown or positions != sorted(positions):
                errors.append(f"{_local(element.tag)} children {[_local(t) for t in known]}")
        elif element.tag in firsts and element.find(firsts[element.tag]) is not None:
            if element[0].tag != firsts[element.tag]:
                errors.append(f"{_local(element.tag)} has its properties after content")
    return errors


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _xml_parts(path: Path) -> dict[str, ElementTree.Element]:
    with zipfile.ZipFile(path) as package:
        return {name: ElementTree.fromstring(package.read(name)) for name in package.namelist()
                if name.startswith("word/") and name.endswith(".xml")}


def _example_docx(example_notes: Path) -> list[Path]:
    found = sorted(example_notes.glob("*.docx"))
    assert len(found) >= 10          # every note type, English and French
    return found


def test_the_order_check_catches_a_misplaced_child() -> None:
    bad = ElementTree.fromstring(f'<w:rPr xmlns:w="{W}"><w:sz w:val="22"/><w:rFonts/></w:rPr>')
    good = ElementTree.fromstring(f'<w:rPr xmlns:w="{W}"><w:rFonts/><w:sz w:val="22"/></w:rPr>')
    assert order_errors(bad) and not order_errors(good)


def test_every_part_of_every_example_follows_the_schema_order(example_notes: Path) -> None:
    errors = [f"{docx.name} {name}: {error}" for docx in _example_docx(example_notes)
              for name, root in _xml_parts(docx).items() for error in order_errors(root)]
    assert errors == []


def test_the_built_in_reference_document_follows_the_schema_order() -> None:
    errors = [f"{name}: {error}" for name, root in _xml_parts(REFERENCE).items()
              for error in order_errors(root)]
    assert errors == []


@pytest.fixture
def decision(example_notes: Path) -> Path:
    return example_notes / "border-decision.docx"


def test_word_opens_the_note_in_its_current_mode_not_compatibility_mode(decision: Path) -> None:
    settings = _xml_parts(decision)["word/settings.xml"]
    modes = [s.get(f"{{{W}}}val") for s in settings.iter(f"{{{W}}}compatSetting")
             if s.get(f"{{{W}}}name") == "compatibilityMode"]
    assert modes == ["15"]


def test_the_application_properties_name_briefgen(decision: Path) -> None:
    with zipfile.ZipFile(decision) as package:
        app = package.read("docProps/app.xml").decode()
        core = package.read("docProps/core.xml").decode()
    assert "<Application>briefgen</Application>" in app
    assert "Microsoft" not in app and "Macintosh" not in app and "Normal.dotm" not in app
    assert "lastPrinted" not in core
