"""The output folder as an append-only, crash-safe store of Parquet parts.

Layout: ``OUT/<table>.parquet/`` is a folder of parts that ``pandas.read_parquet`` reads as one
table. During a run every checkpoint appends one *chunk*: a part per table, written to a temporary
name and renamed into place, the ``reports`` part last — a chunk counts only once its reports part
exists, so a run killed at any instant leaves either a whole chunk or an orphan that the next run
deletes. At the end of a run the parts are compacted into one per table (rows of re-processed
sources superseded), each table swapped in with directory renames that a later run can finish
or roll back.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from extractor.dataset.tables import COLUMNS, TABLES, frame
from extractor.dataset.write import write_dataset
from extractor.pipeline import Extraction

logger = logging.getLogger(__name__)

PART_GLOB = "part-*.parquet"
_ORDER = "_chunk_order"


def table_dir(out_dir: Path, name: str) -> Path:
    return out_dir / f"{name}.parquet"


def _chunk_id() -> str:
    return f"{time.time_ns():020d}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


def _chunk_of(part: Path) -> str:
    return part.name[len("part-") : -len(".parquet")]


def _write_part(folder: Path, chunk: str, df: pd.DataFrame) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / f"part-{chunk}.parquet"
    tmp = folder / f".part-{chunk}.parquet.tmp"
    df.to_parquet(tmp, engine="pyarrow", index=False)
    os.replace(tmp, final)


class DatasetStore:
    """Append chunks of extractions to ``out_dir`` and compact them at the end."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        out_dir.mkdir(parents=True, exist_ok=True)
        self.recover()

    # -- crash recovery ---------------------------------------------------------------------------
    def recover(self) -> None:
        """Finish or roll back an interrupted swap, and drop half-written or orphan parts."""
        for name in TABLES:
            legacy = table_dir(self.out_dir, name)
            if legacy.is_file():  # a single-file table from an older version: becomes a part
                moved = legacy.with_name(f".{legacy.name}.legacy")
                os.rename(legacy, moved)
                legacy.mkdir()
                os.rename(moved, legacy / "part-00000000000000000000-legacy.parquet")
        for new in self.out_dir.glob(".*.parquet.new-*"):
            final = self.out_dir / new.name[1:].split(".new-")[0]
            if final.exists():
                shutil.rmtree(new, ignore_errors=True)
            else:
                logger.warning("finishing an interrupted update of %s", final.name)
                os.rename(new, final)
        for old in self.out_dir.glob(".*.parquet.old-*"):
            final = self.out_dir / old.name[1:].split(".old-")[0]
            if final.exists():
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.rename(old, final)
        for tmp in self.out_dir.glob("*.parquet/.part-*.tmp"):
            tmp.unlink(missing_ok=True)
        for stray in self.out_dir.glob(".*.tmp"):
            stray.unlink(missing_ok=True)
        committed = {_chunk_of(p) for p in table_dir(self.out_dir, "reports").glob(PART_GLOB)}
        for name in TABLES:
            if name == "reports":
                continue
            for part in table_dir(self.out_dir, name).glob(PART_GLOB):
                if _chunk_of(part) not in committed:
                    logger.warning("removing %s: its run was interrupted before the chunk was committed", part)
                    part.unlink()

    # -- reading ----------------------------------------------------------------------------------
    def _read_parts(self, name: str) -> pd.DataFrame:
        parts = sorted(table_dir(self.out_dir, name).glob(PART_GLOB), key=_chunk_of)
        frames = []
        for part in parts:
            df = pd.read_parquet(part)
            df[_ORDER] = _chunk_of(part)  # chunk ids sort in the order they were written
            frames.append(df)
        if not frames:
            empty = frame(name, [])
            empty[_ORDER] = pd.Series(dtype="object")
            return empty
        return pd.concat(frames, ignore_index=True)

    def reports(self) -> pd.DataFrame:
        """Every committed reports row (all chunks, superseded ones included)."""
        df = self._read_parts("reports")
        return df.drop(columns=[_ORDER]).astype(COLUMNS["reports"])

    # -- writing ----------------------------------------------------------------------------------
    def append(self, extractions: Iterable[Extraction]) -> int:
        """Write one chunk; returns the number of documents in it."""
        ex = list(extractions)
        if not ex:
            return 0
        chunk = _chunk_id()
        tables = {
            "cells": frame("cells", (c for e in ex for c in e.cells)),
            "sections": frame("sections", (s for e in ex for s in e.sections)),
            "checks": frame("checks", (k for e in ex for k in e.checks)),
            "warnings": frame("warnings", (w for e in ex for w in e.warnings)),
            "facts": frame("facts", (f for e in ex for f in e.facts)),
            "legacy_readings": frame("legacy_readings", (r for e in ex for r in e.legacy_readings)),
        }
        for name, df in tables.items():
            if len(df):
                _write_part(table_dir(self.out_dir, name), chunk, df)
        _write_part(table_dir(self.out_dir, "reports"), chunk, frame("reports", (e.report for e in ex)))
        return len(ex)

    def compacted_tables(self) -> dict[str, pd.DataFrame]:
        """All tables with superseded rows removed: the latest row per source, and for each extracted
        document the rows of the chunk that extracted it last."""
        reports = self._read_parts("reports")
        reports = reports.sort_values(_ORDER, kind="stable").drop_duplicates("source", keep="last")
        reports = reports.sort_values(["source"], kind="stable").reset_index(drop=True)
        # which chunk holds the live rows of each extracted document
        chunks = self._reports_chunks()
        live = reports[reports["duplicate_of"].isna() & reports["report_id"].notna()]
        live_chunk = {rid: chunks[(rid, src)] for rid, src in zip(live["report_id"], live["source"], strict=True)}
        out = {"reports": reports.drop(columns=[_ORDER]).astype(COLUMNS["reports"])}
        for name in TABLES:
            if name == "reports":
                continue
            df = self._read_parts(name)
            keep = df["report_id"].map(live_chunk) == df[_ORDER]
            out[name] = df[keep.fillna(False).astype(bool)].drop(columns=[_ORDER]).reset_index(drop=True)
            out[name] = out[name].astype(COLUMNS[name])
        return out

    def _reports_chunks(self) -> dict[tuple[str, str], str]:
        out: dict[tuple[str, str], str] = {}
        for part in sorted(table_dir(self.out_dir, "reports").glob(PART_GLOB), key=_chunk_of):
            df = pd.read_parquet(part, columns=["report_id", "source"])
            for rid, src in zip(df["report_id"], df["source"], strict=True):
                out[(rid, src)] = _chunk_of(part)
        return out

    def finalize(self, tables: Mapping[str, pd.DataFrame], csv: bool) -> None:
        """Replace every table folder by one compacted part (and write CSVs and wide views)."""
        write_dataset(self.out_dir, tables, csv=csv)
