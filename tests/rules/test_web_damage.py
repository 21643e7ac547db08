"""The messy web (issue 13): PDF-to-text layouts of section 四, cells with remarks, signed numbers run
together, page marks and mirror sites in the metadata, section 五's heading split by a page break.

Every fixture is a made-up report from the fixture generator's values, damaged by
:mod:`tests.fixtures.webtext`; each kind is tested on at least two variants (both forms, different
values), and the tests assert the exact cells.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from extractor.pipeline import Extraction, extract_bytes
from tests.fixtures.generator.values import ValuesSpec, derive_values, gold_value
from tests.fixtures.webtext import REVIEW_LAYOUTS, Damage, report_text

AGENCIES = {"2019": "某省某市交通运输局", "2021": "某县某镇人民政府"}
YEARS = {"2019": 2020, "2021": 2023}


def read(text: str) -> Extraction:
    return extract_bytes(text.encode("utf-8"), Path("page.txt"), "page.txt")


def values_of(ext: Extraction) -> dict[str, float | None]:
    return {c["key"]: c["value"] for c in ext.cells}


def expected(values: ValuesSpec, prefix: str = "") -> dict[str, float | None]:
    return {k: gold_value(v) for k, v in values.items() if k.startswith(prefix)}


def fixture(version: str, seed: int, damage: Damage) -> tuple[ValuesSpec, Extraction]:
    values, _ = derive_values(version, seed)
    return values, read(report_text(version, AGENCIES[version], YEARS[version], values, damage))


@pytest.mark.parametrize("heading4", [True, False], ids=["heading", "no-heading"])
@pytest.mark.parametrize("layout", REVIEW_LAYOUTS)
@pytest.mark.parametrize(("version", "seed"), [("2019", 3), ("2021", 7)])
def test_section4_from_pdf_text_layouts(version: str, seed: int, layout: str, heading4: bool):
    values, ext = fixture(version, seed, Damage(review=layout, heading4=heading4))
    got = values_of(ext)
    assert {k: got.get(k) for k in expected(values, "review.")} == expected(values, "review.")
    assert {k: v for k, v in got.items() if k.startswith("requests.")} == expected(values, "requests.")


def test_section4_header_alone_is_not_enough():
    """Numbers after words that merely mention 行政复议 are not section 四's cells."""
    text = (
        "某局2022年政府信息公开工作年度报告\n一、总体情况\n本年共收到申请12件。\n"
        "行政复议 行政诉讼\n全年未发生行政复议 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15\n"
    )
    assert not [c for c in read(text).cells if c["table"] == "review"]


REMARKS = [
    (
        "2021",
        11,
        {
            "active.normative_documents.issued": "（其中修订 {n} 件）",
            "active.regulations.in_force": "（含自然失效{n}件）",
        },
    ),
    (
        "2019",
        12,
        {"active.regulations.made": "(其中新制定{n}件)", "requests.granted.natural_person": "（含部分转办 {n} 件）"},
    ),
]


@pytest.mark.parametrize("layout", ["space", "grid"])
@pytest.mark.parametrize(("version", "seed", "remarks"), REMARKS, ids=["2021", "2019"])
def test_cell_remarks_go_to_the_note(version: str, seed: int, remarks: dict[str, str], layout: str):
    """``16（其中修订 16 件）``: the cell is 16; the remark's numbers are in the note, never cells."""
    values, _ = derive_values(version, seed)
    printed = {k: r.format(n=int(values[k] or 0) + 3) for k, r in remarks.items()}
    text = report_text(version, AGENCIES[version], YEARS[version], values, Damage(remarks=printed))
    ext = read(text) if layout == "space" else read_html(text)
    got = values_of(ext)
    assert {k: v for k, v in got.items() if k.startswith(("active.", "requests."))} == expected(
        values, "active."
    ) | expected(values, "requests.")
    notes = {c["key"]: c["note"] for c in ext.cells}
    for key, remark in printed.items():
        assert remark in notes[key]


def read_html(text: str) -> Extraction:
    """The same report as an HTML page whose tables are grids (one cell per space-separated field)."""
    body = []
    for line in text.splitlines():
        fields = re.findall(r"(?:[^\s（(]|[（(][^）)]*[）)])+", line)
        if len(fields) > 1 and any(f[:1].isdigit() for f in fields):
            body.append("<table><tr>" + "".join(f"<td>{html.escape(f)}</td>" for f in fields) + "</tr></table>")
        else:
            body.append(f"<p>{html.escape(line)}</p>")
    page = f"<html><head><meta charset='utf-8'></head><body>{''.join(body)}</body></html>"
    return extract_bytes(page.encode("utf-8"), Path("page.html"), "page.html")


@pytest.mark.parametrize(
    ("seed", "row", "printed"),
    [(21, "penalty", (2648, -185, 38)), (22, "licensing", (126, -12, 5))],
    ids=["penalty", "licensing"],
)
def test_minus_inside_a_digit_run_is_a_cut_point(seed: int, row: str, printed: tuple[int, int, int]):
    """``2648-18538`` is 2648 | −185 | 38 or another cut after the minus, never −18538: the cells the
    readings agree on are kept, the others left out with a warning; no wrong value."""
    values, _ = derive_values("2019", seed)
    for col, n in zip(("prior_items", "change", "decisions"), printed, strict=True):
        values[f"active.{row}.{col}"] = n
    ext = read(report_text("2019", AGENCIES["2019"], YEARS["2019"], values, Damage(runs=(row,))))
    got = values_of(ext)
    want = expected(values, "active.")
    assert {k: v for k, v in got.items() if k.startswith("active.")} == {
        k: v for k, v in want.items() if k not in (f"active.{row}.change", f"active.{row}.decisions")
    }
    assert any(f"active.{row}" in w["message"] and "several ways" in w["message"] for w in ext.warnings)


META = [("2019", 31, "某市某区信访局"), ("2021", 32, "某自治州某县人民政府办公室")]


def meta(ext: Extraction) -> tuple[str | None, int | None, str | None]:
    return ext.report["agency"], ext.report["report_year"], ext.report["format_version"]


@pytest.mark.parametrize(
    "damage",
    [
        Damage(page_mark=True),
        Damage(ocr_mark=True),
        Damage(mirror="s2t"),
        Damage(mirror="s2twp"),
        Damage(mirror="s2t", page_mark=True, ocr_mark=True, review="chars"),
    ],
    ids=["page-mark", "ocr-mark", "mirror", "mirror-tw", "all"],
)
@pytest.mark.parametrize(("version", "seed", "agency"), META, ids=["2019", "2021"])
def test_metadata_and_cells_through_page_marks_ocr_marks_and_mirrors(
    version: str, seed: int, agency: str, damage: Damage
):
    values, _ = derive_values(version, seed)
    ext = read(report_text(version, agency, YEARS[version], values, damage))
    assert meta(ext) == (agency, YEARS[version], version)
    assert values_of(ext) == expected(values)
    assert ext.report["publish_date"] == f"{YEARS[version] + 1}-01-20"


@pytest.mark.parametrize(("version", "seed", "agency"), META, ids=["2019", "2021"])
def test_page_header_on_the_line_before_the_title(version: str, seed: int, agency: str):
    """``Page8-威海市…`` as a running header above a title that names no agency."""
    values, _ = derive_values(version, seed)
    text = report_text(version, agency, YEARS[version], values)
    text = text.replace(f"{agency}{YEARS[version]}年", f"Page 2 - {agency}\n{YEARS[version]}年", 1)
    text = "".join(text.rsplit(f"{agency}\n", 1))  # no signature to fall back on
    assert meta(read(text)) == (agency, YEARS[version], version)


@pytest.mark.parametrize(("year", "form"), [(2020, "2019"), (2021, "2021"), (2024, "2021")])
@pytest.mark.parametrize("mirrored", ["s2t", "s2twp", ""], ids=["mirror", "mirror-tw", "plain"])
def test_partial_page_takes_the_form_of_its_year(year: int, form: str, mirrored: str):
    """A page with the introduction and section 一 only (no tables): the year decides the form."""
    values, _ = derive_values(form, year)
    text = report_text(form, "某市生态环境局", year, values, Damage(mirror=mirrored))
    intro = re.search("[认認]真做好", text)
    assert intro is not None
    partial = text[: text.index("\n", intro.end()) + 1]
    assert "二、" not in partial and "二、" in text
    ext = read(partial)
    assert meta(ext) == ("某市生态环境局", year, form)
    assert ext.cells == []


def test_before_2019_is_legacy_whatever_the_page():
    values, _ = derive_values("2019", 1)
    text = report_text("2019", "某市生态环境局", 2017, values, Damage(mirror="s2t"))
    assert meta(read(text[: text.index("二、")]))[2] == "legacy"


def test_pinyin_words_stay_when_they_are_not_injections():
    """Only bracketed lower-case syllables with tone marks are a mirror's pinyin."""
    from rules.clean import strip_pinyin

    assert strip_pinyin("政府信息公开（zhèng fǔ xìn xī gōng kāi）工作") == "政府信息公开工作"
    assert strip_pinyin("年度报告(nián dù bào gào)") == "年度报告"
    assert strip_pinyin("附件(pdf)与网站(ICP)") == "附件(pdf)与网站(ICP)"


@pytest.mark.parametrize("page_mark", [False, True], ids=["dash-footer", "p-footer"])
@pytest.mark.parametrize("cut", [4, 7, 9])
def test_section5_heading_split_by_a_page_break(cut: int, page_mark: bool):
    """``五、存在的`` / footer / running header / ``主要问题及改进情况``: section 五 is found, its
    heading joined, and its text is the body after the heading (not the page furniture)."""
    values, _ = derive_values("2021", cut)
    ext = read(report_text("2021", "某区某局", 2022, values, Damage(split_heading5=cut, page_mark=page_mark)))
    five = next(s for s in ext.sections if s["number"] == 5)
    assert five["heading"] == "五、存在的主要问题及改进情况"
    assert five["text"] == "存在的主要问题及改进情况的有关情况。"
    assert values_of(ext) == expected(values)


def test_brackets_that_are_not_remarks():
    """List numbering run into the digits before it, and a unit in brackets, are not remarks."""
    from extractor.model import Provenance
    from rules.stream import tokenize_chunk

    def tokens(text: str) -> list[tuple[str, str, str | None]]:
        return [(t.kind.value, t.text, t.remark) for t in tokenize_chunk(text, Provenance())]

    assert tokens("1000001（三）不予公开") == [("value", "1000001", None), ("label", "（三）不予公开", None)]
    assert tokens("251000（元）") == [("value", "251000", None), ("label", "（元）", None)]
    assert tokens("470（含自然失效29件）") == [("value", "470", "（含自然失效29件）")]


def test_a_simplified_page_with_a_few_traditional_looking_characters_is_not_folded():
    from rules.clean import is_traditional

    assert not is_traditional("吉林省乾安县人民政府2021年政府信息公开工作年度报告。乾安县於是著力推进。")
    assert is_traditional("乾安縣人民政府2021年政府信息公開工作年度報告")


def test_page_lines_and_prefixes_inside_a_paragraph():
    from extractor.model import Document, FileFormat, Paragraph
    from rules.clean import clean_document

    doc = Document((Paragraph("Page3-某市某局\n正文一\nP. 3\n正文二"), Paragraph("第 4 页 共 9 页")), FileFormat.HTML)
    cleaned, notes = clean_document(doc)
    assert [b.text for b in cleaned.blocks] == ["某市某局\n正文一\n正文二"] and notes == []


@pytest.mark.parametrize(("version", "seed"), [("2019", 41), ("2021", 42)])
def test_section4_grid_without_its_heading(version: str, seed: int):
    """An HTML page whose section 四 table has lost its heading: the grid is found by its header."""
    values, _ = derive_values(version, seed)
    text = report_text(version, AGENCIES[version], YEARS[version], values, Damage(heading4=False))
    header = "行政复议 行政诉讼"
    before, after = text.split(header + "\n", 1)
    rows, rest = after.split("\n", 3)[:3], after.split("\n", 3)[3]
    grid = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row.split(" ")) + "</tr>" for row in [header, *rows]
    )
    page = "".join(f"<p>{html.escape(line)}</p>" for line in before.splitlines())
    page += f"<table>{grid}</table>" + "".join(f"<p>{html.escape(line)}</p>" for line in rest.splitlines())
    ext = extract_bytes(f"<html><body>{page}</body></html>".encode(), Path("p.html"), "p.html")
    got = values_of(ext)
    assert {k: got.get(k) for k in expected(values, "review.")} == expected(values, "review.")


@pytest.mark.parametrize(("version", "last"), [("2021", "in_force"), ("2019", "total_published")])
def test_a_remark_belongs_to_the_last_cell_cut_from_its_digits(version: str, last: str):
    values, _ = derive_values(version, 5)
    first, second = ("issued", "repealed") if version == "2021" else ("made", "published")
    values.update({f"active.regulations.{c}": 0 for c in (first, second, last)})
    damage = Damage(runs=("regulations",), remarks={f"active.regulations.{last}": "（含自然失效2件）"})
    ext = read(report_text(version, AGENCIES[version], YEARS[version], values, damage))
    notes = {c["key"]: c["note"] for c in ext.cells if c["key"].startswith("active.regulations.")}
    assert values_of(ext)[f"active.regulations.{last}"] == 0
    assert ["（含自然失效2件）" in (notes[f"active.regulations.{c}"] or "") for c in (first, second, last)] == [
        False,
        False,
        True,
    ]


def test_review_header_with_units_and_interleaved_cells():
    from rules.sections import find_review_header

    lines = [
        "（本节单位：件）",
        "行政复议情况 行政诉讼情况",
        "结 结 其 尚 总 未经复议直接起诉 复议后起诉",
        "果 果 他 未 计（件）",
        "维 纠 结 审 结 结 其 尚 总 结 结 其 尚 总",
        "持 正 果 结 果 果 他 未 计 果 果 他 未 计",
        "维 纠 结 审 维 纠 结 审",
        "持 正 果 结 持 正 果 结",
        "0 1 0 0 1 0 0 0 0 0 0 0 0 0 0",
    ]
    text = "\n".join(lines) + "\n"
    assert find_review_header(text) == (text.index("行政复议"), text.index("0 1 0"))
    assert find_review_header(text.replace("维", "")) is None  # not every outcome word of every group
