"""Finishing in the store: reruns one document at a time, superseded rows, equal one clean finish."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd

from extractor.batch.plan import InputFile, walk_inputs
from extractor.batch.run import BatchSettings, run_batch
from extractor.batch.store import MAX_BUCKET_PARTS, DatasetStore
from extractor.dataset.write import PartKind, read_manifest
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
        parts = read_manifest(step).tables["cells"]
        assert {p.kind for p in parts} == {PartKind.SEGMENT}  # every chunk compacted into finished parts
        assert max(Counter(p.bucket for p in parts).values()) <= MAX_BUCKET_PARTS
    docs[2].write_bytes(docs[2].read_bytes() + "\n附件：更正\n".encode())  # changed: its old rows go
    _run(docs, step)
    clean = tmp_path / "clean"
    _run(docs, clean)
    assert dataset_rows(step) == dataset_rows(clean)
    reports = pd.read_parquet(step / "reports.parquet")
    assert len(reports) == 6 and reports["report_id"].is_unique
    assert set(pd.read_parquet(step / "cells.parquet")["report_id"]) == set(reports["report_id"])


def test_a_rerun_supersedes_by_location_not_by_source(tmp_path: Path):
    """Two input roots hold a ``doc0000.txt`` each (same source, other content): a run over the
    second root adds its document and keeps the first's; a changed file replaces only its own row."""
    first = make_inputs(tmp_path / "a", 1)[0]
    second = tmp_path / "b" / first.name
    second.parent.mkdir()
    second.write_bytes(first.read_bytes() + "\n附件：另一份\n".encode())
    out = tmp_path / "out"
    for folder in (first.parent, second.parent):
        with DatasetStore(out) as store:
            run_batch(list(walk_inputs([folder])), store, SETTINGS)
            store.finish()
    reports = pd.read_parquet(out / "reports.parquet")
    assert sorted(reports["root"]) == [first.parent.resolve().as_posix(), second.parent.resolve().as_posix()]
    assert set(reports["source"]) == {first.name} and reports["report_id"].is_unique
    assert set(pd.read_parquet(out / "cells.parquet")["report_id"]) == set(reports["report_id"])
    second.write_bytes(second.read_bytes() + "\n附件：更正\n".encode())
    with DatasetStore(out) as store:
        run_batch(list(walk_inputs([second.parent])), store, SETTINGS)
        store.finish()
    after = pd.read_parquet(out / "reports.parquet").set_index("root")["report_id"]
    assert len(after) == 2
    assert after[first.parent.resolve().as_posix()] in set(reports["report_id"])  # kept as it was
    assert after[second.parent.resolve().as_posix()] not in set(reports["report_id"])  # replaced
