"""Writing the dataset (issue 12): CSVs follow the Parquet, with a BOM, and files get ordinary modes."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from extractor.cli import main
from tests.helpers import REAL


def _run(out: Path, *extra: str) -> None:
    res = CliRunner().invoke(main, ["extract", str(REAL / "000_xinjiang_yjglt_2019.txt"), "-o", str(out), "-q", *extra])
    assert res.exit_code == 0, res.output


def test_csv_has_a_bom_and_ordinary_modes(tmp_path: Path):
    out = tmp_path / "out"
    old = os.umask(0o022)
    try:
        _run(out, "--csv")
    finally:
        os.umask(old)
    raw = (out / "reports.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert "新疆维吾尔自治区应急管理厅" in raw.decode("utf-8-sig")
    for name in ("reports.csv", "cells.csv", "qa_report.md"):
        assert stat.S_IMODE((out / name).stat().st_mode) == 0o644, name
    assert pd.read_csv(out / "reports.csv", encoding="utf-8-sig")["agency"].iloc[0] == "新疆维吾尔自治区应急管理厅"


def test_a_rerun_without_csv_leaves_no_stale_csv(tmp_path: Path):
    out = tmp_path / "out"
    _run(out, "--csv")
    assert (out / "cells.csv").exists() and (out / "wide_2019.csv").exists()
    _run(out)
    assert not list(out.glob("*.csv"))
