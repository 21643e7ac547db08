"""Consistency rules across years of one agency, evaluated on a whole batch (pure pandas functions).

X1  this year's 上年结转 equals last year's 结转下年度继续办理, per applicant column:
    ``requests.carried_over_in.<col>`` (y) = ``requests.carried_over_out.<col>`` (y − 1)
X2  现行有效件数 carries forward with 制发 and 废止 (2021 form), for 规章 and 行政规范性文件:
    ``in_force`` (y) = ``in_force`` (y − 1) + ``issued`` (y) − ``repealed`` (y)
X3  上一年项目数量 carries forward with 本年增/减 (2019 form), for the rows of 第二十条 (五), (六), (八):
    ``prior_items`` (y) = ``prior_items`` (y − 1) + ``change`` (y − 1)

Rows have the columns of the ``checks`` table; ``passed`` is None when an operand is blank, dash,
missing or not asked by the earlier report's form. An agency is matched by its name as printed
(whitespace and full-width forms normalised). When an agency has several reports for one year
(e.g. the same report as HTML and PDF), the one with the most numbers stands for that year.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Mapping
from typing import Any

import pandas as pd

from rules.constants import VERSIONS, FormVersion
from rules.data import form, schema
from rules.form import Sides
from rules.values import State

logger = logging.getLogger(__name__)

CARRY_RULE = "X1"
IN_FORCE_RULE = "X2"
ITEMS_RULE = "X3"
CROSSYEAR_RULES = (CARRY_RULE, IN_FORCE_RULE, ITEMS_RULE)
IN_FORCE_ROWS = ("regulations", "normative_documents")
ITEMS_FORM = FormVersion.V2019  # the form that asks 上一年项目数量 and 本年增/减
CHECK_COLUMNS = ("report_id", "rule", "scope", "passed", "detail")

Values = dict[str, float | None]


def agency_key(name: object) -> str | None:
    """The agency name used to match reports across years (None when the report names none)."""
    if name is None or pd.isna(name):
        return None
    key = "".join(unicodedata.normalize("NFKC", str(name)).split())
    return key or None


def reports_by_agency_year(
    reports: pd.DataFrame, cells: pd.DataFrame, numbers: pd.Series | None = None
) -> pd.DataFrame:
    """One report per (agency, year): report_id, source, agency_key, report_year, format_version.

    ``numbers`` (numbers printed, by report_id) is counted from ``cells`` unless given."""
    usable = reports[
        reports["duplicate_of"].isna() & reports["report_year"].notna() & reports["format_version"].isin(VERSIONS)
    ].copy()
    usable["agency_key"] = usable["agency"].map(agency_key)
    usable = usable[usable["agency_key"].notna()]
    if numbers is None:
        numbers = cells[cells["state"] == State.NUMBER].groupby("report_id").size()
    usable["n_numbers"] = usable["report_id"].map(numbers).fillna(0)
    usable = usable.sort_values(["agency_key", "report_year", "n_numbers", "source"], ascending=[1, 1, 0, 1])
    chosen = usable.drop_duplicates(["agency_key", "report_year"], keep="first")
    cols = ["report_id", "source", "agency_key", "report_year", "format_version"]
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
    return "blank/missing" if v is None else f"{v:g}"


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


def crossyear_keys() -> tuple[str, ...]:
    """Every key the cross-year rules X1, X2 and X3 read (and their resolution settles by)."""
    cols = form().request_columns
    return (
        *(f"requests.carried_over_{d}.{c}" for d in ("in", "out") for c in cols),
        *(f"active.{r}.{k}" for r in IN_FORCE_ROWS for k in ("in_force", "issued", "repealed")),
        *(f"active.{r}.{k}" for r in item_rows() for k in ("prior_items", "change")),
    )


def crossyear_checks(reports: pd.DataFrame, cells: pd.DataFrame, numbers: pd.Series | None = None) -> pd.DataFrame:
    """X1, X2 and X3 for every agency report whose agency also reported the year before.

    ``cells`` needs only the rows of the keys X1, X2 and X3 read when ``numbers`` (numbers printed, by
    report_id) is given."""
    chosen = reports_by_agency_year(reports, cells, numbers).to_dict("records")  # dicts: fast to index
    prev_of = {(r["agency_key"], int(r["report_year"])): r for r in chosen}
    pairs = []
    for cur in chosen:
        prev = prev_of.get((cur["agency_key"], int(cur["report_year"]) - 1))
        if prev is not None:
            pairs.append((cur, prev))
    vals = _values(cells, {str(r) for p in pairs for r in (p[0]["report_id"], p[1]["report_id"])})
    rows: list[dict[str, object]] = []
    for cur, prev in pairs:
        rows += _carry_checks(cur, prev, vals)
        rows += _in_force_checks(cur, prev, vals)
        rows += _items_checks(cur, prev, vals)
    logger.debug("cross-year checks: %d pairs of consecutive reports, %d checks", len(pairs), len(rows))
    return pd.DataFrame(rows, columns=list(CHECK_COLUMNS))
