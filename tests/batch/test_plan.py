"""Batch planning (extractor/batch/plan.py): unchanged inputs skipped on a rerun, changed ones re-read, copies marked as duplicates."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import BinaryIO

import pytest

from extractor.batch import plan
from extractor.batch.plan import InputFile
from extractor.dataset.tables import frame
from tests.helpers import REAL, extract_cli, load, make_inputs


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
    changed = docs[0].name
    assert reports.loc[changed, "report_id"] != first.loc[changed, "report_id"]
    assert reports.loc["copy.html", "duplicate_of"] == reports.loc[docs[1].name, "report_id"]
    cells = load(out)["cells"]
    assert set(cells["report_id"]) == set(reports[reports["duplicate_of"].isna()]["report_id"])
    assert reports["report_id"].is_unique
    assert cells.groupby(["report_id", "key"]).size().max() == 1  # superseded rows are gone


def test_hashing_is_bounded_by_the_time_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """An input whose reading hangs (a stalled network share: here a read that blocks until the test
    releases it) costs planning the per-document time limit, not the batch: it becomes a failed row
    saying why, and the other inputs are planned."""
    docs = make_inputs(tmp_path / "in", 2)
    release = threading.Event()
    real = plan._digest
    calls: list[int] = []

    def digest(fh: BinaryIO) -> str:
        calls.append(1)
        if len(calls) == 1:  # the first input (planned in order) hangs
            release.wait(60)
        return real(fh)

    monkeypatch.setattr(plan, "_digest", digest)
    files = [InputFile(p, p.name) for p in docs]
    start = time.monotonic()
    try:
        planned = plan.plan_batch(files, frame("reports", []), timeout=0.5)
    finally:
        release.set()
    assert time.monotonic() - start < 10
    assert [t.source for t in planned.tasks] == [docs[1].name]
    (hung,) = planned.ready
    assert hung.report["source"] == docs[0].name and hung.report["status"] == "failed"
    assert hung.report["error"] == "reading the file to hash it took longer than the time limit (0.5 s)"
