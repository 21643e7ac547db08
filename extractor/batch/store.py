"""The output folder as an append-only, crash-safe store of Parquet parts, finished out of core.

Layout and commit protocol: :mod:`extractor.dataset.write` (``OUT/manifest.json`` names every part;
it is written last, atomically, and is all that readers and restarts trust). During a run every
checkpoint appends one *chunk* (a part per table) in one commit. Finishing a run compacts the
chunks into one *segment* per table, removes the rows of superseded documents from older segments
(rewriting only the segments that hold such rows), adds crosswalk and wide rows for the new
documents only, and recomputes the small batch-wide parts (the reports table, cross-year checks,
same-agency-year warnings) — all in one commit. Its cost grows with the documents added, not the
archive (plus a columnar scan of the cells for the cross-year checks and the QA figures), and
memory stays bounded: documents are processed in batches of :data:`FINISH_BATCH_DOCS`.

One process writes to a folder at a time (:class:`~extractor.batch.lock.OutputLock`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from extractor.batch.lock import OutputLock
from extractor.dataset.crosswalk import harmonise
from extractor.dataset.finish import SAME_AGENCY_YEAR, same_agency_year_warnings
from extractor.dataset.qa import QA_REPORT_NAME, QAFigures, qa_figures_from, render_qa_report, rule_counts
from extractor.dataset.tables import COLUMNS, extraction_tables, frame, wide
from extractor.dataset.write import (
    ALL_TABLES,
    WIDE_VERSIONS,
    Manifest,
    Part,
    PartKind,
    PartWriter,
    abort_writers,
    arrow_schema,
    commit,
    crash_point,
    ensure_every_table,
    from_arrow,
    read_table,
    recover,
    stage_file,
    staged_name,
)
from extractor.pipeline import Extraction
from rules.ambiguity import AMBIGUOUS_KIND
from rules.crossyear import CROSSYEAR_RULES, crossyear_checks, crossyear_keys
from rules.crossyear_resolve import RESOLVED_METHOD, resolve_across_years
from rules.legacy_chain import CHAIN_RULE, CHAIN_SUFFIX, chain_legacy

logger = logging.getLogger(__name__)

FINISH_BATCH_DOCS = 2000  # documents compacted (and harmonised) at a time
MAX_SEGMENTS = 8  # per table; beyond that the smallest are merged
READ_BATCH_ROWS = 200_000
DOC_TABLES = tuple(t for t in COLUMNS if t != "reports")  # rows belong to one extracted document
DERIVED_TABLES = ("crosswalk", *(f"wide_{v}" for v in WIDE_VERSIONS))


def table_dir(out_dir: Path, name: str) -> Path:
    return out_dir / f"{name}.parquet"


def _new_id() -> str:
    return f"{time.time_ns():020d}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


def live_rows(reports: pd.DataFrame) -> pd.DataFrame:
    """Reports rows that own rows in the other tables: extracted documents, not duplicates."""
    return reports[reports["duplicate_of"].isna() & reports["report_id"].notna() & (reports["report_id"] != "")]


@dataclass
class Globals:
    """What the batch-wide parts leave for the QA figures."""

    settled: pd.DataFrame  # cells settled across years
    same_agency_year: pd.DataFrame  # warnings
    unmapped: pd.DataFrame  # unmapped-label warnings
    n_ambiguous: int  # ambiguity records


def _frame_of(name: str, tables: list[pa.Table]) -> pd.DataFrame:
    """Arrow pieces of a table as one DataFrame of its types (empty with its schema when none)."""
    return from_arrow(name, pa.concat_tables(tables)) if tables else frame(name, [])


@dataclass
class Finished:
    """What a finished run leaves for its summary: the reports table, the failing checks, the
    same-agency-year warnings (the columns of their tables) and the QA figures."""

    reports: pd.DataFrame
    failing_checks: pd.DataFrame
    same_agency_year: pd.DataFrame
    qa: QAFigures

    def summary_tables(self) -> dict[str, pd.DataFrame]:
        """The tables :func:`~extractor.batch.summary.run_summary` reads, as far as it reads them."""
        return {"reports": self.reports, "checks": self.failing_checks, "warnings": self.same_agency_year}


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

    # -- writing ----------------------------------------------------------------------------------
    def append(self, extractions: Iterable[Extraction]) -> int:
        """Write one chunk in one commit; returns the number of documents in it."""
        ex = list(extractions)
        if not ex:
            return 0
        tables = extraction_tables(ex)
        self.append_frames({**{n: tables[n] for n in DOC_TABLES}, "reports": tables["reports"]})  # reports last
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
    def finish(self, csv: bool = False) -> Finished:
        """Compact this run's chunks into the dataset and commit it whole (see the module doc)."""
        try:
            return self._finish(csv)
        except BaseException:
            abort_writers()  # what was staged is dropped; the committed dataset stays
            with contextlib.suppress(OSError):  # e.g. still no space: the next run tidies up instead
                self.manifest = recover(self.out_dir)
            raise

    def _finish(self, csv: bool) -> Finished:
        old = self.manifest
        new = Manifest(
            tables={name: [p for p in old.tables.get(name, []) if p.kind == PartKind.SEGMENT] for name in ALL_TABLES},
            files=list(old.files),
            generation=old.generation,
        )
        token = _new_id()
        all_reports = read_table(self.out_dir, "reports", old)
        chunk_reports = self._chunk_reports(old)
        reports = all_reports.drop_duplicates("source", keep="last").sort_values("source", kind="stable")
        reports = reports.reset_index(drop=True)
        live = live_rows(reports)
        live_ids = set(live["report_id"])
        # the chunk holding each document's latest extraction, and what older segments must lose
        latest = {rid: chunk for rid, chunk in zip(chunk_reports["report_id"], chunk_reports["_chunk"], strict=True)}
        seg_reports = read_table(self.out_dir, "reports", Manifest(tables={"reports": new.parts("reports")}))
        was_live = set(live_rows(seg_reports)["report_id"])
        drop = (set(latest) | (was_live - live_ids)) & was_live
        if drop:
            self._drop_from_segments(new, drop, token)
            crash_point("finish")
        self._compact_chunks(old, new, reports, live_ids, latest, token)
        self._merge_small_segments(new, token)
        new.tables["reports"] = []
        reports_writer = PartWriter(self.out_dir, "reports", f"seg-{token}.parquet", PartKind.SEGMENT)
        reports_writer.write(reports)
        reports_writer.close(new)
        crash_point("finish")
        glob = self._global_parts(new, reports, token)
        qa, failing = self._qa(new, reports, glob)
        stage_file(self.out_dir, new, QA_REPORT_NAME, partial(_write_text, render_qa_report(qa)))
        ensure_every_table(self.out_dir, new, token)
        if csv:
            for name in ALL_TABLES:
                stage_file(self.out_dir, new, f"{name}.csv", partial(self._to_csv, new, name))
                crash_point("finish")
        commit(self.out_dir, new)
        self.manifest = new
        return Finished(reports, failing, glob.same_agency_year, qa)

    def _chunk_reports(self, manifest: Manifest) -> pd.DataFrame:
        """The extracted (non-duplicate) reports rows of the chunks, in commit order, with their chunk."""
        frames = []
        for part in manifest.tables.get("reports", []):
            if part.kind != PartKind.CHUNK:
                continue
            df = read_table(self.out_dir, "reports", Manifest(tables={"reports": [part]}))
            df = live_rows(df)[["report_id"]].copy()
            df["_chunk"] = part.chunk
            frames.append(df)
        if not frames:
            return pd.DataFrame({"report_id": pd.Series(dtype="string"), "_chunk": pd.Series(dtype="object")})
        return pd.concat(frames, ignore_index=True)

    def _drop_from_segments(self, manifest: Manifest, drop: set[str], token: str) -> None:
        """Rewrite the segments that hold rows of ``drop`` without them (the others stay as they are)."""
        ids = pa.array(sorted(drop), pa.string())
        for name in (*DOC_TABLES, *DERIVED_TABLES):
            kept: list[Part] = []
            for i, part in enumerate(manifest.parts(name)):
                path = self._path(name, part)
                hit = pc.any(pc.is_in(pq.read_table(path, columns=["report_id"])["report_id"], ids)).as_py()
                if not hit:
                    kept.append(part)
                    continue
                writer = PartWriter(self.out_dir, name, f"seg-{token}-d{i}.parquet", PartKind.SEGMENT)
                for batch in pq.ParquetFile(path).iter_batches(batch_size=READ_BATCH_ROWS):
                    tbl = pa.Table.from_batches([batch])
                    writer.write(tbl.filter(pc.invert(pc.is_in(tbl["report_id"], ids))))
                scratch = Manifest()
                new_part = writer.close(scratch)
                manifest.pending.extend(scratch.pending)
                if new_part is not None:
                    kept.append(new_part)
            manifest.tables[name] = kept

    def _compact_chunks(
        self,
        old: Manifest,
        new: Manifest,
        reports: pd.DataFrame,
        live_ids: set[str],
        latest: Mapping[str, str],
        token: str,
    ) -> None:
        """One new segment per table from the chunks: each document's rows from its latest chunk,
        with its crosswalk and wide rows, :data:`FINISH_BATCH_DOCS` documents at a time."""
        chunks = [p.chunk for p in old.tables.get("reports", []) if p.kind == PartKind.CHUNK]
        if not chunks:
            return
        parts_of = {
            name: {p.chunk: p for p in old.tables.get(name, []) if p.kind == PartKind.CHUNK} for name in DOC_TABLES
        }
        docs_of = {p.chunk: p.rows for p in old.tables["reports"] if p.kind == PartKind.CHUNK}
        writers = {
            name: PartWriter(self.out_dir, name, f"seg-{token}.parquet", PartKind.SEGMENT)
            for name in (*DOC_TABLES, *DERIVED_TABLES)
        }
        meta = reports[reports["report_id"].isin(live_ids)]
        ids_of: dict[str, list[str]] = {}
        for rid, chunk in latest.items():
            if rid in live_ids:
                ids_of.setdefault(chunk, []).append(rid)
        for group in _groups(chunks, docs_of, FINISH_BATCH_DOCS):
            read: dict[str, pd.DataFrame] = {}
            # open reports: cells settled across years may still change them, so their crosswalk and
            # wide rows are recomputed with the batch-wide parts at every finish
            open_ids: set[str] = set()
            for name in DOC_TABLES:
                frames = []
                for chunk in group:
                    part = parts_of[name].get(chunk)
                    if part is None:
                        continue
                    tbl = pq.read_table(table_dir(self.out_dir, name) / part.file).cast(arrow_schema(name))
                    tbl = tbl.filter(pc.is_in(tbl["report_id"], pa.array(ids_of.get(chunk, []), pa.string())))
                    if name == "checks":
                        tbl = tbl.filter(pc.invert(pc.is_in(tbl["rule"], pa.array([*CROSSYEAR_RULES, CHAIN_RULE]))))
                    elif name == "warnings":
                        tbl = tbl.filter(pc.not_equal(tbl["kind"], SAME_AGENCY_YEAR))
                    elif name == "cells":  # cells settled across years are recomputed at every finish
                        method = pc.fill_null(tbl["method"], "")
                        chained = pc.ends_with(method, CHAIN_SUFFIX)
                        tbl = tbl.filter(pc.and_(pc.not_equal(method, RESOLVED_METHOD), pc.invert(chained)))
                    frames.append(tbl)
                if not frames:
                    continue
                merged = pa.concat_tables(frames)
                writers[name].write(merged)
                if name in ("cells", "facts"):
                    read[name] = from_arrow(name, merged)
                elif name == "warnings":
                    open_ids |= set(merged.filter(pc.equal(merged["kind"], AMBIGUOUS_KIND))["report_id"].to_pylist())
                elif name == "legacy_readings":
                    open_ids |= set(merged["report_id"].to_pylist())
            cells = read.get("cells", frame("cells", []))
            group_meta = meta[meta["report_id"].isin({rid for c in group for rid in ids_of.get(c, [])})]
            closed = group_meta[~group_meta["report_id"].isin(open_ids)]
            writers["crosswalk"].write(harmonise(closed, cells, read.get("facts")))
            for version in WIDE_VERSIONS:
                writers[f"wide_{version}"].write(wide(closed, cells, version))
            crash_point("finish")
        for writer in writers.values():
            writer.close(new)

    def _merge_small_segments(self, manifest: Manifest, token: str) -> None:
        """Keep at most :data:`MAX_SEGMENTS` segments per table: merge the smallest (amortised cost)."""
        for name in (*DOC_TABLES, *DERIVED_TABLES):
            parts = manifest.parts(name)
            if len(parts) <= MAX_SEGMENTS:
                continue
            by_size = sorted(parts, key=lambda p: p.rows)
            small = by_size[: len(parts) - MAX_SEGMENTS // 2]
            writer = PartWriter(self.out_dir, name, f"seg-{token}-m.parquet", PartKind.SEGMENT)
            for part in small:
                for batch in pq.ParquetFile(self._path(name, part)).iter_batches(batch_size=READ_BATCH_ROWS):
                    writer.write(pa.Table.from_batches([batch]))
            manifest.tables[name] = [p for p in parts if p not in small]
            writer.close(manifest)
            crash_point("finish")

    def _global_parts(self, manifest: Manifest, reports: pd.DataFrame, token: str) -> Globals:
        """The parts recomputed whole at every finish: cells settled across years (X1–X3 resolution
        and the legacy chain X4) with the crosswalk and wide rows of the open reports (those such
        cells may change), cross-year checks and same-agency-year warnings. They read only what they
        need: the cells of the cross-year keys, the numbers printed per report, the ambiguity
        records, the legacy readings, and the open reports' cells and facts."""
        records, unmapped = self._warnings_needed(manifest)
        readings = _frame_of("legacy_readings", list(self._scan(manifest, "legacy_readings", None)))
        open_ids = set(records["report_id"]) | set(readings["report_id"])
        numbers, xcells, open_cells = self._cells_needed(manifest, open_ids)
        settled = resolve_across_years(reports, xcells, records, numbers)
        settled = (settled if len(settled) else frame("cells", [])).astype(COLUMNS["cells"])
        crossyear = crossyear_checks(reports, pd.concat([xcells, settled[list(xcells.columns)]]), numbers)
        chained, chain_checks = chain_legacy(reports, readings)
        new_cells = pd.concat([settled, frame("cells", chained)], ignore_index=True).astype(COLUMNS["cells"])
        live = live_rows(reports)
        open_meta = live[live["report_id"].isin(open_ids)]
        open_all = pd.concat([open_cells, new_cells[list(open_cells.columns)]], ignore_index=True)
        facts = _frame_of("facts", [t for t in self._scan(manifest, "facts", None) if len(t)])
        facts = facts[facts["report_id"].isin(open_ids)]
        parts: dict[str, pd.DataFrame] = {
            "cells": new_cells,
            "checks": pd.concat([crossyear.astype(COLUMNS["checks"]), frame("checks", chain_checks)]),
            "warnings": same_agency_year_warnings(reports),
            "crosswalk": harmonise(open_meta, open_all, facts),
        }
        for version in WIDE_VERSIONS:
            parts[f"wide_{version}"] = wide(open_meta, open_all, version)
        for name, df in parts.items():
            writer = PartWriter(self.out_dir, name, f"glob-{token}.parquet", PartKind.GLOBAL)
            writer.write(df)
            writer.close(manifest)
        crash_point("finish")
        return Globals(new_cells[new_cells["method"] == RESOLVED_METHOD], parts["warnings"], unmapped, len(records))

    def _warnings_needed(self, manifest: Manifest) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The ambiguity records and the unmapped-label warnings (a columnar scan)."""
        records: list[pa.Table] = []
        unmapped: list[pa.Table] = []
        for tbl in self._scan(manifest, "warnings", ["report_id", "kind", "message"]):
            records.append(tbl.filter(pc.equal(tbl["kind"], AMBIGUOUS_KIND)))
            unmapped.append(tbl.filter(pc.equal(tbl["kind"], "unmapped_label")))
        return _frame_of("warnings", records), _frame_of("warnings", unmapped)

    def _cells_needed(self, manifest: Manifest, ambiguous: set[str]) -> tuple[pd.Series, pd.DataFrame, pd.DataFrame]:
        """Numbers printed per report, the cells of the cross-year keys, and the cells of the reports
        in ``ambiguous`` (a columnar scan of the six columns these parts read)."""
        counts: dict[str, int] = {}
        wanted = pa.array(crossyear_keys(), pa.string())
        amb = pa.array(sorted(ambiguous), pa.string())
        columns = ["report_id", "key", "state", "value", "unit", "method"]
        xframes, aframes = [], []
        for tbl in self._scan(manifest, "cells", columns):
            numbers = tbl.filter(pc.equal(tbl["state"], "number"))["report_id"].value_counts()
            for item in numbers.to_pylist():
                counts[item["values"]] = counts.get(item["values"], 0) + item["counts"]
            xframes.append(tbl.filter(pc.is_in(tbl["key"], wanted)))
            aframes.append(tbl.filter(pc.is_in(tbl["report_id"], amb)))
        empty = frame("cells", [])[columns]
        xcells = pa.concat_tables(xframes).to_pandas() if xframes else empty
        amb_cells = pa.concat_tables(aframes).to_pandas() if aframes else empty
        return pd.Series(counts, dtype="float64"), xcells, amb_cells

    def _path(self, name: str, part: Part) -> Path:
        """Where a part is now: its final name, or its staged one when this finish wrote it."""
        path = table_dir(self.out_dir, name) / part.file
        return path if path.exists() else self.out_dir / staged_name(f"{name}.parquet/{part.file}")

    def _scan(self, manifest: Manifest, name: str, columns: list[str] | None) -> Iterator[pa.Table]:
        for part in manifest.tables.get(name, []):
            path = self._path(name, part)
            for batch in pq.ParquetFile(path).iter_batches(batch_size=READ_BATCH_ROWS, columns=columns):
                yield pa.Table.from_batches([batch])

    def _qa(self, manifest: Manifest, reports: pd.DataFrame, glob: Globals) -> tuple[QAFigures, pd.DataFrame]:
        """The QA figures from a columnar scan of the checks (counted per rule; failing rows kept)."""
        counts: list[pd.DataFrame] = []
        failing: list[pa.Table] = []
        for tbl in self._scan(manifest, "checks", ["report_id", "rule", "scope", "passed", "detail"]):
            counts.append(rule_counts(tbl.select(["rule", "passed"]).to_pandas()))
            failing.append(tbl.filter(pc.equal(tbl["passed"], False)))
        per_rule = pd.concat(counts).groupby("rule", sort=True).sum().reset_index() if counts else None
        if per_rule is None:
            per_rule = rule_counts(frame("checks", []))
        fail_df = _frame_of("checks", failing)
        qa = qa_figures_from(reports, per_rule, fail_df, glob.unmapped, glob.settled, glob.n_ambiguous)
        return qa, fail_df

    def _to_csv(self, manifest: Manifest, name: str, path: str) -> None:
        header = True
        with open(path, "w", encoding="utf-8", newline="") as fh:
            for tbl in self._scan(manifest, name, list(arrow_schema(name).names)):
                from_arrow(name, tbl).to_csv(fh, index=False, header=header)
                header = False
            if header:
                frame_empty = from_arrow(name, arrow_schema(name).empty_table())
                frame_empty.to_csv(fh, index=False)


def _groups(chunks: list[str], docs_of: Mapping[str, int], size: int) -> Iterator[list[str]]:
    group: list[str] = []
    n = 0
    for chunk in chunks:
        group.append(chunk)
        n += docs_of.get(chunk, 0)
        if n >= size:
            yield group
            group, n = [], 0
    if group:
        yield group


def _write_text(text: str, path: str) -> None:
    Path(path).write_text(text, encoding="utf-8")
