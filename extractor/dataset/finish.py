"""Finishing a set of extracted reports as one dataset, in memory: what needs every report at once.

Documents that name the same agency and year are flagged (``same_agency_year`` warnings), then the
whole-dataset tables are completed (:func:`extractor.dataset.tables.complete_tables`: cells settled
across years, cross-year checks, crosswalk). :func:`extractor.batch.finish.finish` adds writing
the tables and the QA report; ``extractor.api.combine`` uses this directly.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import pandas as pd

from extractor.dataset.tables import COLUMNS, complete_tables
from extractor.model import Status

logger = logging.getLogger(__name__)

SAME_AGENCY_YEAR = "same_agency_year"  # the warnings kind


def flag_same_agency_year(tables: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Add a ``same_agency_year`` warning to each of two or more different documents that name the
    same agency and year (a re-published report, or a mislabelled one)."""
    reports = tables["reports"]
    live = reports[reports["duplicate_of"].isna() & reports["agency"].notna() & reports["report_year"].notna()]
    live = live[live["status"] != Status.FAILED]
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
    out = dict(tables)
    if not rows:
        return out
    kept = out["warnings"][out["warnings"]["kind"] != SAME_AGENCY_YEAR]
    out["warnings"] = pd.concat([kept, pd.DataFrame(rows)], ignore_index=True).astype(COLUMNS["warnings"])
    return out


def finish_tables(tables: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The finished tables of a compacted set of reports (idempotent: a rerun recomputes, never
    repeats, what it adds)."""
    return complete_tables(flag_same_agency_year(tables))
