"""Ruled tables from rules (extractor/readers/layout/tables.py): cells laid out on the grid, holes filled, spans."""

from __future__ import annotations

import pytest

from extractor.readers.layout.tables import TableSettings, layout_cells


def test_layout_fills_holes_and_spans() -> None:
    # a 2x3 grid: the top row's last two slots are one cell, the bottom-right slot has no cell
    lay = layout_cells([(0, 0, 10, 10), (10, 0, 30, 10), (0, 10, 10, 20), (10, 10, 20, 20)])
    assert (lay.n_rows, lay.n_cols) == (2, 3)
    assert [(c.row, c.col, c.rowspan, c.colspan) for c in lay.cells] == [
        (0, 0, 1, 1),
        (0, 1, 1, 2),
        (1, 0, 1, 1),
        (1, 1, 1, 1),
        (1, 2, 1, 1),
    ]


def test_settings_are_validated() -> None:
    with pytest.raises(ValueError, match="snap_tolerance"):
        TableSettings(snap_tolerance=-1)
