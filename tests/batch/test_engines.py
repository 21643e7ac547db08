"""The engines (extractor/batch/engines.py): the worker pool equals an in-process run and enforces time and memory limits; Dask."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import comparable, extract_cli, load, make_inputs, slow_html


@pytest.mark.slow
def test_parallel_run_equals_in_process_run(tmp_path: Path):
    inputs = tmp_path / "in"
    make_inputs(inputs, 12)
    assert extract_cli(str(inputs), "-o", str(tmp_path / "a"), "-q").exit_code == 0
    assert extract_cli(str(inputs), "-o", str(tmp_path / "b"), "-q", workers=2).exit_code == 0
    assert comparable(tmp_path / "a") == comparable(tmp_path / "b")
    assert len(load(tmp_path / "a")["reports"]) == 12


def test_time_limit_stops_a_slow_document_and_the_batch_goes_on(tmp_path: Path):
    inputs = tmp_path / "in"
    make_inputs(inputs, 3)
    slow_html(inputs / "slow.html")
    out = tmp_path / "out"
    res = extract_cli(str(inputs), "-o", str(out), "--timeout", "1", workers=2)
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
    res = extract_cli(str(inputs), "-o", str(out), "--memory-limit", "64", "--timeout", "120", workers=1)
    assert res.exit_code == 0
    reports = load(out)["reports"].set_index("source")
    huge = reports.loc["huge.html"]
    assert huge["status"] == "failed"
    assert "memory" in huge["error"]
    assert (reports["status"] == "ok").sum() == 2


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


@pytest.mark.slow
def test_dask_without_a_scheduler_starts_a_local_cluster(tmp_path: Path):
    pytest.importorskip("distributed")
    inputs = tmp_path / "in"
    make_inputs(inputs, 3)
    assert extract_cli(str(inputs), "-o", str(tmp_path / "local"), "-q").exit_code == 0
    res = extract_cli(str(inputs), "-o", str(tmp_path / "dask"), "--engine", "dask", "-q", workers=1)
    assert res.exit_code == 0
    assert comparable(tmp_path / "dask") == comparable(tmp_path / "local")
