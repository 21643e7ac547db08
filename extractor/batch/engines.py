"""Where documents are extracted: in this process, in local worker processes, or on a Dask cluster.

Local workers come from pebble's ProcessPool, which restarts a worker whose task overran its time
limit or died; each worker caps its own address space (RLIMIT_AS) so that a document that exhausts
memory fails alone. What a worker starts (LibreOffice) dies with it: a stopped worker kills its
children first, and the parent reaps the children of a worker killed outright (see
:mod:`extractor.readers.word.libreoffice`). Ctrl-C stops the workers at once. On Dask, documents
run in the Dask workers and the cluster's own limits apply.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import resource
import shutil
import signal
import tempfile
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, as_completed
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pebble import ProcessExpired, ProcessPool

from extractor.pipeline import Extraction, extract_file, failed
from extractor.readers.word import libreoffice

if TYPE_CHECKING:
    from extractor.batch.plan import Task

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT_SECONDS = 300.0
DEFAULT_MEMORY_MB = 4096
PRELOAD_MODULES = (
    "extractor.readers.html",
    "extractor.readers.text",
    "extractor.readers.pdf.reader",
    "extractor.readers.word.docx",
    "rules.report",
)


class Engine(StrEnum):
    """Where a batch's documents are extracted."""

    LOCAL = "local"  # this machine: worker processes, or this process with workers=0
    DASK = "dask"  # a Dask cluster


@dataclass(frozen=True)
class Limits:
    """Per-document limits. ``None`` disables one."""

    timeout: float | None = DEFAULT_TIMEOUT_SECONDS
    memory_mb: int | None = DEFAULT_MEMORY_MB

    def __post_init__(self) -> None:
        if self.timeout is not None and self.timeout <= 0:
            raise ValueError("the time limit must be positive")
        if self.memory_mb is not None and self.memory_mb < 64:
            raise ValueError("the memory limit must be at least 64 MB")


def _vm_size() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _stop_worker(signum: int, _frame: object) -> None:
    """SIGTERM (the pool stops a worker over its time limit, or on Ctrl-C): children first."""
    libreoffice.kill_children()
    os._exit(128 + signum)


def init_worker(memory_mb: int | None, children: str | None = None) -> None:
    """Load the readers once, then cap this process's memory at what it uses now plus ``memory_mb``;
    children started for a document are noted in the folder ``children`` and killed with the worker."""
    import importlib

    if children:
        libreoffice.set_registry(Path(children))
    signal.signal(signal.SIGTERM, _stop_worker)

    for name in PRELOAD_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    from rules.tokenize import tokenizer

    tokenizer()  # jieba's dictionary: once per worker, not inside the first document's time
    if memory_mb:
        limit = _vm_size() + memory_mb * 1024 * 1024
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def extract_task(path: str, source: str, root: str | None = None) -> Extraction:
    """What a worker runs for one document (module-level so that it pickles)."""
    return extract_file(Path(path), source, root or None)


def _timed_out(task: Task, limits: Limits) -> Extraction:
    return failed(
        task.source,
        f"stopped after {limits.timeout:g} s: the document took longer than the time limit "
        "(raise it with --timeout if the file is genuinely large)",
        task.report_id,
        seconds=limits.timeout,  # it ran at least that long
        root=task.root or None,
    )


def _died(task: Task, exc: BaseException, limits: Limits) -> Extraction:
    code = getattr(exc, "exitcode", None)
    hint = (
        f"; it probably exceeded the memory limit of {limits.memory_mb} MB (--memory-limit)" if limits.memory_mb else ""
    )
    return failed(
        task.source,
        f"the process reading this document died (exit code {code}){hint}",
        task.report_id,
        root=task.root or None,
    )


def _local(tasks: Sequence[Task], workers: int, limits: Limits) -> Iterator[Extraction]:
    # Workers start from a clean forkserver, not a fork of this process: a child forked after the
    # parent has used pyarrow (the dataset store) inherits its thread pools and allocator in a state
    # that made every document several times slower.
    context = multiprocessing.get_context("forkserver")
    children = Path(tempfile.mkdtemp(prefix="govreport-children-"))
    pool = ProcessPool(
        max_workers=workers, initializer=init_worker, initargs=(limits.memory_mb, str(children)), context=context
    )
    try:
        futures: dict[Future[Extraction], Task] = {
            pool.schedule(extract_task, args=(t.path, t.source, t.root), timeout=limits.timeout): t for t in tasks
        }
        for fut in as_completed(futures):
            task = futures[fut]
            try:
                yield fut.result()
            except FutureTimeout:
                libreoffice.reap_registry(children)  # if the worker could not kill its children itself
                yield _timed_out(task, limits)
            except ProcessExpired as exc:
                libreoffice.reap_registry(children)
                yield _died(task, exc, limits)
            except MemoryError:
                yield failed(
                    task.source,
                    "the document needs more memory than the limit allows",
                    task.report_id,
                    root=task.root or None,
                )
            except Exception as exc:  # the pipeline catches its own errors; this is the pool's
                logger.exception("worker failure on %s", task.source)
                yield failed(
                    task.source,
                    f"internal error in the worker ({type(exc).__name__}: {exc})",
                    task.report_id,
                    root=task.root or None,
                )
        pool.close()
    finally:
        pool.stop()  # at once (Ctrl-C, an error, or the generator closed), not after the queue
        pool.join()
        libreoffice.reap_registry(children)
        shutil.rmtree(children, ignore_errors=True)


def _dask_client(scheduler: str | None, workers: int) -> Any:
    """A client of the cluster at ``scheduler``, or — Dask's own convention when no address is
    given — of a local cluster started for this run (``workers`` processes, one thread each)."""
    from distributed import Client

    if scheduler:
        return Client(scheduler)
    logger.info("no --scheduler: starting a local Dask cluster of %d worker processes", workers)
    return Client(n_workers=max(workers, 1), threads_per_worker=1, processes=True, dashboard_address=":0")


def _dask(tasks: Sequence[Task], scheduler: str | None, workers: int) -> Iterator[Extraction]:
    """Documents as tasks on a Dask cluster. Dask's worker processes are daemons and may not start
    children, so documents run in the worker itself: the cluster's own memory limits (the nanny
    restarts a worker over its ``memory_limit``) stand in for ours, and no time limit is enforced."""
    from distributed import as_completed as dask_completed

    with _dask_client(scheduler, workers) as client:
        futures = client.map(
            extract_task, [t.path for t in tasks], [t.source for t in tasks], [t.root for t in tasks], pure=False
        )
        by_key = {f.key: t for f, t in zip(futures, tasks, strict=True)}
        for fut in dask_completed(futures):
            task = by_key[fut.key]
            try:
                yield fut.result()
            except Exception as exc:
                yield failed(
                    task.source,
                    f"the Dask task failed ({type(exc).__name__}: {exc})",
                    task.report_id,
                    root=task.root or None,
                )


def run_tasks(
    tasks: Sequence[Task], engine: Engine, workers: int, limits: Limits, scheduler: str | None = None
) -> Iterator[Extraction]:
    """Extractions of ``tasks`` in completion order."""
    if not tasks:
        return iter(())
    if engine is Engine.DASK:
        return _dask(tasks, scheduler, workers)
    if workers == 0:
        return (extract_task(t.path, t.source, t.root) for t in tasks)
    return _local(tasks, min(workers, len(tasks)) or 1, limits)


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))
