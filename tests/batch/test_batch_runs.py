"""Archive-scale runs: parallel workers, limits, resumable and incremental output, Dask."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from extractor.cli import main
from tests.helpers import REAL, ROOT, comparable, load, make_inputs, slow_html


def cli(*args: str):
    return CliRunner().invoke(main, ["extract", *args], catch_exceptions=False)


def test_parallel_run_equals_in_process_run(tmp_path: Path):
    inputs = tmp_path / "in"
    make_inputs(inputs, 12)
    assert cli(str(inputs), "-o", str(tmp_path / "a"), "-w", "0", "-q").exit_code == 0
    assert cli(str(inputs), "-o", str(tmp_path / "b"), "-w", "2", "-q").exit_code == 0
    assert comparable(tmp_path / "a") == comparable(tmp_path / "b")
    assert len(load(tmp_path / "a")["reports"]) == 12


def test_sigkill_midway_then_rerun_equals_uninterrupted(tmp_path: Path):
    inputs = tmp_path / "in"
    make_inputs(inputs, 120)
    reference = tmp_path / "ref"
    assert cli(str(inputs), "-o", str(reference), "-w", "2", "-q").exit_code == 0

    out = tmp_path / "out"
    cmd = [
        sys.executable,
        "-m",
        "extractor",
        "extract",
        str(inputs),
        "-o",
        str(out),
        "-w",
        "1",
        "-q",
        "--checkpoint",
        "3",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    parts = out / "reports.parquet"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(parts.glob("part-*.parquet"))) < 2:
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    committed = pd.read_parquet(parts) if parts.exists() else pd.DataFrame()
    assert 0 < len(committed) < 120, "the kill must land midway"
    assert not (out / "wide_2019.parquet").exists()  # the run never reached its end

    res = cli(str(inputs), "-o", str(out), "-w", "2")
    assert res.exit_code == 0
    assert comparable(out) == comparable(reference)
    assert not list(out.rglob("*.tmp"))
    assert f"{len(committed)} unchanged and skipped" in res.output


def test_rerun_is_incremental(tmp_path: Path):
    inputs = tmp_path / "in"
    docs = make_inputs(inputs, 4)
    out = tmp_path / "out"
    assert cli(str(inputs), "-o", str(out), "-w", "0", "-q").exit_code == 0
    first = load(out)["reports"].set_index("source")
    # one file changes, one is added, one is copied under a new name
    docs[0].write_bytes(docs[0].read_bytes() + "\n再附一行\n".encode())
    (inputs / "new.txt").write_bytes((REAL / "018_dalian_changxingdao_jiedao_2022.txt").read_bytes())
    (inputs / "copy.html").write_bytes(docs[1].read_bytes())
    res = cli(str(inputs), "-o", str(out), "-w", "0")
    assert "3 unchanged and skipped" in res.output
    reports = load(out)["reports"].set_index("source")
    assert len(reports) == 6
    changed = docs[0].name
    assert reports.loc[changed, "report_id"] != first.loc[changed, "report_id"]
    assert reports.loc["copy.html", "duplicate_of"] == reports.loc[docs[1].name, "report_id"]
    cells = load(out)["cells"]
    assert set(cells["report_id"]) == set(reports[reports["duplicate_of"].isna()]["report_id"])
    assert reports["report_id"].is_unique
    assert cells.groupby(["report_id", "key"]).size().max() == 1  # superseded rows are gone


def test_time_limit_stops_a_slow_document_and_the_batch_goes_on(tmp_path: Path):
    inputs = tmp_path / "in"
    make_inputs(inputs, 3)
    slow_html(inputs / "slow.html")
    out = tmp_path / "out"
    res = cli(str(inputs), "-o", str(out), "-w", "2", "--timeout", "1")
    assert res.exit_code == 0
    reports = load(out)["reports"].set_index("source")
    slow = reports.loc["slow.html"]
    assert slow["status"] == "failed" and "stopped after 1 s" in slow["error"]
    assert slow["seconds"] == 1.0  # it ran that long, not 0 s
    assert "slow.html (1.00 s)" in res.output
    assert (reports["status"] == "ok").sum() == 3


def test_memory_limit_stops_a_hungry_document(tmp_path: Path):
    inputs = tmp_path / "in"
    make_inputs(inputs, 2)
    slow_html(inputs / "huge.html", rows=200000)
    out = tmp_path / "out"
    res = cli(str(inputs), "-o", str(out), "-w", "1", "--memory-limit", "64", "--timeout", "120")
    assert res.exit_code == 0
    reports = load(out)["reports"].set_index("source")
    huge = reports.loc["huge.html"]
    assert huge["status"] == "failed"
    assert "memory" in huge["error"]
    assert (reports["status"] == "ok").sum() == 2


def test_same_agency_and_year_is_flagged(tmp_path: Path):
    inputs = tmp_path / "in"
    make_inputs(inputs, 8)  # doc0000/doc0004, doc0001/doc0005, doc0002/doc0006: two editions each
    out = tmp_path / "out"
    res = cli(str(inputs), "-o", str(out), "-w", "0")
    warnings = pd.read_parquet(out / "warnings.parquet")
    flagged = warnings[warnings["kind"] == "same_agency_year"]
    assert flagged["report_id"].nunique() == 6  # doc0003/doc0007 name no agency
    assert "2 different documents report on 新疆维吾尔自治区应急管理厅 2019" in " ".join(flagged["message"])
    assert "documents sharing an agency and year with another: 6" in res.output


@pytest.mark.slow
def test_dask_local_cluster_equals_local_run(tmp_path: Path):
    distributed = pytest.importorskip("distributed")
    inputs = tmp_path / "in"
    make_inputs(inputs, 6)
    assert cli(str(inputs), "-o", str(tmp_path / "local"), "-w", "2", "-q").exit_code == 0
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as lc:
        res = cli(
            str(inputs), "-o", str(tmp_path / "dask"), "--engine", "dask", "--scheduler", lc.scheduler_address, "-q"
        )
    assert res.exit_code == 0
    assert comparable(tmp_path / "dask") == comparable(tmp_path / "local")


@pytest.mark.slow
def test_dask_without_a_scheduler_starts_a_local_cluster(tmp_path: Path):
    pytest.importorskip("distributed")
    inputs = tmp_path / "in"
    make_inputs(inputs, 3)
    assert cli(str(inputs), "-o", str(tmp_path / "local"), "-w", "0", "-q").exit_code == 0
    res = cli(str(inputs), "-o", str(tmp_path / "dask"), "--engine", "dask", "-w", "1", "-q")
    assert res.exit_code == 0
    assert comparable(tmp_path / "dask") == comparable(tmp_path / "local")
