"""Settle cells left ambiguous within a report by the same agency's neighbouring years (batch level).

A report whose digits ran together (``行政规范性文件693665``) keeps, for the cells its own equations
and prose could not decide, the readings that remain (:mod:`rules.ambiguity`). Across a batch the
agency's adjacent years add equations:

X1  上年结转 (y) = 结转下年度继续办理 (y − 1), per applicant column — both ways: this year's
    ``carried_over_in`` against last year's ``carried_over_out``, and this year's
    ``carried_over_out`` against next year's ``carried_over_in``;
X2  现行有效件数 (y) = 现行有效件数 (y − 1) + 本年制发 (y) − 本年废止 (y), for 规章 and 行政规范性文件
    (2021 form in both years) — again with the year before and the year after;
X3  上一年项目数量 (y) = 上一年项目数量 (y − 1) + 本年增/减 (y − 1), for 第二十条 (五), (六), (八) (2019
    form in both years): what settles a signed run such as ``2648-18538``.

A reading survives when every equation it takes part in that can be evaluated holds; where several
survive, the report's prose (numbers it gives for the row) narrows them. A cell is settled only
when every survivor gives it the same value, at least one equation was evaluated, and the
equations ruled some reading out; it is then added with ``method`` :data:`RESOLVED_METHOD`, a
lower confidence and a note saying which equations and years chose it. Settled cells feed the
next pass, so a chain of ambiguous years is settled as far as the evidence goes. Nothing else is
guessed: the rest stay out, with the report's warning.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import pandas as pd

from rules.ambiguity import AMBIGUOUS_KIND, Ambiguity, Reading
from rules.constants import VERSIONS, FormVersion
from rules.crossyear import (
    CARRY_RULE,
    IN_FORCE_ROWS,
    IN_FORCE_RULE,
    ITEMS_FORM,
    ITEMS_RULE,
    agency_key,
    item_rows,
    reports_by_agency_year,
)
from rules.data import form, schema_keys
from rules.form import Sides

logger = logging.getLogger(__name__)

RESOLVED_METHOD = "cross-year"
CONFIDENCE_CROSSYEAR = 0.7
MAX_PASSES = 8
CELL_COLUMNS = (
    "report_id",
    "key",
    "table",
    "row",
    "col",
    "value",
    "state",
    "raw",
    "unit",
    "page",
    "bbox",
    "locator",
    "method",
    "confidence",
    "note",
)

Values = dict[str, float | None]
Term = tuple[float, str, str]  # coefficient, report_id, key: an equation is sum(coef * value) = 0


@dataclass(frozen=True, slots=True)
class Equation:
    rule: str
    terms: tuple[Term, ...]
    years: tuple[int, int]

    def holds(self, known: Mapping[str, Values], rid: str, trial: Values) -> bool | None:
        """Whether the equation holds with ``trial`` values for report ``rid`` over ``known`` ones
        (None when an operand is blank or missing)."""
        total = 0.0
        for coef, r, key in self.terms:
            v = trial[key] if r == rid and key in trial else known.get(r, {}).get(key)
            if v is None:
                return None
            total += coef * v
        return Sides(total, 0.0).holds


@dataclass(frozen=True, slots=True)
class _Report:
    report_id: str
    agency: str
    year: int
    version: str


def _carry(cur: _Report, prev: _Report) -> Iterator[Equation]:
    for col in form().request_columns:
        yield Equation(
            CARRY_RULE,
            (
                (1.0, cur.report_id, f"requests.carried_over_in.{col}"),
                (-1.0, prev.report_id, f"requests.carried_over_out.{col}"),
            ),
            (prev.year, cur.year),
        )


def _in_force(cur: _Report, prev: _Report) -> Iterator[Equation]:
    if cur.version != FormVersion.V2021 or prev.version != FormVersion.V2021:
        return  # the 2019 form has no 现行有效件数
    for row in IN_FORCE_ROWS:
        yield Equation(
            IN_FORCE_RULE,
            (
                (1.0, cur.report_id, f"active.{row}.in_force"),
                (-1.0, prev.report_id, f"active.{row}.in_force"),
                (-1.0, cur.report_id, f"active.{row}.issued"),
                (1.0, cur.report_id, f"active.{row}.repealed"),
            ),
            (prev.year, cur.year),
        )


def _items(cur: _Report, prev: _Report) -> Iterator[Equation]:
    if cur.version != ITEMS_FORM or prev.version != ITEMS_FORM:
        return
    for row in item_rows():
        yield Equation(
            ITEMS_RULE,
            (
                (1.0, cur.report_id, f"active.{row}.prior_items"),
                (-1.0, prev.report_id, f"active.{row}.prior_items"),
                (-1.0, prev.report_id, f"active.{row}.change"),
            ),
            (prev.year, cur.year),
        )


def _pair(cur: _Report, prev: _Report) -> list[Equation]:
    return [*_carry(cur, prev), *_in_force(cur, prev), *_items(cur, prev)]


def _equations(rep: _Report, by_year: Mapping[tuple[str, int], _Report]) -> list[Equation]:
    """The cross-year equations ``rep`` takes part in, with its year before and after."""
    out: list[Equation] = []
    prev = by_year.get((rep.agency, rep.year - 1))
    nxt = by_year.get((rep.agency, rep.year + 1))
    if prev is not None:
        out += _pair(rep, prev)
    if nxt is not None:
        out += _pair(nxt, rep)
    return out


def _known(cells: pd.DataFrame) -> dict[str, Values]:
    out: dict[str, Values] = {}
    for rid, key, value in zip(cells["report_id"], cells["key"], cells["value"], strict=True):
        out.setdefault(str(rid), {})[str(key)] = None if pd.isna(value) else float(value)
    return out


def _reports(reports: pd.DataFrame, cells: pd.DataFrame) -> tuple[dict[str, _Report], dict[tuple[str, int], _Report]]:
    """Every usable report by id, and the one that stands for each (agency, year)."""
    usable = reports[
        reports["duplicate_of"].isna() & reports["report_year"].notna() & reports["format_version"].isin(VERSIONS)
    ]
    by_id = {}
    for rid, agency, year, version in zip(
        usable["report_id"], usable["agency"], usable["report_year"], usable["format_version"], strict=True
    ):
        key = agency_key(agency)
        if key is not None:
            by_id[str(rid)] = _Report(str(rid), key, int(year), str(version))
    chosen = reports_by_agency_year(reports, cells)
    by_year = {
        (a, int(y)): by_id[str(r)]
        for r, a, y in zip(chosen["report_id"], chosen["agency_key"], chosen["report_year"], strict=True)
        if str(r) in by_id
    }
    return by_id, by_year


def _prose_hits(reading: Reading, prose: tuple[float, ...]) -> int:
    return sum(v in prose for v in reading.values if v is not None)


@dataclass
class _Pending:
    report: _Report
    record: Ambiguity
    settled: set[str]


def _settle(p: _Pending, eqs: list[Equation], known: dict[str, Values]) -> dict[int, tuple[Reading, str]]:
    """Key positions of ``p.record`` every surviving reading agrees on: position -> (a survivor, why)."""
    rid = p.report.report_id
    mine = set(p.record.keys)
    relevant = [e for e in eqs if any(r == rid and k in mine for _, r, k in e.terms)]
    if not relevant:
        return {}
    survivors: list[Reading] = []
    used: set[Equation] = set()
    for reading in p.record.readings:
        trial = dict(zip(p.record.keys, reading.values, strict=True))
        verdicts = [(e, e.holds(known, rid, trial)) for e in relevant]
        used.update(e for e, ok in verdicts if ok is not None)
        if all(ok is not False for _, ok in verdicts):
            survivors.append(reading)
    if not used or not survivors or len(survivors) == len(p.record.readings):
        return {}
    why = "agrees with " + ", ".join(sorted({f"{e.rule} {e.years[0]}→{e.years[1]}" for e in used}))
    if len(survivors) > 1 and p.record.prose:
        best = max(_prose_hits(r, p.record.prose) for r in survivors)
        if best:
            survivors = [r for r in survivors if _prose_hits(r, p.record.prose) == best]
            why += " and the numbers the report's text gives"
    out = {}
    for i, key in enumerate(p.record.keys):
        if key in p.settled:
            continue
        if len({r.values[i] for r in survivors}) == 1 and survivors[0].values[i] is not None:
            out[i] = (survivors[0], why)
    return out


def _cell_row(p: _Pending, i: int, reading: Reading, why: str) -> dict[str, object]:
    key = p.record.keys[i]
    table, row, col = key.split(".", 2)
    token_index, raw, last = reading.pieces[i]
    tok = p.record.tokens[token_index]
    cell = schema_keys(p.report.version).get(key)
    remark = f"; printed with the remark {tok.remark}" if tok.remark and last else ""
    return {
        "report_id": p.report.report_id,
        "key": key,
        "table": table,
        "row": row,
        "col": col,
        "value": reading.values[i],
        "state": "number",
        "raw": raw,
        "unit": cell.unit if cell else "件",
        "page": tok.page,
        "bbox": tok.bbox,
        "locator": tok.locator,
        "method": RESOLVED_METHOD,
        "confidence": CONFIDENCE_CROSSYEAR,
        "note": f"cut from printed {p.record.printed!r}: the only reading of the report that {why} "
        f"(the agency's reports of the neighbouring years){remark}",
    }


def resolve_across_years(reports: pd.DataFrame, cells: pd.DataFrame, warnings: pd.DataFrame) -> pd.DataFrame:
    """Cells settled by cross-year evidence, as rows of the ``cells`` table (empty when none).

    ``cells`` must not already hold settled cells (drop ``method == RESOLVED_METHOD`` first)."""
    records = warnings[warnings["kind"] == AMBIGUOUS_KIND]
    if records.empty:
        return pd.DataFrame(columns=list(CELL_COLUMNS))
    by_id, by_year = _reports(reports, cells)
    pending = [
        _Pending(by_id[str(rid)], Ambiguity.from_json(str(msg)), set())
        for rid, msg in zip(records["report_id"], records["message"], strict=True)
        if str(rid) in by_id
    ]
    equations = {id(p): _equations(p.report, by_year) for p in pending}
    involved = {r for eqs in equations.values() for e in eqs for _, r, _ in e.terms}
    known = _known(cells[cells["report_id"].isin(involved)])
    rows: list[dict[str, object]] = []
    for _ in range(MAX_PASSES):
        progress = False
        for p in pending:
            settled = _settle(p, equations[id(p)], known)
            for i, (reading, why) in settled.items():
                key = p.record.keys[i]
                p.settled.add(key)
                known.setdefault(p.report.report_id, {})[key] = reading.values[i]
                rows.append(_cell_row(p, i, reading, why))
                progress = True
        if not progress:
            break
    logger.debug("cross-year resolution: %d cells settled from %d records", len(rows), len(pending))
    return pd.DataFrame(rows, columns=list(CELL_COLUMNS))
