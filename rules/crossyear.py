"""Consistency rules across years of one agency, evaluated on a whole batch (pure pandas functions).

X1  this year's 上年结转 equals last year's 结转下年度继续办理, per applicant column:
    ``requests.carried_over_in.<col>`` (y) = ``requests.carried_over_out.<col>`` (y − 1)
X2  现行有效件数 carries forward with 制发 and 废止 (2021 form), for 规章 and 行政规范性文件:
    ``in_force`` (y) = ``in_force`` (y − 1) + ``issued`` (y) − ``repealed`` (y)
X3  上一年项目数量 carries forward with 本年增/减 (2019 form), for the rows of 第二十条 (五), (六), (八):
    ``prior_items`` (y) = ``prior_items`` (y − 1) + ``change`` (y − 1)

X0  the agency's name as printed is the same in both years (after folding width, spacing and
    traditional characters); a pair matched only through ``agency_key`` (上海市科委 /
    上海市科学技术委员会, 和 / 与) says so, and so does a report whose previous year is missing under
    its key while an unmatched report of that year names another body of the same division.

Rows have the columns of the ``checks`` table; ``passed`` is None when an operand is blank, dash,
missing or not asked by the earlier report's form. An agency is matched by its ``agency_key``
(:mod:`rules.agency`: region code and body, abbreviations and connectors folded). When an agency
has several reports for one year, the ``preferred`` one stands for that year (without that
column, the one with the most numbers).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from difflib import SequenceMatcher
from typing import Any

import pandas as pd

from rules.agency import agency_key as _resolved_key
from rules.agency import clean
from rules.constants import VERSIONS, FormVersion
from rules.data import form, schema
from rules.form import Sides
from rules.values import State

logger = logging.getLogger(__name__)

NAME_RULE = "X0"
CARRY_RULE = "X1"
IN_FORCE_RULE = "X2"
ITEMS_RULE = "X3"
CROSSYEAR_RULES = (NAME_RULE, CARRY_RULE, IN_FORCE_RULE, ITEMS_RULE)
IN_FORCE_ROWS = ("regulations", "normative_documents")
ITEMS_FORM = FormVersion.V2019  # the form that asks 上一年项目数量 and 本年增/减
SIMILAR_NAMES = 0.6  # difflib ratio of two bodies of one division from which X0 pairs them
CHECK_COLUMNS = ("report_id", "rule", "scope", "passed", "detail")
NO_NUMBER = "no number (blank, dash, text or not printed)"  # an operand in detail

Values = dict[str, float | None]


def agency_key(name: object) -> str | None:
    """The key that matches one agency's reports across years (None when the report names none)."""
    return _resolved_key(name)


def reports_by_agency_year(reports: pd.DataFrame, cells: pd.DataFrame) -> pd.DataFrame:
    """One report per (agency, year): report_id, source, agency, agency_key, division_code,
    report_year, format_version."""
    usable = reports[
        reports["duplicate_of"].isna() & reports["report_year"].notna() & reports["format_version"].isin(VERSIONS)
    ].copy()
    if "agency_key" not in usable or usable["agency_key"].isna().all():
        usable["agency_key"] = usable["agency"].map(agency_key)
    if "division_code" not in usable:
        usable["division_code"] = None
    usable = usable[usable["agency_key"].notna()]
    numbers = cells[cells["state"] == State.NUMBER].groupby("report_id").size()
    usable["n_numbers"] = usable["report_id"].map(numbers).fillna(0)
    usable["_preferred"] = usable["preferred"].fillna(False).astype(bool) if "preferred" in usable else False
    usable = usable.sort_values(
        ["agency_key", "report_year", "_preferred", "n_numbers", "source"], ascending=[1, 1, 0, 0, 1]
    )
    chosen = usable.drop_duplicates(["agency_key", "report_year"], keep="first")
    cols = ["report_id", "source", "agency", "agency_key", "division_code", "report_year", "format_version"]
    return chosen[cols].reset_index(drop=True)


def _values(cells: pd.DataFrame, report_ids: set[str]) -> dict[str, Values]:
    """report_id -> key -> value (None for blank/dash/text cells)."""
    mine = cells[cells["report_id"].isin(report_ids)]
    out: dict[str, Values] = {}
    columns = (mine["report_id"].tolist(), mine["key"].tolist(), mine["value"].tolist())  # lists: fast to walk
    for rid, key, value in zip(*columns, strict=True):
        out.setdefault(str(rid), {})[str(key)] = None if pd.isna(value) else float(value)
    return out


def _fmt(v: float | None) -> str:
    return NO_NUMBER if v is None else f"{v:g}"


def _carry_checks(cur: Mapping[str, Any], prev: Mapping[str, Any], vals: dict[str, Values]) -> list[dict[str, object]]:
    y, py = int(cur["report_year"]), int(prev["report_year"])
    now, before = vals.get(cur["report_id"], {}), vals.get(prev["report_id"], {})
    rows = []
    for col in form().request_columns:
        a = now.get(f"requests.carried_over_in.{col}")
        b = before.get(f"requests.carried_over_out.{col}")
        passed = Sides(a, b).holds
        sign = "?" if passed is None else ("=" if passed else "≠")
        rows.append(
            {
                "report_id": cur["report_id"],
                "rule": CARRY_RULE,
                "scope": f"requests.carried_over_in.{col} {py}→{y}",
                "passed": passed,
                "detail": f"carried_over_in.{col} ({y}, {cur['source']}) = {_fmt(a)} {sign} "
                f"carried_over_out.{col} ({py}, {prev['source']}) = {_fmt(b)}",
            }
        )
    return rows


def _in_force_checks(
    cur: Mapping[str, Any], prev: Mapping[str, Any], vals: dict[str, Values]
) -> list[dict[str, object]]:
    if cur["format_version"] != FormVersion.V2021:
        return []  # the 2019 form does not ask for 现行有效件数
    y, py = int(cur["report_year"]), int(prev["report_year"])
    now, before = vals.get(cur["report_id"], {}), vals.get(prev["report_id"], {})
    rows = []
    for row in IN_FORCE_ROWS:
        lhs = now.get(f"active.{row}.in_force")
        was = before.get(f"active.{row}.in_force")
        issued = now.get(f"active.{row}.issued")
        repealed = now.get(f"active.{row}.repealed")
        right = f"in_force ({py}) = {_fmt(was)} + issued = {_fmt(issued)} − repealed = {_fmt(repealed)}"
        if prev["format_version"] != FormVersion.V2021:
            passed = None
            right += f" (the {py} report uses the {prev['format_version']} form, which has no 现行有效件数)"
        elif None in (lhs, was, issued, repealed):
            passed = None
        else:
            rhs = was + issued - repealed  # type: ignore[operator]
            passed = Sides(lhs, rhs).holds
            right += f" = {rhs:g}"
        sign = "?" if passed is None else ("=" if passed else "≠")
        rows.append(
            {
                "report_id": cur["report_id"],
                "rule": IN_FORCE_RULE,
                "scope": f"active.{row}.in_force {py}→{y}",
                "passed": passed,
                "detail": f"in_force ({y}, {cur['source']}) = {_fmt(lhs)} {sign} {right} ({prev['source']})",
            }
        )
    return rows


def _name_check(cur: pd.Series, prev: pd.Series, matched: bool) -> dict[str, object]:
    y, py = int(cur["report_year"]), int(prev["report_year"])
    same = clean(str(cur["agency"])) == clean(str(prev["agency"]))
    how = (
        f"matched as one agency by agency_key {cur['agency_key']}"
        if matched
        else f"not matched: agency_key {cur['agency_key']} vs {prev['agency_key']} (same division "
        f"{cur['division_code']}); X1–X3 are not evaluated for this pair"
    )
    return {
        "report_id": cur["report_id"],
        "rule": NAME_RULE,
        "scope": f"agency {py}→{y}",
        "passed": same and matched,
        "detail": f"agency ({y}, {cur['source']}) = {cur['agency']} {'=' if same else '≠'} "
        f"agency ({py}, {prev['source']}) = {prev['agency']}; {how}",
    }


def _unmatched_pairs(chosen: pd.DataFrame, matched: set[tuple[int, int]]) -> list[tuple[pd.Series, pd.Series]]:
    """Reports without a predecessor under their key whose division has, the year before, one
    report without a successor under its own key: the same body under a name that did not match."""
    has_next = {j for _, j in matched}
    has_prev = {i for i, _ in matched}
    by_div_year: dict[tuple[str, int], list[int]] = {}
    for i, (d, y) in enumerate(zip(chosen["division_code"], chosen["report_year"], strict=True)):
        if d is not None and not pd.isna(d):
            by_div_year.setdefault((str(d), int(y)), []).append(i)
    pairs = []
    for (d, y), idx in by_div_year.items():
        before = [j for j in by_div_year.get((d, y - 1), []) if j not in has_next]
        for i in (i for i in idx if i not in has_prev):
            cur = chosen.iloc[i]
            alike = [j for j in before if _similar(str(cur["agency_key"]), str(chosen.iloc[j]["agency_key"]))]
            if len(alike) == 1:  # one candidate only: otherwise which one is not known
                pairs.append((cur, chosen.iloc[alike[0]]))
    return pairs


def _similar(a: str, b: str) -> bool:
    """Whether two bodies' keys are alike enough to be one body renamed (not two departments)."""
    body_a, body_b = a.rsplit(":", 1)[-1], b.rsplit(":", 1)[-1]
    return SequenceMatcher(None, body_a, body_b).ratio() >= SIMILAR_NAMES


def item_rows() -> tuple[str, ...]:
    """The section 二 rows with 上一年项目数量 and 本年增/减 (2019 form)."""
    cols = {(c.row, c.col) for c in schema()[ITEMS_FORM] if c.table == "active"}
    return tuple(dict.fromkeys(r for r, c in cols if c == "prior_items" and (r, "change") in cols))


def _items_checks(cur: Mapping[str, Any], prev: Mapping[str, Any], vals: dict[str, Values]) -> list[dict[str, object]]:
    if cur["format_version"] != ITEMS_FORM or prev["format_version"] != ITEMS_FORM:
        return []  # the 2021 form asks neither
    y, py = int(cur["report_year"]), int(prev["report_year"])
    now, before = vals.get(cur["report_id"], {}), vals.get(prev["report_id"], {})
    rows = []
    for row in sorted(item_rows()):
        lhs = now.get(f"active.{row}.prior_items")
        was = before.get(f"active.{row}.prior_items")
        change = before.get(f"active.{row}.change")
        passed = Sides(lhs, None if was is None or change is None else was + change).holds
        sign = "?" if passed is None else ("=" if passed else "≠")
        rows.append(
            {
                "report_id": cur["report_id"],
                "rule": ITEMS_RULE,
                "scope": f"active.{row}.prior_items {py}→{y}",
                "passed": passed,
                "detail": f"prior_items ({y}, {cur['source']}) = {_fmt(lhs)} {sign} prior_items ({py}) = "
                f"{_fmt(was)} + change ({py}) = {_fmt(change)} ({prev['source']})",
            }
        )
    return rows


def crossyear_checks(reports: pd.DataFrame, cells: pd.DataFrame) -> pd.DataFrame:
    """X0, X1, X2 and X3 for every agency report whose agency also reported the year before."""
    chosen = reports_by_agency_year(reports, cells)
    prev_of = {(a, int(y)): i for i, (a, y) in enumerate(zip(chosen["agency_key"], chosen["report_year"], strict=True))}
    pairs = []
    matched: set[tuple[int, int]] = set()
    for i, (a, y) in enumerate(zip(chosen["agency_key"], chosen["report_year"], strict=True)):
        j = prev_of.get((a, int(y) - 1))
        if j is not None:
            pairs.append((chosen.iloc[i], chosen.iloc[j]))
            matched.add((i, j))
    vals = _values(cells, {str(r) for p in pairs for r in (p[0]["report_id"], p[1]["report_id"])})
    rows: list[dict[str, object]] = [_name_check(cur, prev, False) for cur, prev in _unmatched_pairs(chosen, matched)]
    for cur, prev in pairs:
        rows.append(_name_check(cur, prev, True))
        rows += _carry_checks(cur, prev, vals)
        rows += _in_force_checks(cur, prev, vals)
        rows += _items_checks(cur, prev, vals)
    logger.debug("cross-year checks: %d pairs of consecutive reports, %d checks", len(pairs), len(rows))
    return pd.DataFrame(rows, columns=list(CHECK_COLUMNS))
