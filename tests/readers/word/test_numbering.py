"""Word list numbering (extractor/readers/word/numbering.py): number formats, levels, styles and overrides, headings read as printed."""

from __future__ import annotations

import zipfile

import pytest

from extractor.readers.word.docx import docx_to_document
from tests.fixtures.generator.generate import OUT_DIR
from tests.fixtures.generator.render import (
    SECTION_HEADINGS,
)
from tests.helpers import W_NS, read_fixture, wml_docx, wml_tbl


def test_headings_numbered_by_word_lists_read_as_printed() -> None:
    with zipfile.ZipFile(OUT_DIR / "form2021_word_extras.docx") as zf:
        xml = zf.read("word/document.xml").decode()
    assert "一、总体情况" not in xml and "总体情况" in xml  # the numeral is not typed …
    texts = [b.text for b in read_fixture(OUT_DIR / "form2021_word_extras.docx").paragraphs]
    assert [t for t in texts if t in SECTION_HEADINGS] == list(SECTION_HEADINGS)  # … but printed
    assert [t[:5] for t in texts if t.startswith("（") and "文本框" not in t][:5] == [
        "（一）主动",
        "（二）依申",
        "（三）政府",
        "（四）平台",
        "（五）监督",
    ]


@pytest.mark.parametrize(
    ("n", "fmt", "printed"),
    [
        (1, "chineseCounting", "一"),
        (10, "chineseCounting", "十"),
        (11, "chineseCounting", "十一"),
        (20, "chineseCountingThousand", "二十"),
        (105, "chineseCounting", "一百零五"),
        (110, "chineseCounting", "一百一十"),
        (3, "chineseLegalSimplified", "叁"),
        (2, "ideographTraditional", "乙"),
        (3, "decimalEnclosedCircle", "③"),
        (12, "decimalFullWidth", "１２"),
        (4, "upperRoman", "IV"),
        (28, "lowerLetter", "bb"),
        (7, "decimal", "7"),
        (7, "somethingNew", "7"),
    ],
)
def test_number_formats(n: int, fmt: str, printed: str) -> None:
    from extractor.readers.word.numbering import format_number

    assert format_number(n, fmt) == printed


NUMBERING_XML = f"""<w:numbering xmlns:w="{W_NS}">
<w:abstractNum w:abstractNumId="1">
 <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>
 <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1.%2"/></w:lvl>
</w:abstractNum>
<w:abstractNum w:abstractNumId="2">
 <w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/><w:lvlText w:val="•"/></w:lvl>
</w:abstractNum>
<w:num w:numId="5"><w:abstractNumId w:val="1"/></w:num>
<w:num w:numId="6"><w:abstractNumId w:val="2"/></w:num>
<w:num w:numId="7"><w:abstractNumId w:val="1"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="3"/></w:lvlOverride></w:num>
</w:numbering>""".encode()


STYLES_XML = f"""<w:styles xmlns:w="{W_NS}">
<w:style w:type="paragraph" w:styleId="H1"><w:pPr><w:numPr><w:numId w:val="5"/></w:numPr></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="H1b"><w:basedOn w:val="H1"/></w:style>
</w:styles>""".encode()


DOC_RELS = (
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering" '
    b'Target="numbering.xml"/>'
    b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
    b'Target="styles.xml"/></Relationships>'
)


def numbered_p(text: str, num_id: str | None = None, ilvl: int = 0, style: str | None = None) -> str:
    numpr = f'<w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>' if num_id else ""
    pstyle = f'<w:pStyle w:val="{style}"/>' if style else ""
    return f"<w:p><w:pPr>{pstyle}{numpr}</w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>"


def test_list_numbering_by_direct_numpr_styles_levels_and_overrides() -> None:
    body = (
        numbered_p("总体情况", "5")
        + numbered_p("细项", "5", ilvl=1)
        + numbered_p("细项", "5", ilvl=1)
        + numbered_p("主动公开", style="H1b")  # numbering inherited through basedOn
        + numbered_p("细项", "5", ilvl=1)  # the deeper level restarted under the new heading
        + numbered_p("要点", "6")  # bullets print nothing here
        + numbered_p("不编号", "0")
        + numbered_p("", "5")  # an empty numbered paragraph still counts
        + numbered_p("第四", "5")
        + numbered_p("重新开始", "7")
        + wml_tbl([f"<w:tc>{numbered_p('单元格', '5', ilvl=1)}</w:tc>"])
    )
    extra = {
        "word/numbering.xml": NUMBERING_XML,
        "word/styles.xml": STYLES_XML,
        "word/_rels/document.xml.rels": DOC_RELS,
    }
    doc = docx_to_document(wml_docx(body, extra=extra))
    assert [p.text for p in doc.paragraphs] == [
        "一、总体情况",
        "一.1细项",  # %1 prints in level 0's own format, as Word does
        "一.2细项",
        "二、主动公开",
        "二.1细项",
        "要点",
        "不编号",
        "四、第四",
        "三、重新开始",
    ]
    assert doc.tables[0].cells[0].text == "四.1单元格"  # %1 keeps its level's own format
