from extractor.readers.grid import MAX_SPAN, RawCell, build_table


def test_spans_are_expanded_once_and_text_stays_with_its_cell():
    rows = [
        [RawCell("label", rowspan=2), RawCell("a", colspan=2)],
        [RawCell("1"), RawCell("2")],
    ]
    t = build_table(rows)
    assert (t.n_rows, t.n_cols) == (2, 3)
    assert t.slots[0] == (0, 1, 1)
    assert t.slots[1] == (0, 2, 3)
    assert t.cell_at(1, 0).text == "label"
    # the merged cell's text belongs to one cell only
    assert [c.text for c in t.cells].count("a") == 1
    assert t.rows_text() == [["label", "a"], ["1", "2"]]


def test_row_gets_pushed_right_by_rowspan_from_above():
    rows = [
        [RawCell("x", rowspan=3), RawCell("y")],
        [RawCell("z")],
        [RawCell("w")],
    ]
    t = build_table(rows)
    assert [(c.text, c.row, c.col) for c in t.cells] == [("x", 0, 0), ("y", 0, 1), ("z", 1, 1), ("w", 2, 1)]


def test_hostile_spans_are_clipped():
    t = build_table([[RawCell("a", rowspan=10**9, colspan=10**9)], [RawCell("b")]])
    assert t.n_rows == 2
    assert t.n_cols == MAX_SPAN + 1  # b is pushed past the clipped span
    assert t.cells[0].rowspan == 2
