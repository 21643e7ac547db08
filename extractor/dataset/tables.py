"""Dataset tables (pandas) and how they are written: Parquet always, CSV on request.

Column names and types are fixed here so that an empty table still has its schema. Each table is
a folder of Parquet parts swapped in whole; appending and reruns are the business of
:mod:`extractor.store`.
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
    """Write every table (and the wide views) into ``out_dir`` as ``<name>.parquet/part-0.parquet``.

    Each table folder is swapped in whole (see :func:`extractor.store.replace_table_dir`), so a
    reader never sees a half-written table. Returns the paths written.
    """
    from extractor.store import replace_table_dir

    out_dir.mkdir(parents=True, exist_ok=True)
    everything = dict(tables) if "crosswalk" in tables else complete_tables(tables)
    for version in ("2019", "2021"):
        everything[f"wide_{version}"] = wide(tables["reports"], tables["cells"], version)
    written = []
    for name, df in everything.items():
        path = out_dir / f"{name}.parquet"
        replace_table_dir(path, partial(_to_parquet, df))
        written.append(path)
        if csv:
            cpath = out_dir / f"{name}.csv"
            _atomic_write(cpath, partial(_to_csv, df))
            written.append(cpath)
    return written


def _to_parquet(df: pd.DataFrame, folder: Path) -> None:
    df.to_parquet(folder / "part-0.parquet", engine="pyarrow", index=False)


def _to_csv(df: pd.DataFrame, path: str) -> None:
    df.to_csv(path, index=False, encoding="utf-8")
