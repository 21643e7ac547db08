"""Digit runs cut into cells and the solver that keeps only readings the form's arithmetic allows (rules/recover.py)."""

from __future__ import annotations

from rules import recover


def test_cutting_digit_runs():
    assert recover.token_readings("000", 3) == [["0", "0", "0"]]
    assert ["23", "0"] in recover.token_readings("230", 2)
    assert ["2", "30"] in recover.token_readings("230", 2)
    assert all(not p.startswith("0") or p == "0" for r in recover.token_readings("100153", 3) for p in r)
    readings = recover.row_readings(["230", "000023"], 7)
    assert sorted([p.text for p in r] for r in readings) == [
        ["2", "30", "0", "0", "0", "0", "23"],
        ["23", "0", "0", "0", "0", "0", "23"],
        ["230", "0", "0", "0", "0", "2", "3"],
    ]
    assert recover.token_readings("135.5元", 2) == [["1", "35.5元"], ["13", "5.5元"]]


def test_solver_keeps_only_consistent_assignments():
    cands = {"a": [[1.0, 2.0], [3.0, 0.0]], "b": [[3.0, 2.0]]}
    rows = frozenset({"a", "b"})

    def pred(x):
        return x["a"][0] + x["a"][1] == x["b"][0]

    sols = recover.solve(cands, [(rows, pred)])
    assert sols == [{"a": [1.0, 2.0], "b": [3.0, 2.0]}, {"a": [3.0, 0.0], "b": [3.0, 2.0]}]
    assert recover.agreed([s["a"] for s in sols])[1] is recover.UNDETERMINED
