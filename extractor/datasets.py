"""Dataset tables (pandas) and how they are written: Parquet always, CSV on request.

Column names and types are fixed here so that an empty table still has its schema. Writes are
atomic (temporary file, then rename), and a rerun into an existing folder replaces the rows of
the sources it processed again and keeps the rest.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from pathlib import Path

import pandas as pd

from extractor.crosswalk import harmonise
from rules.crossyear import CROSSYEAR_RULES, crossyear_checks
from rules.data import schema

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
        "passed": "object",
        "detail": "string",
    },
    "warnings": {"report_id": "string", "kind": "string", "message": "string"},
}
TABLES = tuple(COLUMNS)
TIMING_COLUMNS = ("seconds",)


def frame(name: str, rows: Iterable[Mapping[str, object]]) -> pd.DataFrame:
    cols = COLUMNS[name]
    df = pd.DataFrame(list(rows), columns=list(cols))
    return df.astype(cols)


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


def _atomic_write(path: Path, write: Callable[[str], object]) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_table(out_dir: Path, name: str) -> pd.DataFrame | None:
    path = out_dir / f"{name}.parquet"
    if not path.exists():
        return None
    return pd.read_parquet(path).astype(COLUMNS[name])


def merge_existing(out_dir: Path, new: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Combine ``new`` with what ``out_dir`` already holds: rows of re-processed sources are replaced."""
    old_reports = read_table(out_dir, "reports")
    if old_reports is None or old_reports.empty:
        return dict(new)
    new_reports = new["reports"]
    kept_reports = old_reports[~old_reports["source"].isin(new_reports["source"])]
    keep_ids = set(kept_reports["report_id"].dropna()) - set(new_reports["report_id"].dropna())
    merged = {"reports": pd.concat([kept_reports, new_reports], ignore_index=True)}
    for name in TABLES:
        if name == "reports":
            continue
        old = read_table(out_dir, name)
        parts = [new[name]]
        if old is not None and not old.empty:
            parts.insert(0, old[old["report_id"].isin(keep_ids)])
        merged[name] = pd.concat(parts, ignore_index=True).astype(COLUMNS[name])
    return merged


def complete_tables(tables: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Add what needs the whole batch: cross-year checks (X1, X2) in ``checks``, and ``crosswalk``.

    Idempotent: cross-year rows already in ``checks`` (from an earlier run) are recomputed.
    """
    out = dict(tables)
    checks = tables["checks"]
    checks = checks[~checks["rule"].isin(CROSSYEAR_RULES)]
    extra = crossyear_checks(tables["reports"], tables["cells"])
    out["checks"] = pd.concat([checks, extra.astype(COLUMNS["checks"])], ignore_index=True).astype(COLUMNS["checks"])
    out["crosswalk"] = harmonise(tables["reports"], tables["cells"])
    return out


def write_dataset(out_dir: Path, tables: Mapping[str, pd.DataFrame], csv: bool = False) -> list[Path]:
    """Write every table (completed by :func:`complete_tables`, plus the wide views) into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    everything = dict(tables) if "crosswalk" in tables else complete_tables(tables)
    for version in ("2019", "2021"):
        everything[f"wide_{version}"] = wide(tables["reports"], tables["cells"], version)
    written = []
    for name, df in everything.items():
        path = out_dir / f"{name}.parquet"
        _atomic_write(path, partial(_to_parquet, df))
        written.append(path)
        if csv:
            cpath = out_dir / f"{name}.csv"
            _atomic_write(cpath, partial(_to_csv, df))
            written.append(cpath)
    return written


def _to_parquet(df: pd.DataFrame, path: str) -> None:
    df.to_parquet(path, engine="pyarrow", index=False)


def _to_csv(df: pd.DataFrame, path: str) -> None:
    df.to_csv(path, index=False, encoding="utf-8")
