"""One way to finish a dataset (extractor/batch/finish.py): the command line and extract_tables
give the same finished tables."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from extractor.api import combine, read_report
from extractor.batch.plan import InputFile, walk_inputs
from extractor.batch.run import extract_tables
from extractor.cli import main
from tests.helpers import REAL


def _inputs(tmp_path: Path) -> Path:
    d = tmp_path / "in"
    d.mkdir()
    shutil.copy(REAL / "000_xinjiang_yjglt_2019.txt", d / "000.txt")
    # another document (other content) on the same agency and year: a re-published report
    text = (REAL / "000_xinjiang_yjglt_2019.txt").read_text(encoding="utf-8")
    (d / "000_republished.txt").write_text(text + "\n（2020年3月修订）\n", encoding="utf-8")
    shutil.copy(REAL / "005_pingtan_2019.txt", d / "005.txt")
    return d


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    cols = [c for c in df.columns if c != "seconds"]
    return df[cols].astype(str).sort_values(cols).reset_index(drop=True)


def test_extract_tables_is_finished_like_a_batch(tmp_path: Path) -> None:
    d = _inputs(tmp_path)
    tables = extract_tables(walk_inputs([d]))  # sources (below their root) as the CLI names them
    # finished: documents on the same agency and year flagged, and the whole-batch tables added
    same = tables["warnings"][tables["warnings"]["kind"] == "same_agency_year"]
    source_of = dict(zip(tables["reports"]["report_id"], tables["reports"]["source"], strict=True))
    assert sorted(same["report_id"].map(source_of)) == ["000.txt", "000_republished.txt"]
    assert len(tables["crosswalk"]) > 0 and tables["checks"]["passed"].dtype == "boolean"

    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["extract", str(d), "-o", str(out), "--workers", "0", "-q"])
    assert result.exit_code == 0, result.output
    for name in ("warnings", "checks", "crosswalk"):
        written = pd.read_parquet(out / f"{name}.parquet")
        written = written.merge(pd.read_parquet(out / "reports.parquet")[["report_id", "source"]], on="report_id")
        mine = tables[name].merge(tables["reports"][["report_id", "source"]], on="report_id")
        assert _sorted(written).equals(_sorted(mine)), name


def test_combine_finishes_like_extract_tables(tmp_path: Path) -> None:
    """The notebook API's combine (reports read one by one) gives the tables extract_tables gives,
    same agency-year flags included (it used to complete the tables without them)."""
    d = _inputs(tmp_path)
    paths = sorted(d.iterdir())
    batch = extract_tables(InputFile(p, str(p)) for p in paths)
    combined = combine(read_report(p) for p in paths)
    assert (combined["warnings"]["kind"] == "same_agency_year").sum() == 2
    for name in ("reports", "warnings", "checks", "crosswalk", "cells"):
        assert _sorted(combined[name]).equals(_sorted(batch[name])), name
