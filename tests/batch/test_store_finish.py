"""Finishing in the store: incremental reruns, superseded rows, merged segments equal one clean finish."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from extractor.batch import store as store_module
from extractor.batch.plan import InputFile
from extractor.batch.run import BatchSettings, run_batch
from extractor.batch.store import DatasetStore
from extractor.dataset.write import read_manifest
from tests.helpers import dataset_rows, make_inputs

SETTINGS = BatchSettings(workers=0)


def _run(inputs: list[Path], out: Path) -> None:
    with DatasetStore(out) as store:
        run_batch([InputFile(p, p.as_posix()) for p in inputs], store, SETTINGS)
        store.finish()


def test_reruns_one_document_at_a_time_equal_one_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(store_module, "MAX_SEGMENTS", 2)  # merging happens after three reruns
    docs = make_inputs(tmp_path / "in", 6)
    step = tmp_path / "step"
    for i in range(1, len(docs) + 1):
        _run(docs[:i], step)
        segments = read_manifest(step).tables["cells"]
        assert len(segments) <= 2, segments
    docs[2].write_bytes(docs[2].read_bytes() + "\n附件：更正\n".encode())  # changed: its old rows go
    _run(docs, step)
    clean = tmp_path / "clean"
    _run(docs, clean)
    assert dataset_rows(step) == dataset_rows(clean)
    reports = pd.read_parquet(step / "reports.parquet")
    assert len(reports) == 6 and reports["report_id"].is_unique
    assert set(pd.read_parquet(step / "cells.parquet")["report_id"]) == set(reports["report_id"])


def test_a_rerun_adding_one_document_leaves_the_old_segments_alone(tmp_path: Path):
    docs = make_inputs(tmp_path / "in", 5)
    out = tmp_path / "out"
    _run(docs[:4], out)
    before = {p.file for p in read_manifest(out).tables["cells"]}
    _run(docs, out)
    after = read_manifest(out).tables["cells"]
    assert before < {p.file for p in after}  # the old segment kept as it was, one new beside it
    new = [p for p in after if p.file not in before]
    assert len(new) == 1 and new[0].rows == pd.read_parquet(out / "reports.parquet")["n_cells"].iloc[-1]
