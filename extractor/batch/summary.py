"""What a finished run says about itself: counts, failing checks, slow documents, suspect pairs."""

from __future__ import annotations

import pandas as pd

from extractor.dataset.tables import COLUMNS, SAME_AGENCY_YEAR

SLOWEST = 5


def same_agency_year_warnings(reports: pd.DataFrame) -> pd.DataFrame:
    """A ``same_agency_year`` warning for each of two or more different documents that name the
    same agency and year (a re-published report, or a mislabelled one)."""
    live = reports[reports["duplicate_of"].isna() & reports["agency"].notna() & reports["report_year"].notna()]
    live = live[live["status"] != "failed"]
    ids = live.groupby(["agency", "report_year"])["report_id"].transform("nunique")
    live = live[ids >= 2]  # looping over every group was slow at 10⁵ documents
    rows = []
    for (agency, year), group in live.groupby(["agency", "report_year"]):
        ids = group["report_id"].unique()
        if len(ids) < 2:
            continue
        names = ", ".join(sorted(group["source"]))
        for rid in ids:
            rows.append(
                {
                    "report_id": rid,
                    "kind": SAME_AGENCY_YEAR,
                    "message": f"{len(ids)} different documents report on {agency} {year}: {names}",
                }
            )
    return pd.DataFrame(rows, columns=list(COLUMNS["warnings"])).astype(COLUMNS["warnings"])


def flag_same_agency_year(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """``tables`` with :func:`same_agency_year_warnings` (re)placed in ``warnings``."""
    rows = same_agency_year_warnings(tables["reports"])
    if not len(rows):
        return tables
    out = dict(tables)
    kept = out["warnings"][out["warnings"]["kind"] != SAME_AGENCY_YEAR]
    out["warnings"] = pd.concat([kept, rows], ignore_index=True).astype(COLUMNS["warnings"])
    return out


def run_summary(tables: dict[str, pd.DataFrame], processed: int, skipped: int, seconds: float) -> str:
    """A short plain-text summary of the dataset after a run."""
    reports, checks = tables["reports"], tables["checks"]
    lines = [
        f"{processed} documents processed in {seconds:.1f} s, {skipped} unchanged and skipped; "
        f"dataset holds {len(reports)} documents"
    ]
    by_status = reports["status"].value_counts()
    lines.append("  by status: " + ", ".join(f"{by_status.get(s, 0)} {s}" for s in ("ok", "partial", "failed")))
    versions = reports["format_version"].fillna("none").value_counts()
    lines.append("  by form version: " + ", ".join(f"{n} {v}" for v, n in versions.items()))
    dups = int(reports["duplicate_of"].notna().sum())
    if dups:
        lines.append(f"  duplicates (same content under another name): {dups}")
    fails = checks[checks["passed"] == False]  # noqa: E712 - object column of True/False/None
    if len(fails):
        per_rule = fails.groupby("rule").size()
        lines.append(
            "  failing checks: "
            + ", ".join(f"{r} {n}" for r, n in per_rule.items())
            + f" in {fails['report_id'].nunique()} documents"
        )
    same = tables["warnings"][tables["warnings"]["kind"] == SAME_AGENCY_YEAR]
    if len(same):
        lines.append(f"  documents sharing an agency and year with another: {same['report_id'].nunique()}")
    slow = reports.dropna(subset=["seconds"]).nlargest(SLOWEST, "seconds")
    if len(slow):
        lines.append(
            "  slowest: " + ", ".join(f"{s} ({t:.2f} s)" for s, t in zip(slow["source"], slow["seconds"], strict=True))
        )
    return "\n".join(lines)
