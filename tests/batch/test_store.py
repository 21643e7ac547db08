"""The crash-safe Parquet store (extractor/batch/store.py): a run killed midway resumes to the same dataset."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from tests.helpers import ROOT, comparable, extract_cli, make_inputs


@pytest.mark.slow
def test_sigkill_midway_then_rerun_equals_uninterrupted(tmp_path: Path):
    inputs = tmp_path / "in"
    make_inputs(inputs, 120)
    reference = tmp_path / "ref"
    assert extract_cli(str(inputs), "-o", str(reference), "-q").exit_code == 0

    out = tmp_path / "out"
    pool_of_one = ["-w", "1", "-q", "--checkpoint", "3"]  # one worker, a committed part every 3 documents
    cmd = [sys.executable, "-m", "extractor", "extract", str(inputs), "-o", str(out), *pool_of_one]
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
