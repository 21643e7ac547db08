"""A panel you can trust: who reported, one report per agency and year, totals you can sum.

Whole-batch steps that :func:`extractor.dataset.tables.complete_tables` runs after the
per-document rows are merged (all idempotent, recomputed on every run):

- :func:`add_agencies` — the agency columns of ``reports`` (normalised name, region with division
  code, level, ``agency_key``) from :mod:`rules.agency`.
- :func:`choose_preferred` — ``preferred`` and ``preferred_reason``: one report per
  ``agency_key`` and ``report_year``, by the rules in :data:`PREFERENCE`.
- :func:`same_agency_year_warnings` — a ``same_agency_year`` warning on each of two or more
  different documents of one agency and year.
- :func:`derive_totals` — in the crosswalk, a row total printed blank whose six applicant columns
  are numbers gets their sum as its value, flagged (``derived``, ``method = derived``, a note);
  a printed value is never replaced.
"""

from __future__ import annotations

import logging
from enum import StrEnum

import pandas as pd

from rules.agency import AGENCY_FIELDS, resolve_agencies
from rules.checks import APPLICANT_COLS, TOLERANCE

logger = logging.getLogger(__name__)

SAME_AGENCY_YEAR = "same_agency_year"
DERIVED_TOTAL = "derived_total"
ROW_TOTAL = "total"
REQUESTS = "requests."
NOTE_FULL = "total printed blank; the sum of the six applicant columns"
NOTE_BLANKS = (
    "total printed blank; the sum of the applicant columns, its {n} blank cell(s) counted as 0 as this "
    "report's printed totals count them"
)
PREFERENCE = (
    "complete over partial (status ok before partial)",
    "later publication over earlier (publish_date)",
    "fewer failing checks (R1–R4)",
    "more cells read",
    "first by path",
)


class Method(StrEnum):
    PRINTED = "printed"
    DERIVED = "derived"


def add_agencies(reports: pd.DataFrame) -> pd.DataFrame:
    """``reports`` with the agency columns filled from the printed ``agency``."""
    out = reports.copy()
    found = resolve_agencies(out["agency"])
    rows = [found[str(a)].row() if str(a) in found else {} for a in out["agency"].astype(object)]
    for f in AGENCY_FIELDS:
        out[f] = pd.array([r.get(f) for r in rows], dtype="string")
    return out


def failing_counts(checks: pd.DataFrame) -> pd.Series:
    """report_id -> number of the report's own checks (R1–R4) that fail."""
    own = checks[checks["rule"].astype(str).str.match(r"R\d")]
    return own[own["passed"] == False].groupby("report_id").size()  # noqa: E712 - object column


def cell_counts(cells: pd.DataFrame) -> pd.Series:
    """report_id -> number of cells read."""
    return cells.groupby("report_id").size()


def _why(best: pd.Series, other: pd.Series) -> str:
    """The first rule of :data:`PREFERENCE` that tells ``best`` from ``other``."""
    for i, col in enumerate(("_complete", "_published", "_failing", "_cells")):
        if best[col] != other[col]:
            return PREFERENCE[i]
    return PREFERENCE[-1]


def choose_preferred(reports: pd.DataFrame, failing: pd.Series, n_cells: pd.Series) -> pd.DataFrame:
    """``reports`` with ``preferred`` (one per agency_key and report_year) and ``preferred_reason``;
    ``failing`` and ``n_cells`` are per-report counts (:func:`failing_counts`, :func:`cell_counts`),
    so that a caller scanning a large dataset in parts can give them without the whole tables."""
    out = reports.copy()
    out["preferred"] = pd.array([True] * len(out), dtype="boolean")
    reason = pd.Series("the only report of its agency and year", index=out.index, dtype="object")
    dup = out["duplicate_of"].notna()
    out.loc[dup, "preferred"] = False
    reason[dup] = "same content as " + out.loc[dup, "duplicate_of"].astype(str)
    bad = ~dup & (out["status"] == "failed")
    out.loc[bad, "preferred"] = False
    reason[bad] = "failed: nothing was read"
    unknown = ~dup & ~bad & (out["agency_key"].isna() | out["report_year"].isna())
    reason[unknown] = "no agency or no year printed: not compared with other reports"
    cand = out[~dup & ~bad & ~unknown].copy()
    cand["_complete"] = (cand["status"] == "ok").astype(int)
    cand["_published"] = cand["publish_date"].fillna("")
    cand["_failing"] = [-float(failing.get(r, 0)) for r in cand["report_id"]]
    cand["_cells"] = [float(n_cells.get(r, 0)) for r in cand["report_id"]]
    cand["_where"] = cand["root"].fillna("") + "/" + cand["source"].fillna("")
    cand = cand.sort_values(
        ["agency_key", "report_year", "_complete", "_published", "_failing", "_cells", "_where"],
        ascending=[True, True, False, False, False, False, True],
        kind="stable",
    )
    for _, group in cand.groupby(["agency_key", "report_year"], sort=False):
        if len(group) < 2:
            continue
        best = group.iloc[0]
        reason[best.name] = f"preferred over {len(group) - 1} other(s): {_why(best, group.iloc[1])}"
        for idx, row in group.iloc[1:].iterrows():
            out.loc[idx, "preferred"] = False
            reason[idx] = f"{best['report_id']} ({best['source']}) is preferred: {_why(best, row)}"
    out["preferred_reason"] = pd.array(reason.tolist(), dtype="string")
    return out


def same_agency_year_warnings(reports: pd.DataFrame) -> pd.DataFrame:
    """A warning on each of two or more different documents naming one agency (by agency_key) and year."""
    live = reports[reports["duplicate_of"].isna() & reports["agency_key"].notna() & reports["report_year"].notna()]
    live = live[live["status"] != "failed"]
    rows = []
    for (_, year), group in live.groupby(["agency_key", "report_year"]):
        if group["report_id"].nunique() < 2:
            continue
        names = ", ".join(sorted(group["source"]))
        chosen = group[group["preferred"].fillna(False).astype(bool)]
        pick = f"; preferred: {chosen['source'].iloc[0]}" if len(chosen) else ""
        agency = group["agency"].iloc[0]
        for rid in group["report_id"].unique():
            rows.append(
                {
                    "report_id": rid,
                    "kind": SAME_AGENCY_YEAR,
                    "message": f"{group['report_id'].nunique()} different documents report on {agency} {year}: "
                    f"{names}{pick}",
                }
            )
    return pd.DataFrame(rows, columns=["report_id", "kind", "message"])


def _row_sums(crosswalk: pd.DataFrame) -> pd.DataFrame:
    """Per report and section-三 row: how many applicant cells are numbers, blank or else, their sum,
    and the printed total (state, value)."""
    hk = crosswalk["hkey"].astype(str)
    req = crosswalk[hk.str.startswith(REQUESTS) & (crosswalk["derived"] == False)].copy()  # noqa: E712
    parts = req["hkey"].astype(str).str.rsplit(".", n=1)
    req["_row"], req["_col"] = parts.str[0], parts.str[1]
    cols = req[req["_col"].isin(APPLICANT_COLS)]
    grouped = cols.groupby(["report_id", "_row"])
    out = pd.DataFrame(
        {
            "n_number": grouped["state"].agg(lambda st: int((st == "number").sum())),
            "n_blank": grouped["state"].agg(lambda st: int((st == "blank").sum())),
            "n_cols": grouped.size(),
            "sum": grouped["value"].sum(min_count=1),
        }
    )
    totals = req[req["_col"] == ROW_TOTAL].set_index(["report_id", "_row"])
    out["total_state"] = totals["state"].reindex(out.index)
    out["total_value"] = totals["value"].reindex(out.index)
    return out


def _blank_means_zero(rows: pd.DataFrame) -> pd.Series:
    """Per report: whether its printed totals show that a blank applicant cell stands for 0 (every
    printed total of a row with blank and number cells equals the numbers' sum, and one such row exists)."""
    mixed = rows[(rows["total_state"] == "number") & (rows["n_blank"] > 0) & (rows["n_number"] > 0)]
    mixed = mixed[mixed["n_number"] + mixed["n_blank"] == mixed["n_cols"]]
    agrees = (mixed["sum"] - mixed["total_value"]).abs() <= TOLERANCE
    return agrees.groupby(level="report_id").all()


def derive_totals(crosswalk: pd.DataFrame) -> pd.DataFrame:
    """The crosswalk with ``method`` and ``note``: a section-三 row total printed blank whose six
    applicant columns are numbers gets their sum (``derived``, ``method = derived``, a note); so
    does one whose applicant cells are numbers and blanks when the report's own printed totals
    count a blank as 0. ``state`` keeps what was printed; a printed value is never replaced."""
    out = crosswalk.copy()
    out["method"] = pd.array([Method.DERIVED if d else Method.PRINTED for d in out["derived"]], dtype="string")
    out["note"] = pd.array([None] * len(out), dtype="string")
    if out.empty:
        return out
    rows = _row_sums(out)
    if rows.empty:  # no section 三 in the batch
        return out
    rows = rows.astype({"n_number": int, "n_blank": int, "n_cols": int})
    zero_ok = _blank_means_zero(rows)
    full = rows["n_number"] == len(APPLICANT_COLS)
    rid = rows.index.get_level_values("report_id")
    with_blanks = (
        (rows["n_number"] > 0)
        & (rows["n_number"] + rows["n_blank"] == len(APPLICANT_COLS))
        & pd.Series([bool(zero_ok.get(r, False)) for r in rid], index=rows.index)
    )
    todo = rows[(rows["total_state"] == "blank") & (full | with_blanks)]
    where = {(r, row): i for i, r, row in zip(out.index, out["report_id"], out["hkey"].astype(str), strict=True)}
    for (report, row), r in todo.iterrows():
        idx = where[(report, f"{row}.{ROW_TOTAL}")]
        out.at[idx, "value"] = float(r["sum"])
        out.at[idx, "derived"] = True
        out.at[idx, "method"] = Method.DERIVED
        out.at[idx, "note"] = (
            NOTE_FULL if r["n_number"] == len(APPLICANT_COLS) else NOTE_BLANKS.format(n=int(r["n_blank"]))
        )
    return out


def derived_total_warnings(crosswalk: pd.DataFrame) -> pd.DataFrame:
    """One warning per report whose blank row totals were derived."""
    hit = crosswalk[(crosswalk["method"] == Method.DERIVED) & (crosswalk["state"] == "blank")]
    rows = [
        {
            "report_id": rid,
            "kind": DERIVED_TOTAL,
            "message": f"{len(g)} row totals of section 三 are printed blank; the crosswalk derives them from "
            f"the applicant columns ({', '.join(g['hkey'])})",
        }
        for rid, g in hit.groupby("report_id")
    ]
    return pd.DataFrame(rows, columns=["report_id", "kind", "message"])


def with_panel_columns(table: pd.DataFrame, reports: pd.DataFrame) -> pd.DataFrame:
    """``table`` (one row per report_id or more) with agency_key and preferred from ``reports``."""
    extra = reports[["report_id", "agency_key", "preferred"]]
    out = table.drop(columns=[c for c in ("agency_key", "preferred") if c in table], errors="ignore")
    return out.merge(extra, on="report_id", how="left")
