"""Rows mapped onto the form's tables (rules/tables.py)."""

from __future__ import annotations

from rules.stream import Kind


def test_unread_rows_fill_gaps_only_when_counts_match():
    from rules.stream import Row, Token
    from rules.tables import _fill_gaps_by_order

    def row(label, n=3):
        return Row(label, (), tuple(Token(Kind.VALUE, "1") for _ in range(n)))

    form_rows = ["a", "b", "c", "d", "e"]
    seq = [("a", row("A")), (None, row(None)), (None, row("x")), ("d", row("D")), (None, row(None)), (None, row(None))]
    placed = _fill_gaps_by_order(seq, form_rows, 3)
    assert placed == {"b": seq[1][1], "c": seq[2][1]}  # after d: two unread rows for one missing row -> none
    short = [("a", row("A")), (None, row(None, n=2)), ("c", row("C"))]
    assert _fill_gaps_by_order(short, form_rows, 3) == {}  # an incomplete row is never placed
