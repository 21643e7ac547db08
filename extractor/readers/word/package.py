"""The DOCX package (an OPC zip): opened, checked and parsed safely before any reading.

Guards: a size cap on every part checked against the zip's declared sizes *and* while
decompressing (a lying header stops there), a cap on the archive's total and member count, no
DTDs or entities, libxml2's default depth limit. Encrypted OOXML (an OLE2 file) is recognised and
reported as password-protected.
"""

from __future__ import annotations

import logging
import posixpath
import re
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import PurePosixPath

from lxml import etree

from extractor.errors import ExtractionError
from extractor.readers.word.ole import OLE2_MAGIC, is_encrypted_ooxml

logger = logging.getLogger(__name__)

MAX_PART_BYTES = 50 * 1024 * 1024  # uncompressed document.xml; real reports are well under 5 MB
MAX_TOTAL_BYTES = 200 * 1024 * 1024  # all members together, as the zip declares them
MAX_MEMBERS = 5000
MAX_TABLE_DEPTH = 20  # tables nested deeper than this are hostile, not reports
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_DOC_REL = re.compile(r"/officeDocument$")
_DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"


class DocxError(ExtractionError):
    """The DOCX file cannot be read (damaged, hostile or not a Word document)."""


@dataclass(frozen=True, slots=True)
class DocxSettings:
    """Limits applied before and while parsing."""

    max_part_bytes: int = MAX_PART_BYTES
    max_total_bytes: int = MAX_TOTAL_BYTES
    max_members: int = MAX_MEMBERS
    max_table_depth: int = MAX_TABLE_DEPTH

    def __post_init__(self) -> None:
        if min(self.max_part_bytes, self.max_total_bytes, self.max_members, self.max_table_depth) <= 0:
            raise ValueError("DOCX limits must be positive")


def open_zip(data: bytes) -> zipfile.ZipFile:
    if data.startswith(OLE2_MAGIC):
        if is_encrypted_ooxml(data):
            raise DocxError("the document is password-protected; save an unprotected copy and read that")
        raise DocxError("the file is a Word 97 (DOC) or WPS file, not DOCX")
    try:
        return zipfile.ZipFile(BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise DocxError(
            f"the DOCX file is damaged or truncated (not a readable zip archive: {exc}); download it again"
        ) from exc


def check_sizes(zf: zipfile.ZipFile, settings: DocxSettings) -> None:
    infos = zf.infolist()
    if len(infos) > settings.max_members:
        raise DocxError(f"the DOCX archive holds {len(infos)} files, more than a document ever needs; not read")
    total = sum(i.file_size for i in infos)
    if total > settings.max_total_bytes:
        raise DocxError(
            f"the DOCX archive would unpack to {total / 2**20:.0f} MB (a zip bomb or not a report); not read"
        )


def main_part_name(zf: zipfile.ZipFile) -> str:
    """The main document part named by ``_rels/.rels`` (``word/document.xml`` in practice)."""
    names = set(zf.namelist())
    if "_rels/.rels" in names:
        try:
            rels = etree.fromstring(read_member(zf, "_rels/.rels", 1024 * 1024), _parser())
            for rel in rels.iter(f"{{{REL_NS}}}Relationship"):
                if OFFICE_DOC_REL.search(rel.get("Type", "")) and rel.get("TargetMode") != "External":
                    target = str(PurePosixPath("/") / rel.get("Target", "")).lstrip("/")
                    if target in names:
                        return target
        except (etree.XMLSyntaxError, DocxError):
            logger.debug("unreadable _rels/.rels; falling back to word/document.xml")
    if "word/document.xml" in names:
        return "word/document.xml"
    raise DocxError("the zip archive holds no Word document (no word/document.xml); it is not a DOCX file")


def read_member(zf: zipfile.ZipFile, name: str, limit: int) -> bytes:
    info = zf.getinfo(name)
    if info.file_size > limit:
        raise DocxError(
            f"{name} would unpack to {info.file_size / 2**20:.0f} MB, over the {limit / 2**20:.0f} MB limit "
            "(a zip bomb or not a report); not read"
        )
    if info.flag_bits & 0x1:
        raise DocxError("the DOCX archive is encrypted; save an unprotected copy and read that")
    try:
        with zf.open(info) as fh:
            content = fh.read(limit + 1)  # never trust the declared size alone
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
        raise DocxError(f"the DOCX file is damaged or truncated ({name}: {exc}); download it again") from exc
    if len(content) > limit:
        raise DocxError(f"{name} unpacks to more than {limit / 2**20:.0f} MB (a zip bomb); not read")
    return content


def _parser() -> etree.XMLParser:
    # no entities, no network, libxml2's default depth and size limits (huge_tree off)
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        load_dtd=False,
    )


def parse_xml(content: bytes, name: str) -> etree._Element:
    if b"<!DOCTYPE" in content[:2048] or b"<!ENTITY" in content[:65536]:
        raise DocxError(f"{name} declares a DTD or entities, which Word never writes; not read")
    try:
        return etree.fromstring(content, _parser())
    except etree.XMLSyntaxError as exc:
        raise DocxError(f"the Word document's XML is damaged or too deeply nested ({exc}); not read") from exc


def core_title(zf: zipfile.ZipFile) -> str | None:
    if "docProps/core.xml" not in zf.namelist():
        return None
    try:
        root = parse_xml(read_member(zf, "docProps/core.xml", 1024 * 1024), "docProps/core.xml")
    except DocxError:
        return None
    el = root.find(_DC_TITLE)
    text = (el.text or "").strip() if el is not None else ""
    return text or None


def part_relationships(zf: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """``part``'s internal relationships: id -> (type, target part name)."""
    folder = PurePosixPath(part).parent
    rels_name = str(folder / "_rels" / f"{PurePosixPath(part).name}.rels")
    out: dict[str, tuple[str, str]] = {}
    if rels_name not in zf.namelist():
        return out
    try:
        rels = parse_xml(read_member(zf, rels_name, 4 * 1024 * 1024), rels_name)
    except DocxError as exc:
        logger.debug("unreadable %s: %s", rels_name, exc)
        return out
    for rel in rels.iter(f"{{{REL_NS}}}Relationship"):
        if rel.get("TargetMode") != "External":
            target = posixpath.normpath(str(folder / rel.get("Target", ""))).lstrip("/")
            out[rel.get("Id", "")] = (rel.get("Type", ""), target)
    return out
