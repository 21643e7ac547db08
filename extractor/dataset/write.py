"""Writing the dataset folder with one commit point: ``OUT/manifest.json``.

Layout: ``OUT/<table>.parquet/`` is a folder of Parquet parts that ``pandas.read_parquet`` reads as
one table. The manifest names the parts of every table (and the other files of the dataset: CSVs,
the QA report); it is the only thing readers and restarts trust.

A change is made in three steps. New files are *staged* under hidden names (``.<name>.stage``, which
pyarrow and pandas skip); then the new manifest is written to a temporary file, flushed and renamed
over the old one: that rename is the commit, for the whole dataset at once. It lists the staged
files as *pending* renames, which are applied next and then the files no manifest names are deleted.
A process killed before the commit leaves the old dataset (the next :func:`recover` deletes the
staged files); killed after it, the new one (:func:`recover` applies the pending renames). Nothing a
committed manifest names is ever deleted.

``GOVREPORT_CRASH_AT=<phase>:<k>`` makes the process exit at the k-th :func:`crash_point` of that
phase (tests inject a kill at every step instead of racing for one).
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from extractor.dataset.tables import COLUMNS, WIDE_VERSIONS, wide_tables

logger = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = "govreport-dataset/1"
STAGE_SUFFIX = ".stage"
CRASH_ENV = "GOVREPORT_CRASH_AT"
CRASH_EXIT_CODE = 86
# the finished dataset's tables: crosswalk and the wide tables have no fixed schema (their columns
# follow the keys the reports print, and the panel's columns), so they are written as they come
FREE_TABLES = ("crosswalk", *(f"wide_{v}{s}" for v in WIDE_VERSIONS for s in ("", "_state")))
ALL_TABLES = (*COLUMNS, *FREE_TABLES)
FILE_MODE = 0o666
CSV_ENCODING = "utf-8-sig"  # with a BOM, so that Excel reads the Chinese right


class PartKind:
    """What a part holds (a plain string in the manifest)."""

    CHUNK = "chunk"  # appended at a checkpoint, not yet compacted
    SEGMENT = "segment"  # compacted rows of documents
    GLOBAL = "global"  # recomputed whole at every finish (cross-year checks, batch warnings)


_crash_counts: dict[str, int] = {}


def crash_point(phase: str) -> None:
    """Exit abruptly here when ``GOVREPORT_CRASH_AT`` asks for this step of ``phase`` (tests only)."""
    wanted = os.environ.get(CRASH_ENV)
    if not wanted:
        return
    want_phase, _, k = wanted.partition(":")
    if want_phase != phase:
        return
    _crash_counts[phase] = _crash_counts.get(phase, 0) + 1
    if str(_crash_counts[phase]) == k:
        os._exit(CRASH_EXIT_CODE)


# -- arrow schemas ---------------------------------------------------------------------------------
_ARROW_TYPES = {
    "string": pa.string(),
    "Int64": pa.int64(),
    "float64": pa.float64(),
    "object": pa.bool_(),
    "boolean": pa.bool_(),
}


def _schema_of(columns: Mapping[str, str]) -> pa.Schema:
    """The Arrow schema of a table, with pandas' metadata so that ``pandas.read_parquet`` gives back
    the nullable dtypes (``Int64`` stays integer where a value is missing)."""
    # A nullable boolean (checks.passed) is recorded as object: pandas then reads True/False/None,
    # not pd.NA, for readers that test value by value (bool(pd.NA) raises); the package's own
    # readers cast back to the table's types.
    empty = pd.DataFrame(
        {name: pd.Series(dtype=object if dtype == "boolean" else dtype) for name, dtype in columns.items()}
    )
    metadata = pa.Schema.from_pandas(empty, preserve_index=False).metadata
    return pa.schema([(name, _ARROW_TYPES[dtype]) for name, dtype in columns.items()], metadata=metadata)


def table_columns(name: str) -> dict[str, str]:
    """The fixed columns of a table of :data:`~extractor.dataset.tables.COLUMNS` (not of the free
    tables)."""
    return COLUMNS[name]


@functools.cache
def arrow_schema(name: str) -> pa.Schema:
    return _schema_of(table_columns(name))


def to_arrow(name: str, df: pd.DataFrame) -> pa.Table:
    """``df`` as an Arrow table with the table's fixed schema (so parts always agree)."""
    cols = table_columns(name)
    df = df[list(cols)].astype(cols)
    return pa.Table.from_pandas(df, schema=arrow_schema(name), preserve_index=False)


# -- the manifest ----------------------------------------------------------------------------------
@dataclass
class Part:
    file: str  # name inside the table folder
    kind: str
    rows: int
    chunk: str = ""  # the checkpoint that wrote it (chunk parts)
    bucket: int | None = None  # finished parts of the per-agency tables: the bucket of agencies they hold
    info: dict[str, list[str]] = field(default_factory=dict)  # wide parts: what decides the table's columns

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {"file": self.file, "kind": self.kind, "rows": self.rows}
        if self.chunk:
            out["chunk"] = self.chunk
        if self.bucket is not None:
            out["bucket"] = self.bucket
        if self.info:
            out["info"] = self.info
        return out

    @classmethod
    def from_json(cls, p: Mapping[str, Any]) -> Part:
        bucket = p.get("bucket")
        info = {str(k): [str(x) for x in v] for k, v in dict(p.get("info", {})).items()}
        return cls(
            str(p["file"]),
            str(p["kind"]),
            int(p["rows"]),
            str(p.get("chunk", "")),
            None if bucket is None else int(bucket),
            info,
        )


@dataclass
class Manifest:
    tables: dict[str, list[Part]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)  # other committed files (CSV, QA report)
    pending: list[tuple[str, str]] = field(default_factory=list)  # staged -> final, relative to OUT
    generation: int = 0
    finish: str = ""  # what finished the bucketed parts (their bucket count and rules): see batch.store

    def parts(self, name: str) -> list[Part]:
        return self.tables.setdefault(name, [])

    def referenced(self) -> set[str]:
        names = {f"{t}.parquet/{p.file}" for t, parts in self.tables.items() for p in parts}
        return names | set(self.files)

    def to_json(self) -> dict[str, object]:
        return {
            "format": MANIFEST_FORMAT,
            "generation": self.generation,
            "tables": {t: [p.to_json() for p in parts] for t, parts in self.tables.items()},
            "files": self.files,
            "pending": [list(p) for p in self.pending],
            **({"finish": self.finish} if self.finish else {}),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Manifest:
        tables = {
            t: [Part.from_json(p) for p in parts]
            for t, parts in dict(data["tables"]).items()  # type: ignore[call-overload]
        }
        pending = [(str(a), str(b)) for a, b in data.get("pending", [])]  # type: ignore[attr-defined]
        generation = int(data.get("generation", 0))  # type: ignore[call-overload]
        return cls(tables, list(data.get("files", [])), pending, generation, str(data.get("finish", "")))  # type: ignore[call-overload]


def manifest_path(out_dir: Path) -> Path:
    return out_dir / MANIFEST_NAME


def read_manifest(out_dir: Path) -> Manifest | None:
    path = manifest_path(out_dir)
    if not path.is_file():
        return None
    return Manifest.from_json(json.loads(path.read_text(encoding="utf-8")))


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: Path, write: Callable[[str], object]) -> None:
    """Write ``path`` through a temporary file renamed into place, with the ordinary mode of a new
    file (0666 less the umask; ``mkstemp`` alone would leave it 0600)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, FILE_MODE & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_text(text: str, path: str) -> None:
    Path(path).write_text(text, encoding="utf-8")


def _write_manifest(out_dir: Path, manifest: Manifest) -> None:
    text = json.dumps(manifest.to_json(), ensure_ascii=False, indent=1)
    atomic_write(manifest_path(out_dir), partial(_write_text, text))


def commit(out_dir: Path, manifest: Manifest) -> None:
    """Write ``manifest`` as the dataset's state (the commit point), then apply its pending renames
    and delete what it does not name."""
    manifest.generation += 1
    for staged, _ in manifest.pending:
        with open(out_dir / staged, "rb") as fh:
            os.fsync(fh.fileno())
    for folder in {(out_dir / s).parent for s, _ in manifest.pending}:
        _fsync_dir(folder)
    crash_point("finish")
    _write_manifest(out_dir, manifest)
    _fsync_dir(out_dir)
    crash_point("finish")
    settle(out_dir, manifest)
    _drop_stale_csvs(out_dir, manifest)


def _drop_stale_csvs(out_dir: Path, manifest: Manifest) -> None:
    """Remove the CSV of a table that the committed dataset does not name (a run without ``--csv``
    after one with it): a stale CSV would disagree with its table."""
    for name in ALL_TABLES:
        if f"{name}.csv" not in manifest.files:
            (out_dir / f"{name}.csv").unlink(missing_ok=True)


def settle(out_dir: Path, manifest: Manifest) -> None:
    """Apply the committed manifest's pending renames and delete the files it does not name."""
    for staged, final in manifest.pending:
        if (out_dir / staged).exists():
            os.replace(out_dir / staged, out_dir / final)
            crash_point("finish")
    referenced = manifest.referenced()
    for name in ALL_TABLES:
        folder = out_dir / f"{name}.parquet"
        if folder.is_file():  # a single-file table of an older version, now replaced by a folder
            folder.unlink()
        for entry in folder.iterdir() if folder.is_dir() else ():
            if f"{name}.parquet/{entry.name}" not in referenced and entry.is_file():
                entry.unlink()
    crash_point("finish")  # deleting is idempotent: one step for all tables
    for stray in out_dir.glob(f".*{STAGE_SUFFIX}"):
        stray.unlink(missing_ok=True)
    for stray in out_dir.glob(".*.tmp"):
        stray.unlink(missing_ok=True)
    if manifest.pending:
        manifest.pending = []
        _write_manifest(out_dir, manifest)


def recover(out_dir: Path) -> Manifest:
    """The committed manifest, with an interrupted change finished or dropped (see the module doc).
    A folder written by an older version (no manifest) is adopted as it stands."""
    manifest = read_manifest(out_dir)
    if manifest is None:
        manifest = _adopt_legacy(out_dir)
    settle(out_dir, manifest)
    return manifest


def _adopt_legacy(out_dir: Path) -> Manifest:
    """A manifest for a folder without one: every committed part of the older layout becomes a chunk
    (a chunk counted there once its ``reports`` part existed; ``part-0`` was the compacted table)."""
    manifest = Manifest()
    reports_dir = out_dir / "reports.parquet"
    committed = {p.name[len("part-") : -len(".parquet")] for p in reports_dir.glob("part-*.parquet")}
    for name in COLUMNS:
        folder = out_dir / f"{name}.parquet"
        if folder.is_file():  # a single file written by an even older version
            moved = out_dir / f".{name}.legacy{STAGE_SUFFIX}"
            os.replace(folder, moved)
            folder.mkdir()
            os.replace(moved, folder / "part-0.parquet")
            committed.add("0")
        for part in sorted(folder.glob("part-*.parquet")) if folder.is_dir() else ():
            chunk = part.name[len("part-") : -len(".parquet")]
            if chunk in committed or chunk == "0":
                rows = pq.ParquetFile(part).metadata.num_rows
                manifest.parts(name).append(Part(part.name, PartKind.CHUNK, rows, chunk))
    for name in COLUMNS:
        manifest.parts(name).sort(key=lambda p: p.chunk)
    if any(manifest.tables.values()):
        logger.warning("%s: adopting a dataset written by an older version (no %s)", out_dir, MANIFEST_NAME)
    return manifest


# -- staging ---------------------------------------------------------------------------------------
def staged_name(final: str) -> str:
    folder, _, name = final.rpartition("/")
    return f"{folder}/.{name}{STAGE_SUFFIX}" if folder else f".{name}{STAGE_SUFFIX}"


class PartWriter:
    """Writes one new part of a table under its staged name, in batches (bounded memory)."""

    def __init__(self, out_dir: Path, table: str, file: str, kind: str, chunk: str = "") -> None:
        self.out_dir, self.table, self.file, self.kind, self.chunk = out_dir, table, file, kind, chunk
        self.final = f"{table}.parquet/{file}"
        self.staged = staged_name(self.final)
        (out_dir / f"{table}.parquet").mkdir(parents=True, exist_ok=True)
        self.schema = arrow_schema(table)
        self._writer: pq.ParquetWriter | None = None
        self.rows = 0
        _open_writers.add(self)

    def write(self, batch: pa.Table | pd.DataFrame) -> None:
        table = to_arrow(self.table, batch) if isinstance(batch, pd.DataFrame) else batch.cast(self.schema)
        if not table.num_rows:
            return
        try:
            if self._writer is None:
                self._writer = pq.ParquetWriter(self.out_dir / self.staged, self.schema)
            self._writer.write_table(table)
        except BaseException:
            abort_writers()
            raise
        self.rows += table.num_rows

    def abort(self) -> None:
        """Drop the staged file (after an error: e.g. a full disk)."""
        _open_writers.discard(self)
        if self._writer is not None:
            with contextlib.suppress(OSError):
                self._writer.close()
            self._writer = None
        (self.out_dir / self.staged).unlink(missing_ok=True)

    def close(self, manifest: Manifest) -> Part | None:
        """Close the file; register it in ``manifest`` (as pending) when it holds rows."""
        _open_writers.discard(self)
        if self._writer is None:
            return None
        try:
            self._writer.close()
        except BaseException:
            self.abort()
            abort_writers()
            raise
        manifest.pending.append((self.staged, self.final))
        part = Part(self.file, self.kind, self.rows, self.chunk)
        manifest.parts(self.table).append(part)
        return part


_open_writers: set[PartWriter] = set()


def ensure_every_table(out_dir: Path, manifest: Manifest, token: str) -> None:
    """Give each table without rows one empty part, so that ``pandas.read_parquet`` still reads its
    columns (an empty folder would read as a table without columns)."""
    for name in COLUMNS:
        if manifest.tables.get(name):
            continue
        writer = PartWriter(out_dir, name, f"empty-{token}.parquet", PartKind.GLOBAL)
        pq.write_table(arrow_schema(name).empty_table(), out_dir / writer.staged)
        _open_writers.discard(writer)
        manifest.pending.append((writer.staged, writer.final))
        manifest.parts(name).append(Part(writer.file, writer.kind, 0))


def abort_writers() -> None:
    """Abort every part being written (an error ends the change: the committed dataset stays)."""
    for writer in list(_open_writers):
        writer.abort()


def stage_file(out_dir: Path, manifest: Manifest, final: str, write: Callable[[str], object]) -> None:
    """Stage a whole file (CSV, QA report) to replace ``final`` at the next commit."""
    staged = staged_name(final)
    write(str(out_dir / staged))
    manifest.pending.append((staged, final))
    if final not in manifest.files:
        manifest.files.append(final)


# -- reading ---------------------------------------------------------------------------------------
def part_paths(out_dir: Path, manifest: Manifest, name: str, kinds: Iterable[str] | None = None) -> list[Path]:
    wanted = set(kinds) if kinds is not None else None
    return [
        out_dir / f"{name}.parquet" / p.file
        for p in manifest.tables.get(name, [])
        if wanted is None or p.kind in wanted
    ]


def read_table(
    out_dir: Path, name: str, manifest: Manifest | None = None, columns: list[str] | None = None
) -> pd.DataFrame:
    """A committed table, as the manifest names it (empty with its schema when it has no parts; a
    free table without parts is an empty frame)."""
    manifest = manifest or read_manifest(out_dir) or Manifest()
    paths = part_paths(out_dir, manifest, name)
    if name not in COLUMNS:
        frames = [pd.read_parquet(p, columns=columns) for p in paths]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    schema = arrow_schema(name)
    if columns is not None:
        schema = pa.schema([schema.field(c) for c in columns])
    tables = [_conform(pq.read_table(p), schema) for p in paths]
    table = pa.concat_tables(tables) if tables else schema.empty_table()
    cols = {c: t for c, t in table_columns(name).items() if columns is None or c in columns}
    return table.to_pandas()[list(cols)].astype(cols)


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """``table`` with the columns of ``schema`` in its order (a column a part written by an older
    version lacks is null)."""
    columns = [table[f.name] if f.name in table.column_names else pa.nulls(table.num_rows, f.type) for f in schema]
    return pa.Table.from_arrays(columns, names=schema.names).cast(schema)


# -- the whole dataset from DataFrames -------------------------------------------------------------
def stage_dataset(
    out_dir: Path, manifest: Manifest, tables: Mapping[str, pd.DataFrame], token: str, csv: bool = False
) -> None:
    """Stage every table of a finished dataset (see :func:`extractor.batch.finish.finish`) and its
    wide tables as one part each (and their CSVs when ``csv``) into ``manifest``, to be committed."""
    everything = dict(tables)
    everything.update(wide_tables(everything))
    for name, df in everything.items():
        stage_frame(out_dir, manifest, name, f"seg-{token}.parquet", df)
        crash_point("finish")
        if csv:
            stage_file(out_dir, manifest, f"{name}.csv", partial(_to_csv, df))
            crash_point("finish")


def stage_frame(
    out_dir: Path,
    manifest: Manifest,
    name: str,
    file: str,
    df: pd.DataFrame,
    bucket: int | None = None,
    info: dict[str, list[str]] | None = None,
) -> Part:
    """Stage ``df`` as a finished part ``file`` of table ``name`` in ``manifest`` (to be committed)."""
    final = f"{name}.parquet/{file}"
    staged = staged_name(final)
    (out_dir / f"{name}.parquet").mkdir(parents=True, exist_ok=True)
    try:
        _to_parquet(df, out_dir / staged)
    except BaseException:
        (out_dir / staged).unlink(missing_ok=True)
        raise
    manifest.pending.append((staged, final))
    part = Part(file, PartKind.SEGMENT, len(df), bucket=bucket, info=info or {})
    manifest.parts(name).append(part)
    return part


def part_file(out_dir: Path, manifest: Manifest, name: str, part: Part) -> Path:
    """Where a part of ``manifest`` is on disk now (under its staged name while it is pending)."""
    final = f"{name}.parquet/{part.file}"
    staged = staged_name(final)
    return out_dir / (staged if (staged, final) in manifest.pending else final)


def write_dataset(out_dir: Path, tables: Mapping[str, pd.DataFrame], csv: bool = False) -> list[Path]:
    """Replace the dataset in ``out_dir`` by the tables of a finished dataset and the wide tables,
    in one commit (CSVs beside them when ``csv``; a stale CSV is removed otherwise)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest = recover(out_dir)
    new = Manifest(files=[], generation=manifest.generation)
    try:
        stage_dataset(out_dir, new, tables, f"{manifest.generation + 1:08d}-{os.getpid()}", csv)
    except BaseException:
        for staged, _ in new.pending:
            (out_dir / staged).unlink(missing_ok=True)
        raise
    commit(out_dir, new)
    return [out_dir / f for f in sorted(new.referenced())]


def _to_parquet(df: pd.DataFrame, path: Path) -> None:
    # A nullable boolean column (checks.passed) is an Arrow bool column with nulls either way; written
    # as object it reads back as True/False/None, not pd.NA, for readers that test value by value
    # (bool(pd.NA) raises). The package's own readers cast to COLUMNS, i.e. back to "boolean".
    plain = df.astype({c: object for c, t in df.dtypes.items() if t == "boolean"})
    plain.to_parquet(path, engine="pyarrow", index=False)


def _to_csv(df: pd.DataFrame, path: str) -> None:
    df.to_csv(path, index=False, encoding=CSV_ENCODING)
