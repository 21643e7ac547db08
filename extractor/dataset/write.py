"""Writing dataset tables: each table a folder of Parquet parts swapped in whole, CSV on request."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path

import pandas as pd

from extractor.dataset.tables import wide_tables

FILE_MODE = 0o666
CSV_ENCODING = "utf-8-sig"  # with a BOM, so that Excel reads the Chinese right


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
        os.chmod(tmp, FILE_MODE & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def replace_table_dir(final: Path, write_into: Callable[[Path], object]) -> None:
    """Swap in a new folder for ``final``: write it beside, rename the old away, rename the new in."""
    token = uuid.uuid4().hex[:8]
    new = final.with_name(f".{final.name}.new-{token}")
    old = final.with_name(f".{final.name}.old-{token}")
    new.mkdir(parents=True)
    try:
        write_into(new)
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise
    if final.exists():
        os.rename(final, old)
    os.rename(new, final)
    shutil.rmtree(old, ignore_errors=True)


def write_dataset(out_dir: Path, tables: Mapping[str, pd.DataFrame], csv: bool = False) -> list[Path]:
    """Write every table of a finished dataset (see :func:`extractor.batch.finish.finish`) and the
    wide views into ``out_dir`` as ``<name>.parquet/part-0.parquet``.

    Each table folder is swapped in whole (see :func:`replace_table_dir`), so a
    reader never sees a half-written table. Returns the paths written.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    everything = dict(tables)
    everything.update(wide_tables(everything))
    written = []
    for name, df in everything.items():
        path = out_dir / f"{name}.parquet"
        replace_table_dir(path, partial(_to_parquet, df))
        written.append(path)
        written += _sync_csv(out_dir / f"{name}.csv", df, csv)
    return written


def _sync_csv(path: Path, df: pd.DataFrame, wanted: bool) -> list[Path]:
    """Write the CSV beside a table that was just rewritten, or remove a stale one."""
    if wanted:
        atomic_write(path, partial(_to_csv, df))
        return [path]
    path.unlink(missing_ok=True)
    return []


def _to_parquet(df: pd.DataFrame, folder: Path) -> None:
    # A nullable boolean column (checks.passed) is an Arrow bool column with nulls either way; written
    # as object it reads back as True/False/None, not pd.NA, for readers that test value by value
    # (bool(pd.NA) raises). The package's own readers cast to COLUMNS, i.e. back to "boolean".
    plain = df.astype({c: object for c, t in df.dtypes.items() if t == "boolean"})
    plain.to_parquet(folder / "part-0.parquet", engine="pyarrow", index=False)


def _to_csv(df: pd.DataFrame, path: str) -> None:
    df.to_csv(path, index=False, encoding=CSV_ENCODING)
