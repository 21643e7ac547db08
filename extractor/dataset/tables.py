"""Dataset tables (pandas): their columns and types, and the tables that need the whole batch.

Column names and types are fixed here so that an empty table still has its schema. Writing is
:mod:`extractor.dataset.write`; appending and reruns are the business of :mod:`extractor.batch.store`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

import pandas as pd

from extractor.dataset.crosswalk import harmonise
from extractor.pipeline import Extraction
from rules.crossyear import CROSSYEAR_RULES, crossyear_checks
from rules.crossyear_resolve import RESOLVED_METHOD, resolve_across_years
from rules.data import schema
from rules.legacy_chain import CHAIN_RULE, CHAIN_SUFFIX, chain_legacy

logger = logging.getLogger(__name__)

COLUMNS: dict[str, dict[str, str]] = {
    "reports": {
        "report_id": "string",
        "source": "string",
        "file_format": "string",
        "status": "string",
        "error": "string",
        "agency": "string",
        "report_year": "Int64",
        "format_version": "string",
        "publish_date": "string",
        "duplicate_of": "string",
        "n_pages": "Int64",
        "n_cells": "Int64",
        "n_bytes": "Int64",
        "seconds": "float64",
    },
    "cells": {
        "report_id": "string",
        "key": "string",
        "table": "string",
        "row": "string",
        "col": "string",
        "value": "float64",
        "state": "string",
        "raw": "string",
        "unit": "string",
        "page": "Int64",
        "bbox": "string",
        "locator": "string",
        "method": "string",
        "confidence": "float64",
        "note": "string",
    },
    "sections": {"report_id": "string", "number": "Int64", "heading": "string", "text": "string"},
    "checks": {
        "report_id": "string",
        "rule": "string",
        "scope": "string",
        "passed": "boolean",  # nullable: <NA> when a check cannot be evaluated
        "detail": "string",
    },
    "warnings": {"report_id": "string", "kind": "string", "message": "string"},
    # figures stated in sentences (rules/prose_facts.py); keys: legacy.* or documented facts.*
    "facts": {
        "report_id": "string",
        "key": "string",
        "value": "float64",
        "unit": "string",
        "section": "Int64",
        "sentence": "string",
        "span": "string",
        "confidence": "float64",
    },
    # legacy statistics-table rows with a cumulative column: their readings "year|cumulative;…"
    # (rules/legacy.py), for the cumulative chain across an agency's years (rules/legacy_chain.py)
    "legacy_readings": {
        "report_id": "string",
        "key": "string",
        "printed": "string",
        "options": "string",
        "determined": "boolean",
        "method": "string",
        "locator": "string",
    },
}
TABLES = tuple(COLUMNS)
ROW_TABLES = (
    "cells",
    "sections",
    "checks",
    "warnings",
    "facts",
    "legacy_readings",
)  # an extraction's rows besides its reports row


def frame(name: str, rows: Iterable[Mapping[str, object]]) -> pd.DataFrame:
    cols = COLUMNS[name]
    df = pd.DataFrame(list(rows), columns=list(cols))
    return df.astype(cols)


def extraction_tables(extractions: Iterable[Extraction]) -> dict[str, pd.DataFrame]:
    """The per-document tables of some extractions (the rows of each are an attribute of Extraction)."""
    ex = list(extractions)
    out = {"reports": frame("reports", (e.report for e in ex))}
    for name in ROW_TABLES:
        out[name] = frame(name, (row for e in ex for row in getattr(e, name)))
    return out


def wide(reports: pd.DataFrame, cells: pd.DataFrame, version: str) -> pd.DataFrame:
    """One row per report of ``version``, one column per canonical key (form order)."""
    keys = [c.key for c in schema()[version]]
    meta = reports.loc[
        (reports["format_version"] == version) & reports["duplicate_of"].isna(),
        ["report_id", "source", "agency", "report_year"],
    ]
    mine = cells[cells["report_id"].isin(meta["report_id"]) & cells["key"].isin(keys)]
    values = mine.pivot_table(index="report_id", columns="key", values="value", aggfunc="first", dropna=False)
    values = values.reindex(columns=keys)
    out = meta.merge(values, left_on="report_id", right_index=True, how="left")
    return out.reset_index(drop=True)


def complete_tables(tables: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Add what needs the whole batch: cells settled by the agency's neighbouring years
    (:mod:`rules.crossyear_resolve`), cross-year checks (X1, X2) in ``checks``, and ``crosswalk``.

    Idempotent: settled cells and cross-year checks already there (from an earlier run) are recomputed.
    """
    out = dict(tables)
    out["cells"] = cells = settle_across_years(tables)
    checks = tables["checks"]
    checks = checks[~checks["rule"].isin((*CROSSYEAR_RULES, CHAIN_RULE))]
    extra = crossyear_checks(tables["reports"], cells)
    # legacy rows whose year|cumulative digits ran together, cut by the agency's other years
    chained, chain_checks = chain_legacy(tables["reports"], tables.get("legacy_readings"))
    cells = cells[~cells["method"].fillna("").str.endswith(CHAIN_SUFFIX)]
    out["cells"] = cells = pd.concat([cells, frame("cells", chained)], ignore_index=True).astype(COLUMNS["cells"])
    parts = [checks, extra.astype(COLUMNS["checks"]), frame("checks", chain_checks)]
    out["checks"] = pd.concat(parts, ignore_index=True).astype(COLUMNS["checks"])
    out["crosswalk"] = harmonise(tables["reports"], cells, tables.get("facts"))
    return out


def settle_across_years(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """``cells`` with the cells that the same agency's adjacent years settle (earlier ones replaced)."""
    cells = tables["cells"]
    cells = cells[cells["method"] != RESOLVED_METHOD]
    warnings = tables.get("warnings")
    if warnings is None or warnings.empty:
        return cells.reset_index(drop=True)
    settled = resolve_across_years(tables["reports"], cells, warnings)
    if settled.empty:
        return cells.reset_index(drop=True)
    return pd.concat([cells, settled.astype(COLUMNS["cells"])], ignore_index=True).astype(COLUMNS["cells"])
