"""What a finished run says about itself: counts, failing checks, slow documents, suspect pairs."""

from __future__ import annotations

import pandas as pd

from extractor.dataset.finish import SAME_AGENCY_YEAR
from extractor.model import Status

SLOWEST = 5


def run_summary(tables: dict[str, pd.DataFrame], processed: int, skipped: int, seconds: float) -> str:
    """A short plain-text summary of the dataset after a run."""
    reports, checks = tables["reports"], tables["checks"]
    lines = [
        f"{processed} documents processed in {seconds:.1f} s, {skipped} unchanged and skipped; "
        f"dataset holds {len(reports)} documents"
    ]
    by_status = reports["status"].value_counts()
    lines.append("  by status: " + ", ".join(f"{by_status.get(s, 0)} {s}" for s in Status))
    versions = reports["format_version"].fillna("none").value_counts()
    lines.append("  by form version: " + ", ".join(f"{n} {v}" for v, n in versions.items()))
    if "preferred" in reports and "agency_key" in reports:
        panel = reports[reports["preferred"].fillna(False).astype(bool) & reports["agency_key"].notna()]
        lines.append(
            f"  panel: {len(panel)} agency-years of {panel['agency_key'].nunique()} agencies "
            f"(one preferred report each; see reports.preferred_reason)"
        )
    dups = int(reports["duplicate_of"].notna().sum())
    if dups:
        lines.append(f"  duplicates (same content under another name): {dups}")
    fails = checks[checks["passed"].eq(False)]
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
