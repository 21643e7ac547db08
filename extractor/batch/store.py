"""The output folder as an append-only, crash-safe store of Parquet parts.

Layout and commit protocol: :mod:`extractor.dataset.write` (``OUT/manifest.json`` names every part;
it is written last, atomically, and is all that readers and restarts trust). During a run every
checkpoint appends one *chunk* (a part per table) in one commit. Finishing a run compacts the
committed parts in memory (superseded rows removed: the latest row per location, root + source,
and each document's rows from the part that extracted it last), completes them with
:func:`extractor.dataset.finish.finish_tables` — the same tables as every other path — and stages
the finished tables, the wide tables, the QA report and the CSVs for one commit.

One process writes to a folder at a time (:class:`~extractor.batch.lock.OutputLock`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pandas as pd

from extractor.batch.lock import OutputLock
from extractor.batch.plan import location
from extractor.dataset.finish import finish_tables
from extractor.dataset.qa import QA_REPORT_NAME, QAFigures, qa_figures, render_qa_report
from extractor.dataset.tables import COLUMNS, extraction_tables
from extractor.dataset.write import (
    Manifest,
    PartKind,
    PartWriter,
    abort_writers,
    commit,
    crash_point,
    ensure_every_table,
    read_table,
    recover,
    stage_dataset,
    stage_file,
)
from extractor.pipeline import Extraction

logger = logging.getLogger(__name__)


def _new_id() -> str:
    return f"{time.time_ns():020d}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


_PART = "_part"  # the chunk a row was read from ("" for the finished dataset, which precedes them)
_WHERE = "_where"


@dataclass
class Finished:
    """What a finished run leaves: the finished tables and the QA figures."""

    tables: dict[str, pd.DataFrame]
    qa: QAFigures

    def summary_tables(self) -> dict[str, pd.DataFrame]:
        """The tables :func:`~extractor.batch.summary.run_summary` reads."""
        return self.tables


class DatasetStore:
    """Append chunks of extractions to ``out_dir`` and finish (compact) them at the end of a run."""

    def __init__(self, out_dir: Path, lock: bool = True) -> None:
        self.out_dir = out_dir
        out_dir.mkdir(parents=True, exist_ok=True)
        self.lock = OutputLock(out_dir) if lock else None
        if self.lock is not None:
            self.lock.acquire()  # before recovery: it deletes what the committed manifest does not name
        self.manifest = recover(out_dir)

    def close(self) -> None:
        if self.lock is not None:
            self.lock.release()
            self.lock = None

    def __enter__(self) -> DatasetStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading ----------------------------------------------------------------------------------
    def reports(self) -> pd.DataFrame:
        """Every committed reports row (chunks not yet finished included, superseded rows too)."""
        return read_table(self.out_dir, "reports", self.manifest)

    def table(self, name: str, columns: list[str] | None = None) -> pd.DataFrame:
        """A committed table as one DataFrame (small datasets, tests)."""
        return read_table(self.out_dir, name, self.manifest, columns)

    def _read_parts(self, name: str) -> pd.DataFrame:
        """A table's committed parts, each row with the chunk it was read from."""
        frames = []
        for part in self.manifest.tables.get(name, []):
            df = read_table(self.out_dir, name, Manifest(tables={name: [part]}))
            df[_PART] = part.chunk if part.kind == PartKind.CHUNK else ""  # chunk ids sort in commit order
            frames.append(df)
        if not frames:
            empty = read_table(self.out_dir, name, Manifest())
            empty[_PART] = pd.Series(dtype="object")
            return empty
        return pd.concat(frames, ignore_index=True)

    # -- writing ----------------------------------------------------------------------------------
    def append(self, extractions: Iterable[Extraction]) -> int:
        """Write one chunk; returns the number of documents in it."""
        ex = list(extractions)
        if not ex:
            return 0
        tables = extraction_tables(ex)
        self.append_frames({**{n: tables[n] for n in COLUMNS if n != "reports"}, "reports": tables["reports"]})
        return len(ex)

    def append_frames(self, tables: Mapping[str, pd.DataFrame]) -> None:
        """Write one chunk (a DataFrame per table, ``reports`` included) in one commit."""
        chunk = _new_id()
        for name, df in tables.items():
            writer = PartWriter(self.out_dir, name, f"part-{chunk}.parquet", PartKind.CHUNK, chunk)
            writer.write(df)
            writer.close(self.manifest)
            crash_point("append")
        commit(self.out_dir, self.manifest)

    # -- finishing --------------------------------------------------------------------------------
    def compacted_tables(self) -> dict[str, pd.DataFrame]:
        """All tables with superseded rows removed: the latest row per location (root + source), and
        for each extracted document the rows of the part that extracted it last."""
        reports = self._read_parts("reports")
        reports[_WHERE] = [location(r, s) for r, s in zip(reports["root"], reports["source"], strict=True)]
        reports = reports.sort_values(_PART, kind="stable").drop_duplicates(_WHERE, keep="last")
        reports = reports.sort_values(["root", "source"], kind="stable").reset_index(drop=True)
        live = reports[reports["duplicate_of"].isna() & reports["report_id"].notna()]
        live_part = dict(zip(live["report_id"], live[_PART], strict=True))
        out = {"reports": reports.drop(columns=[_WHERE, _PART]).astype(COLUMNS["reports"])}
        for name in COLUMNS:
            if name == "reports":
                continue
            df = self._read_parts(name)
            keep = df["report_id"].map(live_part) == df[_PART]
            out[name] = df[keep.fillna(False).astype(bool)].drop(columns=[_PART]).reset_index(drop=True)
            out[name] = out[name].astype(COLUMNS[name])
        return out

    def finish(self, csv: bool = False) -> Finished:
        """Compact, complete (:func:`~extractor.dataset.finish.finish_tables`) and commit the dataset
        whole: the finished tables, the wide tables, the QA report and (``csv``) the CSVs."""
        new = Manifest(files=[], generation=self.manifest.generation)
        try:
            done = finish_tables(self.compacted_tables())
            token = _new_id()
            stage_dataset(self.out_dir, new, done, token, csv)
            ensure_every_table(self.out_dir, new, token)
            qa = qa_figures(done)
            stage_file(self.out_dir, new, QA_REPORT_NAME, partial(_write_text, render_qa_report(qa)))
            crash_point("finish")
            commit(self.out_dir, new)
        except BaseException:
            abort_writers()  # what was staged is dropped; the committed dataset stays
            for staged, _ in new.pending:
                with contextlib.suppress(OSError):
                    (self.out_dir / staged).unlink(missing_ok=True)
            with contextlib.suppress(OSError):  # e.g. still no space: the next run tidies up instead
                self.manifest = recover(self.out_dir)
            raise
        self.manifest = new
        return Finished(done, qa)


def _write_text(text: str, path: str) -> None:
    Path(path).write_text(text, encoding="utf-8")
