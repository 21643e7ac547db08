"""The rules on flattened renderings of known reports: what web archives and PDF-to-text tools make.

Each generated report (and the real PDF) is flattened to plain text the ways real dumps are — one
cell per line, ` | `-separated rows, space-separated rows, cells run together with no separator,
and pdfplumber's page text — and read by the text pipeline. Whatever is read must be right; where
the layout keeps every boundary, everything must be read.
"""

from __future__ import annotations

from pathlib import Path

import pdfplumber
import pytest
from lxml import html as lxml_html

from extractor.pipeline import extract_bytes
from extractor.readers.html import cell_text
from tests.helpers import GENERATED, HONGZE_PDF, gold_of

HTML_REPORTS = sorted(GENERATED.glob("*.html"))
PDF_REPORTS = [*sorted(GENERATED.glob("*.pdf")), HONGZE_PDF]


def flatten_html(path: Path, mode: str) -> str:
    root = lxml_html.document_fromstring(path.read_text(encoding="utf-8"))
    lines: list[str] = []
    for el in root.find("body").iter():
        if el.tag == "table":
            for tr in el.iter("tr"):
                cells = [cell_text(td).replace("\n", "") for td in tr if td.tag in ("td", "th")]
                if mode == "line":
                    lines += cells
                elif mode == "pipe":
                    lines.append(" | ".join(cells) + " |")
                elif mode == "space":
                    lines.append(" ".join(c for c in cells if c))
                else:
                    lines.append("".join(cells))
        elif el.tag == "p" and not any(a.tag == "table" for a in el.iterancestors()):
            lines.append(el.text_content())
    return "\n".join(lines)


def score(text: str, gold: dict) -> tuple[int, list, int]:
    ext = extract_bytes(text.encode("utf-8"), Path("flat.txt"), "flat.txt")
    got = {c["key"]: c["value"] for c in ext.cells}
    right, wrong, missed = 0, [], 0
    for key, want in gold["cells"].items():
        value = got.get(key)
        if want is None:
            if value is not None:
                wrong.append((key, want, value))
        elif value is None:
            missed += 1
        elif abs(value - want) < 1e-6:
            right += 1
        else:
            wrong.append((key, want, value))
    return right, wrong, missed


@pytest.mark.parametrize("mode", ["line", "pipe", "space", "run"])
@pytest.mark.parametrize("path", HTML_REPORTS, ids=lambda p: p.name)
def test_flattened_html_tables(path: Path, mode: str):
    gold = gold_of(path)
    right, wrong, missed = score(flatten_html(path, mode), gold)
    assert wrong == []
    numbers = sum(v is not None for v in gold["cells"].values())
    if mode == "run":  # digits run together: only what the form's arithmetic determines
        assert right / numbers >= 0.85
    else:
        assert missed == 0


@pytest.mark.parametrize("path", PDF_REPORTS, ids=lambda p: p.name)
def test_pdf_to_text_output_has_no_wrong_values(path: Path):
    with pdfplumber.open(path) as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
    right, wrong, missed = score(text, gold_of(path))
    assert wrong == []
    if path == HONGZE_PDF:
        # labels printed below their numbers (tall cells): rows placed by the form's row order
        assert (right, missed) == (179, 0)
