"""The batch command end to end: one reports row per input, bad input failed not fatal, reruns in place."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.helpers import REAL, ROOT, extract_cli

PAGE_GBK = "<html><body><p>某局2020年政府信息公开工作年度报告</p><p>一、总体情况</p><p>正文</p></body></html>"


@pytest.fixture()
def batch_dir(tmp_path: Path) -> Path:
    d = tmp_path / "in"
    (d / "sub").mkdir(parents=True)
    shutil.copy(REAL / "000_xinjiang_yjglt_2019.txt", d / "000.txt")
    shutil.copy(REAL / "004_shanghai_govoffice_2019.html", d / "sub" / "004.html")
    shutil.copy(REAL / "004_shanghai_govoffice_2019.html", d / "copy_of_004.htm")  # same content
    (d / "empty.txt").write_bytes(b"")
    (d / "junk.html").write_bytes(os.urandom(4096))
    (d / "gbk_no_charset.html").write_bytes(PAGE_GBK.encode("gbk"))
    (d / "truncated.html").write_bytes((REAL / "004_shanghai_govoffice_2019.html").read_bytes()[:5000])
    (d / "fake.pdf").write_bytes(b"%PDF-1.4\n%broken")
    (d / "links.tsv").write_text("sidecar\n")  # archive sidecar: not an input when walking folders
    return d


def test_batch_rows_and_statuses(batch_dir: Path, tmp_path: Path):
    out = tmp_path / "out"
    res = extract_cli(str(batch_dir), "-o", str(out), "--csv")
    assert res.exit_code == 0, res.output
    reports = pd.read_parquet(out / "reports.parquet").set_index("source")
    names = {Path(s).name: s for s in reports.index}
    assert set(names) == {
        "000.txt",
        "004.html",
        "copy_of_004.htm",
        "empty.txt",
        "junk.html",
        "gbk_no_charset.html",
        "truncated.html",
        "fake.pdf",
    }
    by = {n: reports.loc[s] for n, s in names.items()}
    assert by["000.txt"]["status"] == "ok" and by["000.txt"]["format_version"] == "2019"
    assert by["empty.txt"]["status"] == "failed" and "empty" in by["empty.txt"]["error"]
    assert by["junk.html"]["status"] == "failed" and "not a format" in by["junk.html"]["error"]
    assert by["gbk_no_charset.html"]["status"] == "partial"  # sections, but no table of the form
    assert by["gbk_no_charset.html"]["agency"] == "某局"
    assert by["truncated.html"]["status"] == "partial" and by["truncated.html"]["report_year"] == 2019
    assert by["fake.pdf"]["status"] == "failed"
    # inputs are walked in sorted order; the later copy points at the first and repeats no cells
    assert pd.isna(by["copy_of_004.htm"]["duplicate_of"])
    assert by["004.html"]["duplicate_of"] == by["copy_of_004.htm"]["report_id"]
    cells = pd.read_parquet(out / "cells.parquet")
    assert cells.groupby(["report_id", "key"]).size().max() == 1
    assert (out / "cells.csv").exists() and (out / "wide_2019.parquet").exists()
    wide = pd.read_parquet(out / "wide_2019.parquet")
    # 000, 004 and its copy, the truncated and the GBK page; one report per agency and year is
    # preferred: not the copy, nor the truncated page of the same agency and year
    assert len(wide) == 5 and wide["preferred"].sum() == 3
    trunc = by["truncated.html"]
    assert not trunc["preferred"]
    assert (
        trunc["preferred_reason"]
        == f"{by['copy_of_004.htm']['report_id']} (copy_of_004.htm) is preferred: complete over partial (status ok before partial)"
    )
    wide.index = [Path(s).name for s in wide["source"]]
    assert wide.loc["copy_of_004.htm", "requests.new_received.natural_person"] == 821
    assert wide.loc["004.html", "requests.new_received.natural_person"] == 821  # the duplicate's cells
    assert not wide.loc["004.html", "preferred"] and wide.loc["004.html", "duplicate_of"]
    assert "3 failed" in res.output  # the summary (stderr, which click's runner mixes into output)


def test_rerun_updates_in_place(batch_dir: Path, tmp_path: Path):
    out = tmp_path / "out"
    assert extract_cli(str(batch_dir / "000.txt"), "-o", str(out), "-q").exit_code == 0
    assert extract_cli(str(batch_dir / "sub"), "-o", str(out), "-q").exit_code == 0
    assert extract_cli(str(batch_dir / "000.txt"), "-o", str(out), "-q").exit_code == 0
    reports = pd.read_parquet(out / "reports.parquet")
    assert sorted(Path(s).name for s in reports["source"]) == ["000.txt", "004.html"]
    cells = pd.read_parquet(out / "cells.parquet")
    assert len(cells) == 37 + 198
    assert not list(out.glob(".*.tmp"))  # no half-written table left behind


def test_unwritable_out_dir_is_a_usage_error(tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    res = extract_cli(str(REAL / "000_xinjiang_yjglt_2019.txt"), "-o", str(blocker / "o"))
    assert res.exit_code == 2
    assert "cannot write" in res.output


def test_missing_input_is_a_usage_error(tmp_path: Path):
    res = extract_cli(str(tmp_path / "nope"), "-o", str(tmp_path / "o"))
    assert res.exit_code == 2


def test_module_entry_point(tmp_path: Path):
    out = tmp_path / "o"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "extractor",
            "extract",
            str(REAL / "016_dongsheng_jiguanshiwu_2021.txt"),
            "-o",
            str(out),
            "--workers",
            "0",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    assert "1 ok" in proc.stderr
    assert len(pd.read_parquet(out / "cells.parquet")) == 10
