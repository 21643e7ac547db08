"""OCR pieces that need no recogniser: deskew, rules to spanned grids, ink in cells (blank, dash, lines),
seal drop-out, recognition batches, digit look-alikes."""

from __future__ import annotations

import io
import itertools
from pathlib import Path

import cv2
import numpy as np
import pytest

from extractor.readers.layout.primitives import Ruling
from extractor.readers.ocr.cells import Ink, cell_crop, cell_ink, cut_lines, ink_lines, is_dash
from extractor.readers.ocr.imaging import (
    ImageSettings,
    colourfulness,
    drop_stamp,
    estimate_skew,
    find_rulings,
    ink_contrast,
    rotate,
    to_gray,
)
from extractor.readers.ocr.page import OcrSettings
from extractor.readers.ocr.table import Piece, as_number, cell_borders, group_lines, line_text, table_layouts
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


def _layout_and_contrast(img: np.ndarray) -> tuple[object, np.ndarray]:
    contrast = ink_contrast(img, DPI, ImageSettings())
    (layout,) = table_layouts(find_rulings(contrast, DPI, ImageSettings()), DPI)
    return layout, contrast


def _cell(layout: object, row: int, col: int) -> tuple[float, float, float, float]:
    return next(c.bbox for c in layout.cells if (c.row, c.col) == (row, col))  # type: ignore[attr-defined]


def test_blank_is_a_cell_without_ink_once_specks_and_rule_remnants_are_gone() -> None:
    img = _table_image(False)
    rng = np.random.default_rng(1)
    for y, x in zip(rng.integers(165, 215, 12), rng.integers(310, 490, 12), strict=True):
        cv2.circle(img, (int(x), int(y)), 1, 90, -1)  # specks and dust in cell (1, 1)
    cv2.line(img, (303, 170), (303, 210), 150, 1)  # a faint remnant of the rule at x=300
    cv2.putText(img, "0", (590, 205), cv2.FONT_HERSHEY_SIMPLEX, 0.6, 20, 2)  # a lone 0 in cell (1, 2)
    layout, contrast = _layout_and_contrast(img)
    assert cell_ink(contrast, _cell(layout, 1, 1), DPI) == []
    (zero,) = cell_ink(contrast, _cell(layout, 1, 2), DPI)
    assert 585 <= zero.x0 and zero.x1 <= 610


def test_a_thin_stroke_is_a_dash_and_lines_split_at_their_gaps() -> None:
    img = _table_image(False)
    cv2.line(img, (380, 190), (420, 190), 20, 2)  # a dash in cell (1, 1)
    cv2.putText(img, "12", (560, 188), cv2.FONT_HERSHEY_SIMPLEX, 0.5, 20, 1)  # two lines in cell (1, 2)
    cv2.putText(img, "34", (560, 212), cv2.FONT_HERSHEY_SIMPLEX, 0.5, 20, 1)
    layout, contrast = _layout_and_contrast(img)
    dash = cell_ink(contrast, _cell(layout, 1, 1), DPI)
    assert [is_dash(line, DPI) for line in ink_lines(dash, 12.0)] == [True]
    lines = ink_lines(cell_ink(contrast, _cell(layout, 1, 2), DPI), 12.0)
    assert len(lines) == 2 and not any(is_dash(line, DPI) for line in lines)


def test_fused_strokes_across_one_rule_are_no_cell_border() -> None:
    h = [Ruling(0.0, y, 600.0, y) for y in (100.0, 130.0, 160.0)]
    rule = Ruling(300.0, 100.0, 300.0, 160.0)  # meets all three horizontal rules
    fused = Ruling(450.0, 106.0, 450.0, 154.0)  # strokes of two rows joined through the middle rule
    overshoot = Ruling(150.0, 100.0, 150.0, 175.0)  # runs on into text below the table
    kept = {r.x0: (r.top, r.bottom) for r in cell_borders([*h, rule, fused, overshoot], DPI) if not r.horizontal}
    assert kept == {300.0: (100.0, 160.0), 150.0: (100.0, 160.0)}


def test_broken_vertical_rule_is_joined() -> None:
    h = [Ruling(0.0, y, 600.0, y) for y in (100.0, 200.0)]
    pieces = [Ruling(300.0, 100.0, 300.0, 140.0), Ruling(301.0, 143.0, 301.0, 200.0)]
    (joined,) = [r for r in cell_borders([*h, *pieces], DPI) if not r.horizontal]
    assert (joined.top, joined.bottom) == (100.0, 200.0)


def test_a_red_seal_drops_out_of_the_grey() -> None:
    bgr = np.full((40, 40, 3), 230, np.uint8)
    bgr[5:15, 5:15] = (40, 40, 210)  # red ink (BGR)
    bgr[25:35, 25:35] = 20  # black print
    gray = to_gray(bgr)
    assert gray[10, 10] >= 200 and gray[30, 30] <= 30


def test_recognition_batches_hold_like_widths_within_a_budget() -> None:
    from extractor.readers.ocr.engine import REC_HEIGHT, _batches, _width

    ratios = [1.0, 0.6, 12.0, 1.4, 30.0, 0.9] * 10
    batches = _batches(ratios, 1200)
    assert sorted(i for b in batches for i in b) == list(range(len(ratios)))
    assert any(len(b) > 1 for b in batches)
    for b in batches:
        assert len(b) == 1 or max(_width(ratios[i]) for i in b) * len(b) <= 1200
    assert [len(b) for b in _batches(ratios, 0)] == [1] * len(ratios)
    assert (_width(0.6), _width(1.0), _width(1.4), _width(12.0)) == (
        REC_HEIGHT,
        REC_HEIGHT,
        2 * REC_HEIGHT,
        12 * REC_HEIGHT,
    )


def test_hard_swish_is_fused_into_one_gate_with_the_same_values() -> None:
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    from onnx import TensorProto, helper

    from extractor.readers.ocr.engine import fuse_hard_swish

    def const(name: str, value: float) -> object:
        return helper.make_node("Constant", [], [name], value=helper.make_tensor(name, TensorProto.FLOAT, [1], [value]))

    nodes = [
        const("three", 3.0),
        const("zero", 0.0),
        const("six", 6.0),
        helper.make_node("Add", ["x", "three"], ["a"]),
        helper.make_node("Clip", ["a", "zero", "six"], ["c"]),
        helper.make_node("Mul", ["x", "c"], ["m"]),
        helper.make_node("Div", ["m", "six"], ["y"]),
    ]
    io = [helper.make_tensor_value_info(n, TensorProto.FLOAT, [1, 9]) for n in ("x", "y")]
    model = helper.make_model(
        helper.make_graph(nodes, "hs", [io[0]], [io[1]]), opset_imports=[helper.make_opsetid("", 12)]
    )
    x = np.array([[-5, -3, -1.5, -0.5, 0, 0.5, 1.5, 3, 5]], np.float32)
    before = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
    assert fuse_hard_swish(model) == 1
    onnx.checker.check_model(model)
    assert [n.op_type for n in model.graph.node] == ["HardSigmoid", "Mul"]
    after = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
    np.testing.assert_allclose(after, before, atol=1e-6)
    np.testing.assert_allclose(after[0], [0, 0, -0.375, -0.208333, 0, 0.291667, 1.125, 3, 5], atol=1e-5)


@pytest.mark.parametrize(
    ("text", "expected", "confidence"),
    [
        ("o", "0", 0.81),
        ("1o", "10", 0.81),
        ("○", "0", 0.81),
        ("。", "0", 0.81),  # a lone 0 read as a full stop
        ("l2", "12", 0.81),
        ("24", "24", 0.9),
        ("规章", "规章", 0.9),
        ("oo.", "oo.", 0.0),  # letters and a dot: no reading of the cell
        ("Qo", "Qo", 0.0),  # letters alone: no reading of the cell
        ("Q", "Q", 0.0),
        ("VLO", "VLO", 0.0),
        ("N/A", "N/A", 0.9),
        ("'0", "0", 0.81),  # a speck beside the number
        ("3.", "3.", 0.9),  # a label's numbering, the rest of the label unread: not a number
        ("4054.11", "4054.11", 0.9),
        ("-2", "-2", 0.9),
    ],
)
def test_digit_lookalikes_in_cells(text: str, expected: str, confidence: float) -> None:
    fixed, conf = as_number(text, 0.9)
    assert fixed == expected
    assert conf == pytest.approx(confidence)


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


def test_an_unreadable_cell_is_left_out_with_its_place_never_blank() -> None:
    from extractor.model import UNREADABLE, Provenance
    from extractor.readers.grid import RawCell, build_table
    from rules.stream import Kind, Row, grid_tokens
    from rules.tables import map_active

    def cell(text: str, x: float) -> RawCell:
        return RawCell(text, 1, 1, Provenance(page=3, bbox=(x, 100.0, x + 40, 120.0)), 0.9)

    table = build_table([[cell("行政事业性收费", 0), cell(UNREADABLE, 100), cell("", 140)]], Provenance(page=3))
    tokens = list(grid_tokens(table, "ocr"))
    assert [(t.kind, t.text) for t in tokens] == [
        (Kind.LABEL, "行政事业性收费"),
        (Kind.VALUE, UNREADABLE),
        (Kind.VALUE, ""),
        (Kind.ROW_END, ""),
    ]
    res = map_active([Row("行政事业性收费", (), tuple(tokens[1:3]))], "2019", 10000.0)
    assert {c.key: (c.value, c.state) for c in res.cells} == {"active.fees.change": (None, "blank")}
    assert any(
        w.startswith("active.fees.prior_items: the cell holds ink OCR could not read (page 3, bbox (100.0,")
        for w in res.warnings
    )


def test_section_4_header_rows_of_unreadable_labels_are_no_value_row() -> None:
    from extractor.model import UNREADABLE, Provenance
    from rules.stream import Kind, Row, Token
    from rules.tables import map_review

    def value(text: str) -> Token:
        return Token(Kind.VALUE, text, Provenance(page=2, bbox=(0.0, 0.0, 1.0, 1.0)), "ocr", confidence=0.9)

    numbers = [str(v) for v in (1, 5, 3, 3, 12, 1, 0, 3, 3, 7, 1, 1, 3, 0, 5)]
    rows = [
        Row("行政复议", (), (value(""),)),
        Row("起诉", (), (value(UNREADABLE), value(UNREADABLE))),  # header labels OCR could not read
        Row("总计", (), tuple(value(v) for v in numbers)),
    ]
    res = map_review(rows, "2021")
    assert [c.raw for c in res.cells] == numbers
    assert res.cells[0].key == "review.admin_review.upheld"


def _ruled_rows(rule: int) -> tuple[np.ndarray, tuple[int, ...]]:
    """Grey paper with six tight table rows (rules 30 px apart at 150 dpi), framed left and right."""
    img = np.full((400, 700), 228, np.uint8)
    xs, ys = (100, 600), tuple(range(100, 281, 30))
    for y in ys:
        cv2.line(img, (xs[0], y), (xs[1], y), rule, 2)
    for x in xs:
        cv2.line(img, (x, ys[0]), (x, ys[-1]), rule, 2)
    return img, ys


def _grid(img: np.ndarray) -> tuple[int, int, int]:
    (layout,) = table_layouts(find_rulings(ink_contrast(img, DPI, ImageSettings()), DPI, ImageSettings()), DPI)
    return layout.n_rows, layout.n_cols, len(layout.cells)


def test_character_strokes_fused_across_rows_are_no_rule() -> None:
    """The vertical strokes of like characters (two strokes side by side, as in 行) in successive rows
    blur into dark runs through the rules between them: as dark as a rule, but as wide as the
    character's strokes, so no cell border."""
    img, ys = _ruled_rows(60)
    for top, bottom in itertools.pairwise(ys[1:5]):
        for x in (350, 355):
            cv2.rectangle(img, (x, top - 3), (x + 1, bottom - 3), 40, -1)  # through the rule above
    img = cv2.GaussianBlur(img, (5, 5), 1.2)
    assert _grid(img) == (6, 1, 6)


def test_a_faded_stretch_of_a_column_rule_still_parts_the_cells() -> None:
    """On a page whose rules all came out faint, a column rule printed like the others in the top
    rows and fainter still lower down (fainter than the fixed threshold for vertical runs, but on the
    line of the clear stretch) is one rule from top to bottom."""
    img, ys = _ruled_rows(160)
    cv2.line(img, (350, ys[0]), (350, ys[2]), 160, 2)
    cv2.line(img, (350, ys[2]), (350, ys[-1]), 185, 2)
    img = cv2.GaussianBlur(img, (3, 3), 0.8)
    assert _grid(img) == (6, 2, 12)


def test_a_rule_broken_near_the_frame_still_meets_it() -> None:
    """A break in each row rule a little before the table's right frame leaves a piece shorter than
    a rule: the rule is followed past the break to the frame, so the last column stays."""
    img, ys = _ruled_rows(60)
    cv2.line(img, (350, ys[0]), (350, ys[-1]), 60, 2)
    for y in ys:
        img[y - 2 : y + 3, 556:560] = 228  # a break 40 px before the frame
    assert _grid(cv2.GaussianBlur(img, (3, 3), 0.8)) == (6, 2, 12)


def test_a_faint_thin_digit_is_one_piece_of_ink_and_a_minus_beside_it_is_kept() -> None:
    img = _table_image(False)
    cv2.putText(img, "2", (585, 205), cv2.FONT_HERSHEY_SIMPLEX, 0.7, 140, 1)  # faint, 1 px strokes
    cv2.line(img, (577, 197), (582, 197), 110, 1)  # a minus sign just left of it, level with its middle
    cv2.circle(img, (450, 180), 1, 150, -1)  # a speck in cell (1, 1)
    blurred = cv2.GaussianBlur(img, (0, 0), 0.8)
    layout, contrast = _layout_and_contrast(blurred)
    assert cell_ink(contrast, _cell(layout, 1, 1), DPI) == []
    ink = sorted(cell_ink(contrast, _cell(layout, 1, 2), DPI), key=lambda c: c.x0)
    assert len(ink) == 2
    minus, two = ink
    assert minus.x1 <= 584 and two.x0 >= 585 and two.bottom - two.top >= 14
    assert ink_lines(ink, 14.0) == [ink]  # one line: read in one crop


def test_stamp_ink_drops_out_of_the_cells_and_print_under_it_stays() -> None:
    bgr = np.full((60, 60, 3), 228, np.uint8)
    bgr[10:12, 5:55] = (90, 85, 160)  # a thin seal stroke: JPEG left it dark in red as well
    bgr[30:40, 20:23] = (25, 20, 60)  # print under the seal
    contrast = ink_contrast(to_gray(bgr), DPI, ImageSettings())
    assert contrast[11, 30] >= 45  # as dark as faint print in the grey
    clean = drop_stamp(contrast, colourfulness(bgr))
    assert clean[11, 30] == 0 and clean[35, 21] == contrast[35, 21] > 150
    assert drop_stamp(contrast, colourfulness(to_gray(bgr))) is contrast  # a grey scan has no stamp ink


def test_two_close_lines_in_one_component_are_cut_apart_and_far_runs_read_apart() -> None:
    # one component 40 rows tall whose dark rows thin out in the middle: two lines touching there
    dark = (10,) * 18 + (2, 1, 2) + (10,) * 19
    tall = Ink(0, 100, 30, 140, dark)
    above, below = cut_lines(tall, 18.0)
    assert (above.top, above.bottom, below.top, below.bottom) == (100, 119, 119, 140)
    label, number = Ink(0, 100, 60, 118), Ink(200, 101, 220, 118)
    assert ink_lines([label, number], 18.0) == [[label], [number]]


def test_a_cell_crop_holds_only_the_cell() -> None:
    page = np.full((100, 100), 255, np.uint8)
    page[:, 50] = 0  # the cell's right rule
    page[40:50, 30:40] = 0  # its text
    out = cell_crop(page, (25.0, 35.0, 60.0, 55.0), (0.0, 0.0, 50.0, 100.0), DPI)
    assert out.shape == (20, 35)
    assert out[5:15, 5:15].max() == 0 and out[:, 24:].min() == 255  # the text kept, the rule painted out


def test_a_worn_frame_side_is_restored_where_the_rules_end_and_not_between_tables() -> None:
    img = np.full((500, 700), 228, np.uint8)
    ys = (100, 140, 180, 220)
    for y in ys:
        cv2.line(img, (100, y), (600, y), 30, 2)
        cv2.line(img, (100, y + 200), (600, y + 200), 30, 2)  # a second table below, after a gap
    for x in (100, 350):
        cv2.line(img, (x, ys[0]), (x, ys[-1]), 30, 2)
        cv2.line(img, (x, ys[0] + 200), (x, ys[-1] + 200), 30, 2)
    cv2.line(img, (600, ys[0]), (600, ys[-1]), 165, 1)  # the right side worn faint in the first table
    cv2.line(img, (600, ys[0] + 200), (600, ys[-1] + 200), 165, 1)
    rng = np.random.default_rng(0)
    img = np.clip(img + rng.normal(0, 4, img.shape), 0, 255).astype(np.uint8)
    rulings = find_rulings(ink_contrast(img, DPI, ImageSettings()), DPI, ImageSettings())
    sides = sorted((round(r.top), round(r.bottom)) for r in rulings if not r.horizontal and abs(r.x0 - 600) < 3)
    assert sides == [(100, 220), (300, 420)]  # both sides restored, not the gap between the tables
    assert [(lay.n_rows, lay.n_cols) for lay in table_layouts(rulings, DPI)] == [(3, 2), (3, 2)]


def _folded_alone(model, x: np.ndarray) -> np.ndarray:
    """The model's output after fold_affine, which must fold exactly one block into one valid Conv
    and leave the output as it was."""
    import onnx
    import onnxruntime as ort

    from extractor.readers.ocr.engine import fold_affine

    def run() -> np.ndarray:
        return ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, {"x": x})[
            0
        ]

    before = run()
    assert fold_affine(model) == 1
    onnx.checker.check_model(model)
    assert [n.op_type for n in model.graph.node] == ["Conv"]
    after = run()
    np.testing.assert_allclose(after, before, rtol=1e-6)
    return after


def test_a_learnable_affine_block_is_folded_into_its_convolution() -> None:
    pytest.importorskip("onnx")
    pytest.importorskip("onnxruntime")
    from onnx import TensorProto, helper, numpy_helper

    weight = np.arange(2 * 1 * 3 * 3, dtype=np.float32).reshape(2, 1, 3, 3) / 10
    nodes = [
        helper.make_node("Constant", [], ["w"], value=numpy_helper.from_array(weight, "w")),
        helper.make_node("Constant", [], ["b"], value=numpy_helper.from_array(np.array([1, -1], np.float32), "b")),
        helper.make_node("Constant", [], ["s"], value=numpy_helper.from_array(np.array([0.5], np.float32), "s")),
        helper.make_node("Constant", [], ["t"], value=numpy_helper.from_array(np.array([2.0], np.float32), "t")),
        helper.make_node("Conv", ["x", "w", "b"], ["c"], pads=[1, 1, 1, 1]),
        helper.make_node("Mul", ["s", "c"], ["m"]),
        helper.make_node("Add", ["m", "t"], ["y"]),
    ]
    x_info = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 4, 4])
    y_info = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2, 4, 4])
    model = helper.make_model(
        helper.make_graph(nodes, "lab", [x_info], [y_info]), opset_imports=[helper.make_opsetid("", 12)]
    )
    x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    after = _folded_alone(model, x)
    # the top-left output of the first channel: 0.5 * (conv of the 2×2 corner + 1) + 2
    corner = float((x[0, 0, :2, :2] * weight[0, 0, 1:, 1:]).sum())
    assert after[0, 0, 0, 0] == pytest.approx(0.5 * (corner + 1) + 2)


def test_an_affine_block_before_a_pointwise_convolution_is_folded_into_it() -> None:
    pytest.importorskip("onnx")
    pytest.importorskip("onnxruntime")
    from onnx import TensorProto, helper, numpy_helper

    weight = np.array([[[[1.0]], [[2.0]]], [[[-1.0]], [[0.5]]]], np.float32)  # 2 out × 2 in, 1×1
    bias = np.array([0.25, -0.5], np.float32)
    constants = {"w": weight, "b": bias, "s": np.array([3.0], np.float32), "t": np.array([-1.0], np.float32)}
    nodes = [helper.make_node("Constant", [], [k], value=numpy_helper.from_array(v, k)) for k, v in constants.items()]
    nodes += [
        helper.make_node("Mul", ["s", "x"], ["m"]),
        helper.make_node("Add", ["m", "t"], ["a"]),
        helper.make_node("Conv", ["a", "w", "b"], ["y"], kernel_shape=[1, 1]),
    ]
    x_info = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 2, 2])
    y_info = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2, 2, 2])
    model = helper.make_model(
        helper.make_graph(nodes, "lab", [x_info], [y_info]), opset_imports=[helper.make_opsetid("", 12)]
    )
    x = np.arange(8, dtype=np.float32).reshape(1, 2, 2, 2)
    after = _folded_alone(model, x)
    # first output channel at the first pixel: 1·(3·0 − 1) + 2·(3·4 − 1) + 0.25
    assert after[0, 0, 0, 0] == pytest.approx(21.25)
