"""The form's consistency checks R1-R4 (rules/checks.py)."""

from __future__ import annotations

from rules.checks import run_checks


def test_checks_flag_real_inconsistencies_and_skip_blanks():
    values = {
        f"review.admin_review.{o}": v
        for o, v in zip(("upheld", "corrected", "other", "pending", "total"), (10, 1, 0, 0, 0), strict=False)
    }
    values.update({f"review.litigation_direct.{o}": None for o in ("upheld", "corrected", "other", "pending")})
    values["review.litigation_direct.total"] = 0
    checks = {(c.rule, c.scope): c for c in run_checks(values, "2021")}
    assert checks[("R4", "admin_review")].passed is False
    assert "11" in checks[("R4", "admin_review")].detail
    assert checks[("R4", "litigation_direct")].passed is None
    assert ("R4", "litigation_after_review") not in checks
