"""A batch: walk the inputs, plan what needs extracting, run it, and keep what is done.

Planning hashes every input (content, not name): a file whose content the output folder already
holds under the same name is skipped, the same content under another name becomes a
``duplicate_of`` row without being read again, and only new or changed content is extracted.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pandas as pd

from extractor.datasets import frame
from extractor.engines import Limits, run_tasks
from extractor.pipeline import Extraction, failed, file_content_id
from extractor.store import DatasetStore

logger = logging.getLogger(__name__)

# When a folder is walked, sidecar files that archives keep beside reports are not inputs.
# Files named explicitly on the command line are always read.
SIDECAR_SUFFIXES = frozenset(
    {
        ".json",
        ".tsv",
        ".csv",
        ".parquet",
        ".py",
        ".pyc",
        ".js",
        ".css",
        ".ipynb",
        ".md",
        ".log",
        ".lock",
        ".db",
        ".sqlite",
    }
)
DEFAULT_CHECKPOINT_DOCS = 50
DEFAULT_CHECKPOINT_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class InputFile:
    path: Path
    source: str


@dataclass(frozen=True, slots=True)
class Task:
    path: str
    source: str
    report_id: str


def walk_inputs(inputs: Iterable[Path]) -> Iterator[InputFile]:
    """Files of the inputs in a stable order; folders are walked recursively (hidden entries skipped)."""
    for inp in inputs:
        if inp.is_dir():
            for path in sorted(p for p in inp.rglob("*") if p.is_file()):
                rel = path.relative_to(inp)
                if any(part.startswith(".") for part in rel.parts) or path.suffix.lower() in SIDECAR_SUFFIXES:
                    continue
                yield InputFile(path, str(PurePosixPath(inp.as_posix()) / rel.as_posix()))
        else:
            yield InputFile(inp, inp.as_posix())


@dataclass
class Plan:
    tasks: list[Task] = field(default_factory=list)
    ready: list[Extraction] = field(default_factory=list)  # rows known without extracting
    later_duplicates: dict[str, list[InputFile]] = field(default_factory=dict)  # first id -> other names
    skipped: int = 0


def _duplicate_row(first: dict, source: str) -> Extraction:
    row = dict(first)
    row.update(source=source, duplicate_of=first["report_id"], seconds=0.0, error=None)
    return Extraction(row)


def plan_batch(files: Iterable[InputFile], existing: pd.DataFrame, force: bool = False) -> Plan:
    """Decide, for every input file, whether to skip, mark as a duplicate, or extract it."""
    plan = Plan()
    done_by_source = dict(zip(existing["source"], existing["report_id"], strict=True))
    first_rows = {
        r["report_id"]: r
        for r in existing[existing["duplicate_of"].isna() & existing["report_id"].notna()].to_dict("records")
    }
    seen: dict[str, Task] = {}
    for f in files:
        try:
            rid = file_content_id(f.path)
        except OSError as exc:
            plan.ready.append(failed(f.source, f"the file cannot be read ({exc.strerror or exc})"))
            continue
        if rid in seen:
            plan.later_duplicates.setdefault(rid, []).append(f)
            continue
        if not force and done_by_source.get(f.source) == rid:
            plan.skipped += 1
            continue
        if not force and rid in first_rows:
            plan.ready.append(_duplicate_row(first_rows[rid], f.source))
            continue
        task = Task(str(f.path), f.source, rid)
        seen[rid] = task
        plan.tasks.append(task)
    return plan


@dataclass
class BatchResult:
    extractions: list[Extraction] = field(default_factory=list)
    skipped: int = 0
    seconds: float = 0.0

    def tables(self) -> dict[str, pd.DataFrame]:
        ex = self.extractions
        return {
            "reports": frame("reports", (e.report for e in ex)),
            "cells": frame("cells", (c for e in ex for c in e.cells)),
            "sections": frame("sections", (s for e in ex for s in e.sections)),
            "checks": frame("checks", (k for e in ex for k in e.checks)),
            "warnings": frame("warnings", (w for e in ex for w in e.warnings)),
        }

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for e in self.extractions:
            out[e.status] = out.get(e.status, 0) + 1
        return out


@dataclass(frozen=True)
class BatchSettings:
    workers: int = 1
    limits: Limits = field(default_factory=Limits)
    engine: str = "local"
    scheduler: str | None = None
    force: bool = False
    checkpoint_docs: int = DEFAULT_CHECKPOINT_DOCS
    checkpoint_seconds: float = DEFAULT_CHECKPOINT_SECONDS

    def __post_init__(self) -> None:
        if self.workers < 0:
            raise ValueError("workers must be 0 (in this process) or more")
        if self.engine not in ("local", "dask"):
            raise ValueError(f"unknown engine {self.engine!r}: choose local or dask")
        if self.engine == "dask" and not self.scheduler:
            raise ValueError("--engine dask needs --scheduler ADDRESS (e.g. tcp://127.0.0.1:8786)")
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
    plan = plan_batch(files, store.reports(), force=settings.force)
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

    for ext in plan.ready:
        take(ext)
    for ext in run_tasks(plan.tasks, settings.engine, settings.workers, settings.limits, settings.scheduler):
        take(ext)
        for dup in plan.later_duplicates.get(ext.report["report_id"], []):
            take(_duplicate_row(ext.report, dup.source))
    store.append(buffer)
    result.seconds = time.perf_counter() - t0
    return result


def extract_tables(files: Iterable[InputFile]) -> dict[str, pd.DataFrame]:
    """Extract files in this process, straight into DataFrames (no output folder): for notebooks
    and tests. Duplicated content is extracted once, as in a batch."""
    files = list(files)
    empty = frame("reports", [])
    plan = plan_batch(files, empty)
    result = BatchResult(extractions=list(plan.ready))
    for ext in run_tasks(plan.tasks, "local", 0, Limits()):
        result.extractions.append(ext)
        for dup in plan.later_duplicates.get(ext.report["report_id"], []):
            result.extractions.append(_duplicate_row(ext.report, dup.source))
    return result.tables()
