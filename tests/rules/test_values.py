"""Printed cell text to values and states (rules/values.py): blank, dash and 0 stay distinct; units."""

from __future__ import annotations

import pytest

from rules.values import State, parse_value


@pytest.mark.parametrize(
    ("raw", "amount", "value", "state"),
    [
        ("0", False, 0.0, State.NUMBER),
        ("", False, None, State.BLANK),
        (" \xa0", False, None, State.BLANK),
        ("—", False, None, State.DASH),
        ("/", False, None, State.DASH),
        ("无", False, None, State.DASH),
        ("12件", False, 12.0, State.NUMBER),
        ("-3", False, -3.0, State.NUMBER),
        ("减少2", False, -2.0, State.NUMBER),
        ("1,234", False, 1234.0, State.NUMBER),
        ("1378万", True, 1378.0, State.NUMBER),
        ("251000元", True, 25.1, State.NUMBER),
        ("75394432.52元", True, 7539.443252, State.NUMBER),
        ("7730.28", True, 7730.28, State.NUMBER),
        ("不涉及", False, None, State.TEXT),
    ],
)
def test_parse_value(raw, amount, value, state):
    cv = parse_value(raw, amount=amount)
    assert cv.state is state
    assert cv.value == (pytest.approx(value) if value is not None else None)


def test_yuan_header_converts_plain_amounts():
    assert parse_value("50000", amount=True, default_unit_factor=1.0).value == 5.0
