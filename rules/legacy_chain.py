"""The cumulative chain of legacy statistics tables across an agency's years (whole batch, pandas).

A provincial table prints 本年度 and 历年累计; in archive dumps their digits often run together
(``20263542``). A row the report itself cannot cut (rules/legacy.py) is cut here when the
agency's neighbouring years decide it:

X4  this year's 历年累计 = last year's 历年累计 + this year's figure

Only a reading that satisfies X4 with a year whose own row was determined is kept; when one
year's figure remains, it becomes a cell (method ``<method>+chain``, with the reason in ``note``).
Rows determined by their own report are checked against the chain (rule X4 in ``checks``).
An agency is matched by its printed name (rules.crossyear.agency_key); years must be consecutive.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import pandas as pd

from rules.constants import TOLERANCE
from rules.crossyear import agency_key
from rules.data import schema_keys
from rules.legacy_data import LEGACY

logger = logging.getLogger(__name__)

CHAIN_RULE = "X4"
CHAIN_SUFFIX = "+chain"
CONFIDENCE_CHAIN = 0.75

Pair = tuple[float | None, float | None]


def parse_options(text: str) -> list[Pair]:
    out: list[Pair] = []
    for part in str(text).split(";"):
        if "|" not in part:
            continue
        y, c = part.split("|", 1)
        out.append((float(y) if y else None, float(c) if c else None))
    return out


@dataclass
class _Row:
    report_id: str
    year: int
    printed: str
    options: list[Pair]
    determined: bool
    method: str
    locator: str | None
    why: list[str] = field(default_factory=list)

    @property
    def single(self) -> Pair | None:
        return self.options[0] if len({o[0] for o in self.options}) == 1 and len(self.options) == 1 else None


def _fits(prev_cum: float | None, year: float | None, cum: float | None) -> bool | None:
    if prev_cum is None or year is None or cum is None:
        return None
    return abs(prev_cum + year - cum) <= TOLERANCE


def _narrow(rows: dict[int, _Row]) -> set[int]:
    """Cut undetermined rows by their determined neighbours until nothing changes; the years cut."""
    cut: set[int] = set()
    changed = True
    while changed:
        changed = False
        for y, row in rows.items():
            if row.single is not None:
                continue
            prev, nxt = rows.get(y - 1), rows.get(y + 1)
            keep = row.options
            if prev is not None and prev.single is not None:
                c0 = prev.single[1]
                kept = [o for o in keep if _fits(c0, o[0], o[1]) is True]
                if kept and len(kept) < len(keep):
                    row.why.append(f"{y - 1}'s 历年累计 {c0:g} + this year = this year's 历年累计")
                    keep = kept
            if nxt is not None and nxt.single is not None:
                y1, c1 = nxt.single
                kept = [o for o in keep if _fits(o[1], y1, c1) is True]
                if kept and len(kept) < len(keep):
                    row.why.append(f"this year's 历年累计 + {y + 1}'s {y1:g} = {y + 1}'s 历年累计 {c1:g}")
                    keep = kept
            if len(keep) < len(row.options):
                row.options = keep
                changed = True
                if row.single is not None:
                    cut.add(y)
    return cut


def chain_legacy(reports: pd.DataFrame, readings: pd.DataFrame | None) -> tuple[list[dict], list[dict]]:
    """Cells the chain decides and X4 checks, as rows of the ``cells`` and ``checks`` tables."""
    if readings is None or readings.empty:
        return [], []
    legacy = reports[
        reports["duplicate_of"].isna() & (reports["format_version"] == LEGACY) & reports["report_year"].notna()
    ].copy()
    legacy["agency_key"] = legacy["agency"].map(agency_key)
    legacy = legacy[legacy["agency_key"].notna()].sort_values(["agency_key", "report_year", "source"])
    legacy = legacy.drop_duplicates(["agency_key", "report_year"], keep="first")
    merged = readings.merge(legacy[["report_id", "agency_key", "report_year"]], on="report_id")
    cells: list[dict] = []
    checks: list[dict] = []
    keys = schema_keys(LEGACY)
    for (_, key), grp in merged.groupby(["agency_key", "key"], sort=True):
        rows = {
            int(r.report_year): _Row(
                str(r.report_id),
                int(r.report_year),
                str(r.printed),
                parse_options(r.options),
                bool(r.determined),
                str(r.method),
                None if pd.isna(r.locator) else str(r.locator),
            )
            for r in grp.itertuples()
        }
        for y in sorted(rows):
            row, prev = rows[y], rows.get(y - 1)
            if row.determined and prev is not None and prev.determined and row.single and prev.single:
                ok = _fits(prev.single[1], row.single[0], row.single[1])
                detail = f"{y - 1} 历年累计 {prev.single[1]} + {y} {row.single[0]} vs {y} 历年累计 {row.single[1]}"
                checks.append(
                    {"report_id": row.report_id, "rule": CHAIN_RULE, "scope": key, "passed": ok, "detail": detail}
                )
        for y in sorted(_narrow(rows)):
            row = rows[y]
            value = row.options[0][0]
            cell = keys[key]
            cells.append(
                {
                    "report_id": row.report_id,
                    "key": key,
                    "table": cell.table,
                    "row": cell.row,
                    "col": cell.col,
                    "value": value,
                    "state": "number",
                    "raw": f"{value:g}",
                    "unit": cell.unit,
                    "page": None,
                    "bbox": None,
                    "locator": row.locator,
                    "method": row.method + CHAIN_SUFFIX,
                    "confidence": CONFIDENCE_CHAIN,
                    "note": f"cut from printed {row.printed!r} by the cumulative chain ({'; '.join(row.why)})",
                }
            )
            logger.info("%s %s: %s cut by the cumulative chain", row.report_id, key, row.printed)
    return cells, checks
