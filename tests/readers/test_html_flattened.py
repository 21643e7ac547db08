"""A table flattened into an HTML page's paragraphs reads as the text reader reads the same text."""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from extractor.pipeline import extract_bytes
from tests.helpers import REAL

TEXT_REPORTS = sorted(p.name for p in REAL.glob("*.txt"))


def _cells(ext) -> dict[str, tuple]:
    return {c["key"]: (c["value"], c["state"], c["raw"]) for c in ext.cells}


def _pages(text: str) -> dict[str, str]:
    lines = [html.escape(line) for line in text.splitlines() if line.strip()]
    return {
        "one <p> per line": "<html><body>" + "".join(f"<p>{x}</p>" for x in lines) + "</body></html>",
        "<br> between lines": "<html><body><div>" + "<br>".join(lines) + "</div></body></html>",
    }


@pytest.mark.parametrize("name", TEXT_REPORTS)
def test_flattened_text_in_html_reads_as_text(name: str):
    data = (REAL / name).read_bytes()
    as_text = extract_bytes(data, Path(name), name)
    assert as_text.report["status"] != "failed"  # some real reports give their figures in prose only
    for how, page in _pages(data.decode("utf-8")).items():
        as_html = extract_bytes(page.encode("utf-8"), Path("page.html"), "page.html")
        assert as_html.report["file_format"] == "html"
        assert as_html.report["status"] == as_text.report["status"], (name, how)
        assert _cells(as_html) == _cells(as_text), (name, how)


def test_the_seed_report_cell_per_line_reads_in_full():
    """Reported: 15 of 37 cells as HTML paragraphs, 37 as text."""
    data = (REAL / "000_xinjiang_yjglt_2019.txt").read_bytes()
    page = _pages(data.decode("utf-8"))["one <p> per line"]
    assert len(extract_bytes(page.encode("utf-8"), Path("p.html"), "p.html").cells) == 37
