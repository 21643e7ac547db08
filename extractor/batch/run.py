"""Running a batch: extract what the plan asks for and keep what is done in the store."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pandas as pd

from extractor.batch.engines import Engine, Limits, run_tasks
from extractor.batch.finish import finish
from extractor.batch.plan import InputFile, duplicate_row, plan_batch
from extractor.batch.store import DatasetStore
from extractor.dataset.tables import extraction_tables, frame
from extractor.pipeline import Extraction

logger = logging.getLogger(__name__)

DEFAULT_CHECKPOINT_DOCS = 50
DEFAULT_CHECKPOINT_SECONDS = 60.0


@dataclass
class BatchResult:
    extractions: list[Extraction] = field(default_factory=list)
    skipped: int = 0
    seconds: float = 0.0

    def tables(self) -> dict[str, pd.DataFrame]:
        return extraction_tables(self.extractions)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for e in self.extractions:
            out[e.status] = out.get(e.status, 0) + 1
        return out


@dataclass(frozen=True)
class BatchSettings:
    workers: int = 1
    limits: Limits = field(default_factory=Limits)
    engine: Engine = Engine.LOCAL
    scheduler: str | None = None
    force: bool = False
    checkpoint_docs: int = DEFAULT_CHECKPOINT_DOCS
    checkpoint_seconds: float = DEFAULT_CHECKPOINT_SECONDS

    def __post_init__(self) -> None:
        if self.workers < 0:
            raise ValueError("workers must be 0 (in this process) or more")
        if self.engine not in tuple(Engine):
            raise ValueError(f"unknown engine {self.engine!r}: choose {' or '.join(Engine)}")
        object.__setattr__(self, "engine", Engine(self.engine))
        if self.checkpoint_docs < 1:
            raise ValueError("checkpoint_docs must be at least 1")


def run_batch(
    files: list[InputFile],
    store: DatasetStore,
    settings: BatchSettings,
    on_done: Callable[[Extraction], None] | None = None,
    on_planned: Callable[[int], None] | None = None,
) -> BatchResult:
    """Extract what the plan asks for, appending a chunk to ``store`` at every checkpoint."""
    t0 = time.perf_counter()
    plan = plan_batch(files, store.reports(), force=settings.force, timeout=settings.limits.timeout)
    if on_planned:
        on_planned(len(plan.tasks) + len(plan.ready) + sum(len(v) for v in plan.later_duplicates.values()))
    result = BatchResult(skipped=plan.skipped)
    buffer: list[Extraction] = []
    last_flush = time.monotonic()

    def take(ext: Extraction) -> None:
        nonlocal last_flush
        buffer.append(ext)
        result.extractions.append(ext)
        if on_done:
            on_done(ext)
        if len(buffer) >= settings.checkpoint_docs or time.monotonic() - last_flush >= settings.checkpoint_seconds:
            store.append(buffer)
            buffer.clear()
            last_flush = time.monotonic()

    try:
        for ext in plan.ready:
            take(ext)
        for ext in run_tasks(plan.tasks, settings.engine, settings.workers, settings.limits, settings.scheduler):
            take(ext)
            for dup in plan.later_duplicates.get(ext.report["report_id"], []):
                take(duplicate_row(ext.report, dup))
    except KeyboardInterrupt:
        store.append(buffer)  # keep what is done: the rerun goes on from here
        raise
    store.append(buffer)
    result.seconds = time.perf_counter() - t0
    return result


def extract_tables(files: Iterable[InputFile]) -> dict[str, pd.DataFrame]:
    """Extract files in this process, straight into finished DataFrames (no output folder): for
    notebooks and tests. Duplicated content is extracted once and the tables finished
    (:func:`extractor.batch.finish.finish`) as in a batch."""
    files = list(files)
    empty = frame("reports", [])
    limits = Limits()
    plan = plan_batch(files, empty, timeout=limits.timeout)
    result = BatchResult(extractions=list(plan.ready))
    for ext in run_tasks(plan.tasks, Engine.LOCAL, 0, limits):
        result.extractions.append(ext)
        for dup in plan.later_duplicates.get(ext.report["report_id"], []):
            result.extractions.append(duplicate_row(ext.report, dup))
    return finish(result.tables())
