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

from extractor.dataset.tables import complete_tables, wide


def atomic_write(path: Path, write: Callable[[str], object]) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
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
    """Write every table (and the wide views) into ``out_dir`` as ``<name>.parquet/part-0.parquet``.

    Each table folder is swapped in whole (see :func:`replace_table_dir`), so a
    reader never sees a half-written table. Returns the paths written.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    everything = dict(tables) if "crosswalk" in tables else complete_tables(tables)
    for version in ("2019", "2021", "legacy"):
        everything[f"wide_{version}"] = wide(everything["reports"], everything["cells"], version)
    written = []
    for name, df in everything.items():
        path = out_dir / f"{name}.parquet"
        replace_table_dir(path, partial(_to_parquet, df))
        written.append(path)
        if csv:
            cpath = out_dir / f"{name}.csv"
            atomic_write(cpath, partial(_to_csv, df))
            written.append(cpath)
    return written


def _to_parquet(df: pd.DataFrame, folder: Path) -> None:
    df.to_parquet(folder / "part-0.parquet", engine="pyarrow", index=False)


def _to_csv(df: pd.DataFrame, path: str) -> None:
    df.to_csv(path, index=False, encoding="utf-8")
