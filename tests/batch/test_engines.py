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

from tests.helpers import REAL, ROOT, comparable, extract_cli, load, make_inputs, slow_html


@pytest.mark.slow
def test_parallel_run_equals_in_process_run(tmp_path: Path):
    inputs = tmp_path / "in"
    make_inputs(inputs, 12)
    assert extract_cli(str(inputs), "-o", str(tmp_path / "a"), "-q").exit_code == 0
    assert extract_cli(str(inputs), "-o", str(tmp_path / "b"), "-q", workers=2).exit_code == 0
    assert comparable(tmp_path / "a") == comparable(tmp_path / "b")
    assert len(load(tmp_path / "a")["reports"]) == 12


@pytest.mark.slow
def test_sigkill_midway_then_rerun_equals_uninterrupted(tmp_path: Path):
    inputs = tmp_path / "in"
    make_inputs(inputs, 120)
    reference = tmp_path / "ref"
    assert extract_cli(str(inputs), "-o", str(reference), "-q").exit_code == 0

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

    res = extract_cli(str(inputs), "-o", str(out))
    assert res.exit_code == 0
    assert comparable(out) == comparable(reference)
    assert not list(out.rglob("*.tmp"))
    assert f"{len(committed)} unchanged and skipped" in res.output


def test_rerun_is_incremental(tmp_path: Path):
    inputs = tmp_path / "in"
    docs = make_inputs(inputs, 4)
    out = tmp_path / "out"
    assert extract_cli(str(inputs), "-o", str(out), "-q").exit_code == 0
    first = load(out)["reports"].set_index("source")
    # one file changes, one is added, one is copied under a new name
    docs[0].write_bytes(docs[0].read_bytes() + "\n再附一行\n".encode())
    (inputs / "new.txt").write_bytes((REAL / "018_dalian_changxingdao_jiedao_2022.txt").read_bytes())
    (inputs / "copy.html").write_bytes(docs[1].read_bytes())
    res = extract_cli(str(inputs), "-o", str(out))
    assert "3 unchanged and skipped" in res.output
    reports = load(out)["reports"].set_index("source")
    assert len(reports) == 6
    changed = str(docs[0].as_posix())
    assert reports.loc[changed, "report_id"] != first.loc[changed, "report_id"]
    copy = (inputs / "copy.html").as_posix()
    assert reports.loc[copy, "duplicate_of"] == reports.loc[docs[1].as_posix(), "report_id"]
    cells = load(out)["cells"]
    assert set(cells["report_id"]) == set(reports[reports["duplicate_of"].isna()]["report_id"])
    assert cells.groupby(["report_id", "key"]).size().max() == 1  # superseded rows are gone


def test_time_limit_stops_a_slow_document_and_the_batch_goes_on(tmp_path: Path):
    inputs = tmp_path / "in"
    make_inputs(inputs, 3)
    slow_html(inputs / "slow.html")
    out = tmp_path / "out"
    res = extract_cli(str(inputs), "-o", str(out), "--timeout", "1", workers=2)
    assert res.exit_code == 0
    reports = load(out)["reports"].set_index("source")
    slow = reports.loc[(inputs / "slow.html").as_posix()]
    assert slow["status"] == "failed" and "stopped after 1 s" in slow["error"]
    assert (reports["status"] == "ok").sum() == 3


def test_memory_limit_stops_a_hungry_document(tmp_path: Path):
    inputs = tmp_path / "in"
    make_inputs(inputs, 2)
    slow_html(inputs / "huge.html", rows=200000)
    out = tmp_path / "out"
    res = extract_cli(str(inputs), "-o", str(out), "--memory-limit", "64", "--timeout", "120", workers=1)
    assert res.exit_code == 0
    reports = load(out)["reports"].set_index("source")
    huge = reports.loc[(inputs / "huge.html").as_posix()]
    assert huge["status"] == "failed"
    assert "memory" in huge["error"]
    assert (reports["status"] == "ok").sum() == 2


def test_same_agency_and_year_is_flagged(tmp_path: Path):
    inputs = tmp_path / "in"
    make_inputs(inputs, 8)  # doc0000/doc0004, doc0001/doc0005, doc0002/doc0006: two editions each
    out = tmp_path / "out"
    res = extract_cli(str(inputs), "-o", str(out))
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
    assert extract_cli(str(inputs), "-o", str(tmp_path / "local"), "-q").exit_code == 0
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as lc:
        res = extract_cli(
            str(inputs),
            "-o",
            str(tmp_path / "dask"),
            "--engine",
            "dask",
            "--scheduler",
            lc.scheduler_address,
            "-q",
            workers=None,  # Dask's workers, not ours
        )
    assert res.exit_code == 0
    assert comparable(tmp_path / "dask") == comparable(tmp_path / "local")


def test_dask_needs_a_scheduler(tmp_path: Path):
    res = extract_cli(
        str(REAL / "000_xinjiang_yjglt_2019.txt"), "-o", str(tmp_path / "o"), "--engine", "dask", workers=None
    )
    assert res.exit_code == 2
    assert "--scheduler" in res.output
