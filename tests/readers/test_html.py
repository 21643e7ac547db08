"""The HTML reader (extractor/readers/html.py) on real and hand-made pages: encodings, spans, chrome, hostile input."""

from pathlib import Path

import pytest

from extractor.errors import ExtractionError
from extractor.model import Paragraph, Table
from extractor.readers.html import read_html

PAGE = """<html><head>{meta}<title>2020年某某局政府信息公开工作年度报告</title></head><body>
<div class="nav"><a href="/">首页</a><a href="/a">机构</a><a href="/b">公开</a></div>
<p>一、总体情况</p><p>本局认真落实《条例》。</p>
<table border="1"><tr><td rowspan="2">信息内容</td><td colspan="2">本年新制作数量</td></tr>
<tr><td>1<span>2</span></td><td>&nbsp;</td></tr></table>
<div id="footer">版权所有 某某局</div>
<ul class="list"><li><a href="1">相关链接一</a></li><li><a href="2">相关链接二</a></li><li><a href="3">三</a></li></ul>
</body></html>"""


def test_gbk_page_without_charset_is_decoded():
    data = PAGE.format(meta="").encode("gbk")
    doc = read_html(data, Path("page.html"))
    texts = [b.text for b in doc.blocks if isinstance(b, Paragraph)]
    assert "一、总体情况" in texts
    assert doc.title == "2020年某某局政府信息公开工作年度报告"


def test_declared_gb2312_read_as_gb18030():
    # 镕 is outside GB2312 but inside GB18030, as on real pages that declare gb2312
    data = PAGE.format(meta='<meta charset="gb2312">').replace("本局", "朱镕基").encode("gb18030")
    doc = read_html(data, Path("page.html"))
    assert any("朱镕基" in b.text for b in doc.paragraphs)


def test_chrome_is_left_out_and_table_spans_kept():
    doc = read_html(PAGE.format(meta='<meta charset="utf-8">').encode(), Path("p.html"))
    all_text = " ".join(b.text for b in doc.paragraphs)
    assert "首页" not in all_text and "版权所有" not in all_text and "相关链接" not in all_text
    (table,) = doc.tables
    assert isinstance(table, Table)
    assert table.rows_text() == [["信息内容", "本年新制作数量"], ["12", ""]]  # 1<span>2</span> is one number
    assert table.cell_at(1, 0).text == "信息内容"
    assert table.prov.locator.startswith("/html/body/table")


def test_word_export_breaks_become_one_label():
    html = '<table><tr><td><p align="center">本年新<br />制作数量</p></td><td>3</td></tr></table>'
    doc = read_html(f"<html><body>{html}</body></html>".encode(), Path("w.html"))
    assert doc.tables[0].rows_text()[0] == ["本年新\n制作数量", "3"]


def test_truncated_html_is_read_as_far_as_it_goes():
    data = PAGE.format(meta="").encode()[:420]
    doc = read_html(data, Path("t.html"))
    assert any(b.text == "一、总体情况" for b in doc.paragraphs)


def test_deeply_nested_markup_fails_cleanly():
    """lxml keeps no text nested thousands of elements deep: the page is refused with an
    ExtractionError (one failed row), never a RecursionError; 200 levels are still read."""

    def nested(depth: int) -> bytes:
        return ("<html><body>" + "<div>" * depth + "一、总体情况" + "</div>" * depth + "</body></html>").encode()

    with pytest.raises(ExtractionError, match=r"the HTML page has no (visible )?text"):
        read_html(nested(5000), Path("deep.html"))
    assert [p.text for p in read_html(nested(200), Path("deep.html")).paragraphs] == ["一、总体情况"]


def test_empty_html_is_an_error():
    with pytest.raises(ExtractionError, match="empty"):
        read_html(b"   ", Path("e.html"))
    with pytest.raises(ExtractionError, match="no text to read"):
        read_html(b"<html><body><script>x()</script></body></html>", Path("s.html"))


def test_real_html_report_tables(real_dir):
    doc = read_html((real_dir / "004_shanghai_govoffice_2019.html").read_bytes(), Path("x.html"))
    assert len(doc.tables) == 3
    requests = doc.tables[1]
    assert requests.rows_text()[3][:3] == ["一、本年新收政府信息公开申请数量", "821", "35"]
    # the merged 三、本年度办理结果 label covers many slots but is one cell
    label = next(c for c in requests.cells if c.text == "三、本年度办理结果")
    assert label.rowspan > 10
