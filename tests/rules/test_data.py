"""The rule data files (rules/data.py): consistent, and every schema row has its labels."""

from __future__ import annotations

from rules.data import row_specs, schema, validate


def test_rule_data_is_consistent():
    assert validate() == []


def test_every_schema_row_has_labels():
    rows = {(s.table, s.row) for t in ("active", "requests") for s in row_specs(t)}
    for version in ("2019", "2021"):
        for cell in schema()[version]:
            if cell.table in ("active", "requests"):
                assert (cell.table, cell.row) in rows
