"""Dataset tables (pandas): their columns and types, and the tables that need the whole batch.

Column names and types are fixed here so that an empty table still has its schema. Writing is
:mod:`extractor.dataset.write`; appending and reruns are the business of :mod:`extractor.batch.store`.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from extractor.dataset.crosswalk import harmonise
from extractor.dataset.panel import (
    DERIVED_TOTAL,
    SAME_AGENCY_YEAR,
    add_agencies,
    cell_counts,
    choose_preferred,
    derive_totals,
    derived_total_warnings,
    failing_counts,
    same_agency_year_warnings,
    with_panel_columns,
)
from extractor.pipeline import Extraction
from rules.crossyear import CROSSYEAR_RULES, crossyear_checks
from rules.crossyear_resolve import RESOLVED_METHOD, resolve_across_years
from rules.data import VERSIONS, schema
from rules.legacy_chain import CHAIN_RULE, CHAIN_SUFFIX, chain_legacy

logger = logging.getLogger(__name__)

COLUMNS: dict[str, dict[str, str]] = {
    "reports": {
        "report_id": "string",
        "content_id": "string",
        "source": "string",
        "root": "string",
        "file_format": "string",
        "status": "string",
        "error": "string",
        "agency": "string",
        # who reported (rules/agency.py), filled by complete_tables
        "agency_name": "string",
        "province": "string",
        "prefecture": "string",
        "county": "string",
        "division_code": "string",
        "level": "string",
        "agency_key": "string",
        "agency_note": "string",
        "report_year": "Int64",
        "format_version": "string",
        "publish_date": "string",
        "duplicate_of": "string",
        # one report per agency_key and year (extractor/dataset/panel.py), filled by complete_tables
        "preferred": "boolean",
        "preferred_reason": "string",
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


WIDE_META = (
    "report_id",
    "content_id",
    "source",
    "root",
    "agency",
    "agency_key",
    "province",
    "prefecture",
    "county",
    "division_code",
    "level",
    "report_year",
    "format_version",
    "status",
    "preferred",
    "duplicate_of",
)
COUNT_UNITS = frozenset({"件", "项", "条"})
WIDE_VERSIONS = (*VERSIONS, "legacy")
ABSENT = "absent"  # the report does not print the cell (no row in ``cells``)


HYBRID_ROW = "requests.other."  # the 2019 form's single （六）其他处理 row, printed by some 2021 reports


def wide_keys(cells: pd.DataFrame, version: str) -> list[str]:
    """The form's keys in form order; for the 2021 form also the hybrid report's single
    （六）其他处理 row (under the 2019 keys ``requests.other.<col>``), and any other key a report of
    this form prints, in the order of the form that has it."""
    keys = [c.key for c in schema()[version]]
    every = [c.key for v in VERSIONS for c in schema()[v]]
    if version == "2021":
        keys += [k for k in (c.key for c in schema()["2019"]) if k.startswith(HYBRID_ROW) and k not in keys]
    known = set(keys)
    extra = set(cells["key"].dropna().astype(str)) - known
    rank = {k: i for i, k in enumerate(every)}
    return keys + sorted(extra, key=lambda k: (rank.get(k, len(rank)), k))


@functools.cache
def _units() -> dict[str, str]:
    return {c.key: c.unit for v in schema().values() for c in v}


def wide_dtype(key: str, whole: bool) -> str:
    """A wide column's type: nullable integers for a count whose values are all whole."""
    return "Int64" if _units().get(key, "件") in COUNT_UNITS and whole else "Float64"


def _whole(values: pd.DataFrame) -> pd.Series:
    """Per column: whether every value present is a whole number."""
    arr = values.to_numpy(dtype="float64", na_value=np.nan)
    with np.errstate(invalid="ignore"):
        ok = np.isnan(arr) | (np.isfinite(arr) & (arr == np.floor(arr)))
    return pd.Series(ok.all(axis=0), index=values.columns)


def wide_info(values: pd.DataFrame, states: pd.DataFrame, version: str) -> dict[str, list[str]]:
    """What a part of ``wide_<version>`` (and its state table) adds to the whole table's columns:
    the keys beyond the form's that its reports print (``keys``) and the keys with a value that is
    not whole (``fractional``), so that parts can be made to agree (:func:`conform_wide`)."""
    base = set(wide_keys(pd.DataFrame({"key": pd.Series(dtype="string")}), version))
    keys = [c for c in values.columns if c not in WIDE_META]
    extra = [c for c in keys if c not in base]
    printed = (states[extra].to_numpy(dtype=object) != ABSENT).any(axis=0) if extra else []
    whole = _whole(values[keys]) if keys else pd.Series(dtype=bool)
    return {
        "keys": sorted(k for k, p in zip(extra, printed, strict=True) if p),
        "fractional": sorted(whole.index[~whole.to_numpy(dtype=bool)]),
    }


def wide_columns(version: str, infos: Iterable[Mapping[str, list[str]]]) -> dict[str, str]:
    """The key columns of ``wide_<version>`` and their types, for the union of some parts'
    :func:`wide_info`: what :func:`wide` gives for all their reports at once."""
    infos = list(infos)
    extra = {k for i in infos for k in i.get("keys", [])}
    fractional = {k for i in infos for k in i.get("fractional", [])}
    keys = wide_keys(pd.DataFrame({"key": sorted(extra)}, dtype="string"), version)
    return {k: wide_dtype(k, k not in fractional) for k in keys}


def conform_wide(df: pd.DataFrame, columns: Mapping[str, str], state: bool) -> pd.DataFrame:
    """A part of a wide table (values or, ``state``, states) with exactly the key ``columns`` (in
    order, of their types): a key the part lacks is missing (values) or ``absent`` (states)."""
    meta = [c for c in df.columns if c in WIDE_META]
    have = [c for c in df.columns if c not in WIDE_META]
    if have == list(columns) and all(str(df[k].dtype) == ("string" if state else t) for k, t in columns.items()):
        return df
    missing = {k: t for k, t in columns.items() if k not in df}
    filler = pd.DataFrame(
        {
            k: pd.array([ABSENT if state else None] * len(df), dtype="string" if state else t)
            for k, t in missing.items()
        },
        index=df.index,
    )
    out = pd.concat([df[meta + [k for k in columns if k in df]], filler], axis=1)[meta + list(columns)]
    present = [k for k in columns if k in df]
    if state:
        return out.astype(dict.fromkeys(present, "string"))
    return out.astype({k: "Float64" for k in present}).astype({k: columns[k] for k in present})


def wide(reports: pd.DataFrame, cells: pd.DataFrame, version: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per report of ``version`` (duplicates too, with the cells of the document they
    copy), one column per key: values (nullable ints for counts) and, beside, their states
    (number, blank, dash, text, or ``absent`` where the report does not print the cell)."""
    meta = reports.loc[reports["format_version"] == version, [c for c in WIDE_META if c in reports]].copy()
    meta["_cells_of"] = meta["duplicate_of"].fillna(meta["report_id"])
    mine = cells[cells["report_id"].isin(meta["_cells_of"])]
    keys = wide_keys(mine, version)
    mine = mine[mine["key"].isin(keys)]
    values = mine.pivot_table(index="report_id", columns="key", values="value", aggfunc="first", dropna=False)
    states = mine.pivot_table(index="report_id", columns="key", values="state", aggfunc="first", dropna=False)
    values = values.reindex(columns=keys, index=meta["_cells_of"].unique())
    states = states.reindex(columns=keys, index=meta["_cells_of"].unique())
    whole = _whole(values)
    values = values.astype({k: wide_dtype(k, bool(whole[k])) for k in keys})
    states = states.astype(object).fillna(ABSENT).astype("string")
    out = meta.merge(values, left_on="_cells_of", right_index=True, how="left")
    st = meta.merge(states, left_on="_cells_of", right_index=True, how="left")
    drop = ["_cells_of"]
    return out.drop(columns=drop).reset_index(drop=True), st.drop(columns=drop).reset_index(drop=True)


def complete_tables(tables: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Add what needs the whole batch: the agency columns and ``preferred`` in ``reports``, cells
    settled by the agency's neighbouring years (:mod:`rules.crossyear_resolve`), cross-year checks
    (X0–X3) in ``checks``, ``same_agency_year`` and ``derived_total`` warnings, and ``crosswalk``
    (with derived totals, agency_key and preferred).

    Idempotent: what an earlier run added (settled cells, cross-year checks, those warnings) is
    recomputed.
    """
    out = dict(tables)
    reports = add_agencies(tables["reports"])
    reports = choose_preferred(reports, failing_counts(tables["checks"]), cell_counts(tables["cells"]))
    out["reports"] = reports = reports.astype(COLUMNS["reports"])
    out["cells"] = cells = settle_across_years({**tables, "reports": reports})
    checks = tables["checks"]
    checks = checks[~checks["rule"].isin((*CROSSYEAR_RULES, CHAIN_RULE))]
    extra = crossyear_checks(reports, cells)
    # legacy rows whose year|cumulative digits ran together, cut by the agency's other years
    chained, chain_checks = chain_legacy(reports, tables.get("legacy_readings"))
    cells = cells[~cells["method"].fillna("").str.endswith(CHAIN_SUFFIX)]
    out["cells"] = cells = pd.concat([cells, frame("cells", chained)], ignore_index=True).astype(COLUMNS["cells"])
    parts = [checks, extra.astype(COLUMNS["checks"]), frame("checks", chain_checks)]
    out["checks"] = pd.concat(parts, ignore_index=True).astype(COLUMNS["checks"])
    crosswalk = with_panel_columns(derive_totals(harmonise(reports, cells, tables.get("facts"))), reports)
    out["crosswalk"] = crosswalk
    warnings = tables["warnings"]
    warnings = warnings[~warnings["kind"].isin((SAME_AGENCY_YEAR, DERIVED_TOTAL))]
    new = [same_agency_year_warnings(reports), derived_total_warnings(crosswalk)]
    out["warnings"] = pd.concat([warnings, *new], ignore_index=True).astype(COLUMNS["warnings"])
    return out


def wide_tables(tables: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """``wide_<version>`` (values) and ``wide_<version>_state`` (what each cell printed) per form,
    legacy included."""
    out: dict[str, pd.DataFrame] = {}
    for version in WIDE_VERSIONS:
        out[f"wide_{version}"], out[f"wide_{version}_state"] = wide(tables["reports"], tables["cells"], version)
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
