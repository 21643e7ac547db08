"""Finishing in the store: reruns one document at a time, superseded rows, equal one clean finish."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

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


def test_reruns_one_document_at_a_time_equal_one_run(tmp_path: Path):
    docs = make_inputs(tmp_path / "in", 6)
    step = tmp_path / "step"
    for i in range(1, len(docs) + 1):
        _run(docs[:i], step)
        assert len(read_manifest(step).tables["cells"]) == 1  # one finished part per table
    docs[2].write_bytes(docs[2].read_bytes() + "\n附件：更正\n".encode())  # changed: its old rows go
    _run(docs, step)
    clean = tmp_path / "clean"
    _run(docs, clean)
    assert dataset_rows(step) == dataset_rows(clean)
    reports = pd.read_parquet(step / "reports.parquet")
    assert len(reports) == 6 and reports["report_id"].is_unique
    assert set(pd.read_parquet(step / "cells.parquet")["report_id"]) == set(reports["report_id"])
