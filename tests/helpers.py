"""Shared test helpers: where the fixtures are, their gold, input folders for batches, and dataset
comparison as spec/OUTPUT.md defines it. Tests import them from here (``tests.helpers``), never from
``conftest``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]  # the project
FIXTURES = ROOT / "tests" / "fixtures"
REAL = FIXTURES / "real"
TIMING = ["seconds"]


def gold_of(report: Path) -> dict:
    return json.loads((report.parent / f"{report.name}.gold.json").read_text(encoding="utf-8"))


def make_inputs(folder: Path, copies: int) -> list[Path]:
    """``copies`` distinct documents: real reports with a numbered line appended (new content each)."""
    folder.mkdir(parents=True, exist_ok=True)
    sources = [
        REAL / "000_xinjiang_yjglt_2019.txt",
        REAL / "004_shanghai_govoffice_2019.html",
        REAL / "008_pingtan_2022.txt",
        REAL / "016_dongsheng_jiguanshiwu_2021.txt",
    ]
    out = []
    for i in range(copies):
        src = sources[i % len(sources)]
        dst = folder / f"doc{i:04d}{src.suffix}"
        tail = f"\n<!-- copy {i} -->\n" if src.suffix == ".html" else f"\n附件编号：{i}\n"
        dst.write_bytes(src.read_bytes() + tail.encode())
        out.append(dst)
    return out


def slow_html(path: Path, rows: int = 20000) -> Path:
    """A large but valid page whose section-二 table has ``rows`` rows (seconds of work)."""
    row = "<tr><td>规章</td><td>0</td><td>0</td><td>0</td></tr>"
    path.write_text(
        "<html><body><p>某局2020年政府信息公开工作年度报告</p><p>二、主动公开政府信息情况</p><table>"
        + row * rows
        + "</table></body></html>",
        encoding="utf-8",
    )
    return path


def load(out: Path) -> dict[str, pd.DataFrame]:
    return {n: pd.read_parquet(out / f"{n}.parquet") for n in ("reports", "cells", "sections", "checks")}


def comparable(out: Path) -> tuple[set, set]:
    """reports without timing columns, and cells on (source, key, value, state), as sets."""
    t = load(out)
    reports = t["reports"].drop(columns=TIMING)
    rset = {tuple(str(x) for x in row) for row in reports.itertuples(index=False)}
    cells = t["cells"].merge(t["reports"][["report_id", "source"]].drop_duplicates("report_id"), on="report_id")
    cset = {
        (s, k, None if pd.isna(v) else float(v), st)
        for s, k, v, st in zip(cells["source"], cells["key"], cells["value"], cells["state"], strict=True)
    }
    return rset, cset


def copy_tree(src: Path, dst: Path) -> None:
    shutil.copytree(src, dst)
