"""The output folder as an append-only, crash-safe store of Parquet parts, finished out of core.

Layout and commit protocol: :mod:`extractor.dataset.write` (``OUT/manifest.json`` names every part;
it is written last, atomically, and is all that readers and restarts trust). During a run every
checkpoint appends one *chunk* (a part per table) in one commit.

Finishing a run (:meth:`DatasetStore.finish`) gives the same tables as
:func:`extractor.dataset.finish.finish_tables` on the compacted rows (:meth:`DatasetStore.compacted_tables`:
the latest row per location, root + source, and each document's rows from the part that extracted it
last), without holding them in memory and without redoing what has not changed:

- Every step of finishing that looks at more than one report (preferred report, cross-year settling
  and checks, the legacy chain, same-agency-year warnings) compares reports of one agency (one
  ``agency_key``) or, for X0, of one division. Reports therefore fall into *groups* (their division
  code, else their agency_key, else the report alone; a duplicate goes with the document it copies),
  and groups into *buckets* by a hash of the group (a power of two of them, about
  :data:`DOCS_PER_BUCKET` documents each). Each per-report table
  (cells, sections, checks, warnings, facts, legacy readings, crosswalk, wide tables) is stored as
  parts of one bucket each.
- A finish recomputes only the groups that a new or changed document touches: the chunks' rows are
  scattered by bucket into a scratch folder (one pass, one part at a time), then each touched bucket
  is finished on its own — its unchanged documents' finished rows plus the new rows, completed by
  :func:`extractor.dataset.tables.complete_tables` and :func:`~extractor.dataset.tables.wide_tables`
  — and written as a new part of that bucket; the rows of the bucket's untouched groups are copied
  over (Arrow, not recomputed), or, when the touched groups are new to the bucket, the old parts are
  kept as they are. Parts of untouched buckets stay referenced by the new manifest.
- The wide tables' columns follow the keys printed across the whole dataset: each wide part records
  which keys beyond the form's its reports print and which have values that are not whole
  (:func:`~extractor.dataset.tables.wide_info`), and parts that disagree with the union are rewritten.
- The small tables are whole: the reports table is rewritten; the QA figures read only the columns
  and rows they need from the parts (pyarrow).

Memory is bounded by one bucket (plus the reports table). A change to the finishing code or its rules
data (:func:`finish_fingerprint`) makes the next finish recompute every group.

One process writes to a folder at a time (:class:`~extractor.batch.lock.OutputLock`).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import shutil
import time
import uuid
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

import extractor.dataset
import rules
from extractor.batch.lock import OutputLock
from extractor.batch.plan import location
from extractor.dataset.finish import SAME_AGENCY_YEAR
from extractor.dataset.panel import add_agencies
from extractor.dataset.qa import QA_REPORT_NAME, QAFigures, qa_figures, render_qa_report, rule_counts
from extractor.dataset.tables import (
    COLUMNS,
    ROW_TABLES,
    WIDE_META,
    WIDE_VERSIONS,
    complete_tables,
    conform_wide,
    extraction_tables,
    frame,
    wide_columns,
    wide_info,
    wide_tables,
)
from extractor.dataset.write import (
    CSV_ENCODING,
    FREE_TABLES,
    Manifest,
    Part,
    PartKind,
    PartWriter,
    abort_writers,
    arrow_schema,
    commit,
    crash_point,
    ensure_every_table,
    part_file,
    read_table,
    recover,
    stage_file,
    stage_frame,
)
from extractor.pipeline import Extraction
from rules.agency import AGENCY_FIELDS
from rules.ambiguity import AMBIGUOUS_KIND
from rules.crossyear_resolve import RESOLVED_METHOD

logger = logging.getLogger(__name__)


DOCS_PER_BUCKET = 2000  # documents a bucket of agency groups holds (about): the unit a finish rewrites
MAX_BUCKETS = 4096
MAX_BUCKET_PARTS = 4  # parts of one table in one bucket before they are merged
GROUP_TABLES = (*ROW_TABLES, *FREE_TABLES)  # stored by bucket
QA_WARNINGS = ("unmapped_label", AMBIGUOUS_KIND)  # the warnings the QA figures read
SCRATCH_PREFIX = ".finishing-"  # the scratch folder of a finish, in the output folder


def _new_id() -> str:
    return f"{time.time_ns():020d}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


_PART = "_part"  # the chunk a row was read from ("" for the finished dataset, which precedes them)
_WHERE = "_where"


@functools.cache
def finish_fingerprint() -> str:
    """What the finished parts depend on besides the rows: the bucket count and the finishing code
    and rules data (``extractor/dataset``, ``rules``). A finish whose fingerprint differs from the
    one that wrote the dataset recomputes every group."""
    digest = hashlib.sha256()
    for package in (extractor.dataset, rules):
        folder = Path(str(package.__file__)).parent
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(folder).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def bucket_count(documents: int, before: str) -> int:
    """The buckets for ``documents``: a power of two, about :data:`DOCS_PER_BUCKET` documents each;
    the count of the previous finish (``before``, its ``Manifest.finish``) is kept until the
    dataset has doubled or shrunk to a quarter (a new count makes the finish recompute everything,
    so it happens at doublings: its cost is amortised)."""
    want = 1
    while want * DOCS_PER_BUCKET < documents and want < MAX_BUCKETS:
        want *= 2
    count, _, fingerprint = before.partition(":")
    if fingerprint == finish_fingerprint() and count.isdigit() and want <= 2 * int(count) <= 8 * want:
        return int(count)
    return want


def group_keys(reports: pd.DataFrame) -> pd.Series:
    """Per reports row, the group of reports that finishing compares with each other: the division
    (X0 pairs bodies of one division), else the agency_key, else the report alone; a duplicate goes
    with the document it copies (its wide row shows that document's cells)."""
    own = ("div:" + reports["division_code"].astype("string")).fillna("key:" + reports["agency_key"].astype("string"))
    own = own.fillna("id:" + reports["report_id"].astype("string"))
    where = pd.Series(
        [location(r, s) for r, s in zip(reports["root"], reports["source"], strict=True)], index=reports.index
    )
    own = own.fillna("where:" + where.astype("string")).astype(str)
    live = reports["duplicate_of"].isna() & reports["report_id"].notna()
    of = dict(zip(reports.loc[live, "report_id"], own[live], strict=True))
    dup = reports["duplicate_of"].notna()
    out = own.copy()
    out[dup] = [of.get(d, o) for d, o in zip(reports.loc[dup, "duplicate_of"], own[dup], strict=True)]
    return out


def bucket_of(group: str, buckets: int) -> int:
    return zlib.crc32(group.encode()) % buckets


def _arrow(
    path: Path, name: str, columns: list[str] | None = None, filters: list[tuple[str, str, object]] | None = None
) -> pa.Table:
    """A part of a table of :data:`COLUMNS` with the table's schema (older parts may lack columns;
    so do those not asked for in ``columns``), only the rows that pass ``filters`` when given."""
    table = pq.read_table(path, columns=columns, filters=filters)
    schema = arrow_schema(name)
    cols = [table[f.name] if f.name in table.column_names else pa.nulls(table.num_rows, f.type) for f in schema]
    return pa.Table.from_arrays(cols, schema=schema)


def _frame(name: str, pieces: list[pa.Table]) -> pd.DataFrame:
    """Arrow pieces of a table as one DataFrame of its types (empty with its schema when none)."""
    if name not in COLUMNS:
        frames = [p.to_pandas() for p in pieces if p.num_rows]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    pieces = [p for p in pieces if p.num_rows]
    if not pieces:
        return frame(name, [])
    cols = COLUMNS[name]
    return pa.concat_tables(pieces).to_pandas()[list(cols)].astype(cols)


def _rows_of(table: pa.Table, ids: set[str]) -> pa.Table:
    """The rows of ``table`` whose report_id is one of ``ids``."""
    if not ids or not table.num_rows:
        return table.slice(0, 0)
    return table.filter(pa.array(table.column("report_id").to_pandas().isin(ids).to_numpy()))


def read_parts(out_dir: Path, manifest: Manifest, name: str, kinds: Iterable[str] | None = None) -> pd.DataFrame:
    """A table's committed parts (of ``kinds``), each row with the chunk it was read from (``_part``:
    "" for finished parts, which precede every chunk)."""
    frames = []
    wanted = set(kinds) if kinds is not None else None
    for part in manifest.tables.get(name, []):
        if wanted is not None and part.kind not in wanted:
            continue
        df = read_table(out_dir, name, Manifest(tables={name: [part]}))
        df[_PART] = part.chunk if part.kind == PartKind.CHUNK else ""  # chunk ids sort in commit order
        frames.append(df)
    if not frames:
        empty = read_table(out_dir, name, Manifest())
        empty[_PART] = pd.Series(dtype="object")
        return empty
    return pd.concat(frames, ignore_index=True)


def compacted_reports(out_dir: Path, manifest: Manifest) -> pd.DataFrame:
    """The latest reports row per location (root + source), sorted by location, with ``_part``."""
    reports = read_parts(out_dir, manifest, "reports")
    reports[_WHERE] = [location(r, s) for r, s in zip(reports["root"], reports["source"], strict=True)]
    reports = reports.sort_values(_PART, kind="stable").drop_duplicates(_WHERE, keep="last")
    return reports.sort_values(["root", "source"], kind="stable").reset_index(drop=True)


@dataclass
class Finished:
    """What a finished run leaves for its summary: the reports table, the failing checks and the
    same-agency-year warnings (the columns of their tables), and the QA figures."""

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
        if self.lock is not None:
            for scratch in out_dir.glob(f"{SCRATCH_PREFIX}*"):  # left by a finish that was killed
                shutil.rmtree(scratch, ignore_errors=True)

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
        """All tables with superseded rows removed, in memory: the latest row per location (root +
        source), and for each extracted document the rows of the part that extracted it last
        (what :meth:`finish` finishes out of core; small datasets and tests)."""
        reports = compacted_reports(self.out_dir, self.manifest)
        live = reports[reports["duplicate_of"].isna() & reports["report_id"].notna()]
        live_part = dict(zip(live["report_id"], live[_PART], strict=True))
        out = {"reports": reports.drop(columns=[_WHERE, _PART]).astype(COLUMNS["reports"])}
        for name in ROW_TABLES:
            df = read_parts(self.out_dir, self.manifest, name, kinds=(PartKind.CHUNK, PartKind.SEGMENT))
            keep = df["report_id"].map(live_part) == df[_PART]
            out[name] = df[keep.fillna(False).astype(bool)].drop(columns=[_PART]).reset_index(drop=True)
            out[name] = out[name].astype(COLUMNS[name])
        return out

    def finish(self, csv: bool = False) -> Finished:
        """Finish the dataset out of core and commit it whole (see the module doc): the finished
        tables, the wide tables, the QA report and (``csv``) the CSVs."""
        job = _Finish(self.out_dir, self.manifest)
        try:
            done = job.run(csv)
            crash_point("finish")
            commit(self.out_dir, job.new)
        except BaseException:
            abort_writers()  # what was staged is dropped; the committed dataset stays
            for staged, _ in job.new.pending:
                with contextlib.suppress(OSError):
                    (self.out_dir / staged).unlink(missing_ok=True)
            with contextlib.suppress(OSError):  # e.g. still no space: the next run tidies up instead
                self.manifest = recover(self.out_dir)
            raise
        finally:
            shutil.rmtree(job.scratch, ignore_errors=True)
        self.manifest = job.new
        return done


@dataclass
class _Todo:
    """A touched bucket: its touched groups' reports rows, the report ids of its untouched groups
    (``keep``) and of the touched groups' unchanged documents (``reuse``), and whether its old parts
    are rewritten (they hold rows of touched groups) or kept beside a new one."""

    bucket: int
    reports: pd.DataFrame
    keep: set[str]
    reuse: set[str]
    rewrite: bool

    @property
    def size(self) -> int:
        """The documents whose rows finishing the bucket holds: the touched ones, and when the
        bucket is rewritten, the untouched ones copied over."""
        return len(self.reports) + (len(self.keep) if self.rewrite else 0)


class _Finish:
    """One out-of-core finish of the committed manifest ``old`` into ``new`` (see the module doc)."""

    def __init__(self, out_dir: Path, old: Manifest) -> None:
        self.out_dir, self.old = out_dir, old
        self.token = _new_id()
        self.new = Manifest(files=[], generation=old.generation)
        self.full = True
        self.scratch = out_dir / f"{SCRATCH_PREFIX}{self.token}"

    def run(self, csv: bool) -> Finished:
        reports = compacted_reports(self.out_dir, self.old)
        fresh = (reports[_PART] != "").to_numpy()
        if fresh.any():  # rows of the previous finish have their agency columns
            named = add_agencies(reports[fresh])
            for f in AGENCY_FIELDS:
                reports.loc[fresh, f] = named[f]
        reports = reports.astype({**COLUMNS["reports"], _PART: object})
        groups = group_keys(reports)
        n = bucket_count(int((reports["duplicate_of"].isna() & reports["report_id"].notna()).sum()), self.old.finish)
        self.new.finish = f"{n}:{finish_fingerprint()}"
        buckets = groups.map(partial(bucket_of, buckets=n))
        before = read_parts(self.out_dir, self.old, "reports", kinds=(PartKind.SEGMENT,))
        before_where = [location(r, s) for r, s in zip(before["root"], before["source"], strict=True)]
        before_group = dict(zip(before_where, group_keys(before), strict=True))
        self.full = full = self.old.finish != self.new.finish  # other buckets or other rules: recompute all
        if full:
            touched = set(groups) | set(before_group.values())
        else:
            touched = set(groups[fresh])
            for w, g in zip(reports[_WHERE], groups, strict=True):
                was = before_group.get(w)
                if was is not None and (was != g or g in touched):
                    touched |= {was, g}
        touched_buckets = {bucket_of(g, n) for g in touched}
        grown = {bucket_of(g, n) for g in before_group.values() if g in touched}  # buckets losing old rows
        live = (reports["duplicate_of"].isna() & reports["report_id"].notna()).to_numpy()
        live_part = dict(zip(reports.loc[live, "report_id"], reports.loc[live, _PART], strict=True))
        live_bucket = dict(zip(reports.loc[live, "report_id"], buckets[live], strict=True))
        self._scatter(live_part, live_bucket, full)
        for name in GROUP_TABLES:  # parts of untouched buckets stay
            self.new.tables[name] = [
                p for p in self.old.tables.get(name, []) if p.bucket is not None and p.bucket not in touched_buckets
            ]
            if full:
                self.new.tables[name] = []
        is_touched = groups.isin(touched).to_numpy()
        finished = [reports[~is_touched]]
        batch: list[_Todo] = []
        for b in sorted(touched_buckets):
            in_b = (buckets == b).to_numpy()
            mine = reports[in_b & is_touched]
            keep = set(reports.loc[in_b & ~is_touched, "report_id"].dropna())
            reuse = set(mine.loc[mine["duplicate_of"].isna() & (mine[_PART] == ""), "report_id"].dropna())
            batch.append(_Todo(b, mine, keep, reuse, rewrite=full or b in grown))
            touched_docs, held = sum(len(t.reports) for t in batch), sum(t.size for t in batch)
            if touched_docs >= DOCS_PER_BUCKET or held >= 2 * DOCS_PER_BUCKET:  # bounded memory
                finished.append(self._batch(batch))
                batch = []
        if batch:
            finished.append(self._batch(batch))
        out = pd.concat(finished, ignore_index=True).sort_values(["root", "source"], kind="stable")
        out = out.drop(columns=[_WHERE, _PART]).astype(COLUMNS["reports"]).reset_index(drop=True)
        writer = PartWriter(self.out_dir, "reports", f"reports-{self.token}.parquet", PartKind.SEGMENT)
        writer.write(out)
        writer.close(self.new)
        self._conform_wide()
        self._ensure_every_table()
        done = self._figures(out)
        stage_file(self.out_dir, self.new, QA_REPORT_NAME, partial(_write_text, render_qa_report(done.qa)))
        crash_point("finish")
        if csv:
            for name in (*COLUMNS, *FREE_TABLES):
                stage_file(self.out_dir, self.new, f"{name}.csv", partial(self._write_csv, name))
                crash_point("finish")
        return done

    # -- the chunks' rows, by bucket ----------------------------------------------------------------
    def _scratch_path(self, name: str, bucket: int) -> Path:
        return self.scratch / f"{name}-{bucket:04d}.parquet"

    def _scatter(self, live_part: Mapping[str, str], live_bucket: Mapping[str, int], full: bool) -> None:
        """Write the rows that the new and changed documents bring (their latest chunk's; with
        ``full``, the finished rows too) into one scratch file per table and bucket, reading one
        part at a time."""
        self.scratch.mkdir()
        for name in ROW_TABLES:
            writers: dict[int, pq.ParquetWriter] = {}
            try:
                for part in self.old.tables.get(name, []):
                    if part.kind == PartKind.CHUNK:
                        label = part.chunk
                    elif part.kind == PartKind.SEGMENT and full:
                        label = ""
                    else:
                        continue
                    table = _arrow(self.out_dir / f"{name}.parquet" / part.file, name)
                    rids = table.column("report_id").to_pandas()
                    mine = (rids.map(live_part) == label).fillna(False).astype(bool)
                    where = rids.map(live_bucket)
                    for b in sorted(set(where[mine].astype(int))):
                        rows = table.filter(pa.array((mine & (where == b)).to_numpy()))
                        if b not in writers:
                            writers[b] = pq.ParquetWriter(self._scratch_path(name, b), arrow_schema(name))
                        writers[b].write_table(rows)
            finally:
                for w in writers.values():
                    w.close()

    # -- touched buckets ----------------------------------------------------------------------------
    def _batch(self, todos: list[_Todo]) -> pd.DataFrame:
        """Finish the touched groups of some buckets at once (one call of the whole-batch functions
        for about :data:`DOCS_PER_BUCKET` touched documents, and no more than twice that held with
        the rows copied over) and stage each bucket's new parts; returns the finished reports rows."""
        old = {  # none when every group is finished again (the old parts are scattered: other buckets)
            t.bucket: {
                name: [p for p in self.old.tables.get(name, []) if p.bucket == t.bucket and not self.full]
                for name in GROUP_TABLES
            }
            for t in todos
        }
        kept: dict[tuple[int, str], list[pa.Table]] = {}
        pieces: dict[str, list[pa.Table]] = {name: [] for name in ROW_TABLES}
        for t in todos:
            for name in GROUP_TABLES:
                kept[t.bucket, name] = []
                for part in old[t.bucket][name] if t.rewrite else ():
                    table = self._read_old(name, part)
                    kept[t.bucket, name].append(_rows_of(table, t.keep))
                    if name in ROW_TABLES:
                        pieces[name].append(_rows_of(table, t.reuse))
                if name in ROW_TABLES and self._scratch_path(name, t.bucket).exists():
                    pieces[name].append(pq.read_table(self._scratch_path(name, t.bucket)))
        reports = pd.concat([t.reports for t in todos], ignore_index=True)
        tables = {"reports": reports.drop(columns=[_WHERE, _PART]).astype(COLUMNS["reports"])}
        tables.update({name: _frame(name, pieces[name]) for name in ROW_TABLES})
        done = complete_tables(tables)
        done.update(wide_tables(done))
        bucket_of_id = {
            rid: t.bucket for t in todos for rid in t.reports["report_id"].dropna()
        }  # duplicates' ids too (their wide rows)
        split = {name: _by_bucket(done[name], bucket_of_id) for name in GROUP_TABLES}
        for t in todos:
            mine = {name: split[name].get(t.bucket, done[name].iloc[:0]) for name in GROUP_TABLES}
            self._stage_bucket(t, old[t.bucket], kept, mine)
            crash_point("finish")
        return done["reports"].assign(**{_WHERE: "", _PART: ""})

    def _read_old(self, name: str, part: Part) -> pa.Table:
        path = self.out_dir / f"{name}.parquet" / part.file
        return _arrow(path, name) if name in COLUMNS else pq.read_table(path)

    def _stage_bucket(
        self,
        todo: _Todo,
        old: Mapping[str, list[Part]],
        kept: dict[tuple[int, str], list[pa.Table]],
        done: Mapping[str, pd.DataFrame],
    ) -> None:
        """Stage a bucket's new parts: with ``rewrite``, one part per table holding the untouched
        groups' rows (``kept``) and the finished ones; otherwise (the touched groups are new to the
        bucket) a part beside the old ones, which are merged into it past :data:`MAX_BUCKET_PARTS`."""
        bucket = todo.bucket
        file = f"b{bucket:04d}-{self.token}.parquet"
        for name in GROUP_TABLES:
            if not todo.rewrite and len(old[name]) >= MAX_BUCKET_PARTS:
                kept[bucket, name] = [self._read_old(name, p) for p in old[name]]
            elif not todo.rewrite:
                self.new.tables[name] += old[name]
        for name in (*ROW_TABLES, "crosswalk"):
            if name in COLUMNS:
                writer = PartWriter(self.out_dir, name, file, PartKind.SEGMENT)
                for piece in kept[bucket, name]:
                    writer.write(piece)
                writer.write(done[name])
                written = writer.close(self.new)
                if written is not None:
                    written.bucket = bucket
                continue
            df = done[name]
            if kept[bucket, name]:
                df = pd.concat([_frame(name, kept[bucket, name]), df], ignore_index=True)
            if len(df):
                stage_frame(self.out_dir, self.new, name, file, df, bucket)
        for version in WIDE_VERSIONS:
            values, states = f"wide_{version}", f"wide_{version}_state"
            pairs = [
                (_frame(values, kept[bucket, values]), _frame(states, kept[bucket, states])),
                (done[values], done[states]),
            ]
            pairs = [(v, s) for v, s in pairs if len(v)]
            if not pairs:
                continue
            infos = [wide_info(v, s, version) for v, s in pairs]
            cols = wide_columns(version, infos)
            v = pd.concat([conform_wide(v, cols, state=False) for v, _ in pairs], ignore_index=True)
            s = pd.concat([conform_wide(s, cols, state=True) for _, s in pairs], ignore_index=True)
            info = {k: sorted({x for i in infos for x in i[k]}) for k in ("keys", "fractional")}
            stage_frame(self.out_dir, self.new, values, file, v, bucket, info)
            stage_frame(self.out_dir, self.new, states, file, s, bucket)

    # -- the whole dataset --------------------------------------------------------------------------
    def _conform_wide(self) -> None:
        """Make every wide part have the columns of the whole table (rewriting those that differ)."""
        for version in WIDE_VERSIONS:
            values, states = f"wide_{version}", f"wide_{version}_state"
            cols = wide_columns(version, [p.info for p in self.new.parts(values)])
            for i, part in enumerate(list(self.new.parts(values))):
                path = part_file(self.out_dir, self.new, values, part)
                schema = pq.read_schema(path)
                have = {f.name: _dtype(f.type) for f in schema if f.name not in WIDE_META}
                if list(have.items()) == list(cols.items()):
                    continue
                pair = next(p for p in self.new.parts(states) if p.file == part.file)
                spath = part_file(self.out_dir, self.new, states, pair)
                v = conform_wide(pd.read_parquet(path), cols, state=False)
                s = conform_wide(pd.read_parquet(spath), cols, state=True)
                file = f"c{i:04d}-{self.token}.parquet"
                for name, p, df in ((values, part, v), (states, pair, s)):
                    self.new.tables[name].remove(p)
                    stage_frame(self.out_dir, self.new, name, file, df, p.bucket, p.info)
                crash_point("finish")

    def _ensure_every_table(self) -> None:
        """A table without rows gets one empty part (with the columns an empty dataset has)."""
        ensure_every_table(self.out_dir, self.new, self.token)
        empty: dict[str, pd.DataFrame] = {}
        for name in FREE_TABLES:
            if self.new.tables.get(name):
                continue
            if not empty:
                empty = complete_tables({name: frame(name, []) for name in COLUMNS})
                empty.update(wide_tables(empty))
            stage_frame(self.out_dir, self.new, name, f"empty-{self.token}.parquet", empty[name])

    def _figures(self, reports: pd.DataFrame) -> Finished:
        """The QA figures and the run summary's tables, reading from the parts only what they need."""
        counts, failing, warnings, settled = [], [], [], []
        for part in self.new.parts("checks"):
            path = part_file(self.out_dir, self.new, "checks", part)
            table = pq.read_table(path, columns=["rule", "passed"])
            judged = pd.DataFrame(
                {"rule": table["rule"].to_pandas(), "passed": table["passed"].to_pandas().astype("boolean")}
            )
            counts.append(rule_counts(judged))
            failing.append(_arrow(path, "checks", filters=[("passed", "==", False)]))
        for part in self.new.parts("warnings"):
            path = part_file(self.out_dir, self.new, "warnings", part)
            warnings.append(_arrow(path, "warnings", filters=[("kind", "in", [*QA_WARNINGS, SAME_AGENCY_YEAR])]))
        for part in self.new.parts("cells"):
            path = part_file(self.out_dir, self.new, "cells", part)
            wanted = ["report_id", "key", "value", "raw", "note", "method"]
            settled.append(_arrow(path, "cells", columns=wanted, filters=[("method", "==", RESOLVED_METHOD)]))
        rules_counted = pd.concat(counts, ignore_index=True) if counts else rule_counts(frame("checks", []))
        rules_counted = rules_counted.groupby("rule", sort=True)[["passed", "failed", "n"]].sum().reset_index()
        checks = _frame("checks", failing)
        notes = _frame("warnings", warnings)
        tables = {"reports": reports, "checks": checks, "warnings": notes, "cells": _frame("cells", settled)}
        qa = qa_figures(tables, counts=rules_counted)
        same = notes[notes["kind"] == SAME_AGENCY_YEAR].reset_index(drop=True)
        return Finished(reports, checks, same, qa)

    def _write_csv(self, name: str, path: str) -> None:
        """A table's CSV, written part by part (one header)."""
        first = True
        for part in self.new.parts(name):
            file = part_file(self.out_dir, self.new, name, part)
            df = _frame(name, [_arrow(file, name)]) if name in COLUMNS else pd.read_parquet(file)
            if not first and not len(df):
                continue
            df.to_csv(
                path, index=False, header=first, mode="w" if first else "a", encoding=CSV_ENCODING if first else "utf-8"
            )
            first = False


def _by_bucket(df: pd.DataFrame, bucket_of_id: Mapping[str, int]) -> dict[int, pd.DataFrame]:
    """The rows of ``df`` by the bucket of their report."""
    where = df["report_id"].map(bucket_of_id)
    return {int(b): rows for b, rows in df.groupby(where, sort=False)}


def _dtype(kind: pa.DataType) -> str:
    """The pandas type of a wide value column as written."""
    return "Int64" if pa.types.is_integer(kind) else "Float64"


def _write_text(text: str, path: str) -> None:
    Path(path).write_text(text, encoding="utf-8")
