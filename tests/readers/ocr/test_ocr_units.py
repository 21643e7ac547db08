"""OCR pieces that need no recogniser: deskew, rules to spanned grids, box splitting, digit look-alikes."""

from __future__ import annotations

import io
from pathlib import Path

import cv2
import numpy as np
import pytest

from extractor.readers.ocr.imaging import ImageSettings, estimate_skew, find_rulings, ink_contrast, rotate
from extractor.readers.ocr.page import OcrSettings
from extractor.readers.ocr.table import Piece, as_number, group_lines, line_text, split_boxes, table_layouts
from tests.helpers import FIXTURES

DPI = 150


def _table_image(merged: bool) -> np.ndarray:
    """A 3×3 ruled table on grey paper; with ``merged`` the first column's two lower cells are one."""
    img = np.full((600, 800), 228, np.uint8)
    xs, ys = (100, 300, 500, 700), (100, 160, 220, 280)
    for x in xs:
        cv2.line(img, (x, ys[0]), (x, ys[-1]), 30, 2)
    for y in ys:
        if merged and y == 220:
            cv2.line(img, (xs[1], y), (xs[-1], y), 30, 2)  # no rule under the merged cell
        else:
            cv2.line(img, (xs[0], y), (xs[-1], y), 30, 2)
    rng = np.random.default_rng(0)
    return np.clip(img + rng.normal(0, 6, img.shape), 0, 255).astype(np.uint8)


@pytest.mark.parametrize("angle", [0.6, -0.9])
def test_skew_is_measured_and_undone(angle: float) -> None:
    img = _table_image(False)
    h, w = img.shape
    tilted = cv2.warpAffine(img, cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0), (w, h), borderValue=228)
    assert estimate_skew(tilted, ImageSettings()) == pytest.approx(-angle, abs=0.1)


def test_rules_become_grid_with_spans() -> None:
    img = _table_image(True)
    rulings = find_rulings(ink_contrast(img, DPI, ImageSettings()), DPI, ImageSettings())
    (layout,) = table_layouts(rulings, DPI)
    assert (layout.n_rows, layout.n_cols) == (3, 3)
    spans = {(c.row, c.col): (c.rowspan, c.colspan) for c in layout.cells}
    assert spans[(1, 0)] == (2, 1)
    assert (2, 0) not in spans
    assert len(layout.cells) == 8


def test_deskewed_noisy_table_keeps_its_grid() -> None:
    img = _table_image(False)
    h, w = img.shape
    tilted = cv2.warpAffine(img, cv2.getRotationMatrix2D((w / 2, h / 2), 0.8, 1.0), (w, h), borderValue=228)
    straight = rotate(tilted, estimate_skew(tilted, ImageSettings()))
    (layout,) = table_layouts(find_rulings(ink_contrast(straight, DPI, ImageSettings()), DPI, ImageSettings()), DPI)
    assert (layout.n_rows, layout.n_cols, len(layout.cells)) == (3, 3, 9)


def test_text_box_over_a_rule_is_cut_into_cells() -> None:
    img = _table_image(False)
    (layout,) = table_layouts(find_rulings(ink_contrast(img, DPI, ImageSettings()), DPI, ImageSettings()), DPI)
    box = (250.0, 170.0, 350.0, 210.0)  # straddles the rule at x=300 in the second row
    per_cell, free = split_boxes([box, (10.0, 10.0, 90.0, 40.0)], [layout], DPI)
    assert free == [(10.0, 10.0, 90.0, 40.0)]
    cells = {layout.cells[c].col: pieces for (_, c), pieces in per_cell.items()}
    assert set(cells) == {0, 1}
    (left,), (right,) = cells[0], cells[1]
    assert left[2] < 300 < right[0]


def test_a_sliver_of_overflow_is_not_a_piece() -> None:
    img = _table_image(False)
    (layout,) = table_layouts(find_rulings(ink_contrast(img, DPI, ImageSettings()), DPI, ImageSettings()), DPI)
    per_cell, _ = split_boxes([(220.0, 170.0, 306.0, 210.0)], [layout], DPI)
    assert [layout.cells[c].col for (_, c) in per_cell] == [0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("o", "0"), ("1o", "10"), ("○", "0"), ("l2", "12"), ("24", "24"), ("规章", "规章"), ("oo.", "oo.")],
)
def test_digit_lookalikes_in_cells(text: str, expected: str) -> None:
    fixed, confidence = as_number(text, 0.9)
    assert fixed == expected
    assert confidence == (0.9 if fixed == text else pytest.approx(0.81))


def test_pieces_form_lines_and_join_without_cjk_spaces() -> None:
    pieces = [
        Piece((60, 0, 100, 20), "公开", 0.9),
        Piece((0, 2, 50, 22), "政府信息", 0.9),
        Piece((0, 30, 20, 50), "2019", 0.9),
        Piece((25, 30, 40, 50), "12", 0.9),
    ]
    assert [line_text(line) for line in group_lines(pieces)] == ["政府信息公开", "2019 12"]


def test_settings_are_validated() -> None:
    with pytest.raises(ValueError):
        OcrSettings(pdf_dpi=30)
    with pytest.raises(ValueError):
        ImageSettings(h_line_min=0)


def test_numbered_heading_comma_restored() -> None:
    from extractor.readers.ocr.page import _NUMBERED_HEADING

    assert (
        _NUMBERED_HEADING.sub(r"\1、", "四·政府信息公开行政复议、行政诉讼情况")
        == "四、政府信息公开行政复议、行政诉讼情况"
    )
    assert _NUMBERED_HEADING.sub(r"\1、", "2.其他法律行政法规禁止公开") == "2.其他法律行政法规禁止公开"


def test_sixteen_bit_tiff_frames_keep_their_range(tmp_path: Path) -> None:
    from PIL import Image

    from extractor.readers.image import image_pages

    ramp = (np.arange(200 * 300, dtype=np.uint16).reshape(200, 300) % 60000).astype(np.uint16)
    buf = io.BytesIO()
    Image.fromarray(ramp).save(buf, "TIFF", dpi=(200, 200))
    ((gray, dpi),) = image_pages(buf.getvalue())
    assert gray.dtype == np.uint8 and gray.min() == 0 and gray.max() == 255
    assert dpi == 200


def test_truncated_image_is_an_extraction_error() -> None:
    from extractor.errors import ExtractionError
    from extractor.readers.image import image_pages

    data = (FIXTURES / "scans" / "form2019_grid_p2_150.png").read_bytes()
    with pytest.raises(ExtractionError, match="image"):
        image_pages(data[: len(data) // 3])
