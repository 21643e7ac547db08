"""The ``govreport`` command (click): ``govreport extract INPUT... -o OUT_DIR``."""

from __future__ import annotations

import errno
import logging
import os
import sys
import threading
import time
from pathlib import Path

import click
from tqdm import tqdm

from extractor.batch.engines import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_SECONDS, Engine, Limits, default_workers
from extractor.batch.lock import OutputLockedError
from extractor.batch.plan import InputFile, walk_inputs
from extractor.batch.run import BatchSettings, run_batch
from extractor.batch.store import DatasetStore
from extractor.batch.summary import run_summary
from extractor.model import Status
from extractor.pipeline import Extraction

logger = logging.getLogger("govreport")

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_DISK_FULL = 3
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a Ctrl-C
LOG_EVERY_SECONDS = 30.0


def _check_out_dir(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".govreport-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise click.UsageError(f"cannot write to output folder {out}: {exc.strerror or exc}") from exc


class _Progress:
    """A tqdm bar on a terminal; otherwise a log line every LOG_EVERY_SECONDS (from a timer thread,
    so a line comes even while one long document is being read); nothing with --quiet."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.total = 0
        self.done = 0
        self.failed = 0
        self.started = time.monotonic()
        self.bar: tqdm | None = None
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def planned(self, total: int) -> None:
        self.total = total
        if self.quiet:
            return
        if sys.stderr.isatty():
            self.bar = tqdm(total=total, unit="doc", file=sys.stderr, dynamic_ncols=True)
        else:
            self._ticker = threading.Thread(target=self._tick, name="govreport-progress", daemon=True)
            self._ticker.start()

    def _tick(self) -> None:
        while not self._stop.wait(LOG_EVERY_SECONDS):
            self.log()

    def log(self) -> None:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = self.done / elapsed
        eta = f"ETA {(self.total - self.done) / rate / 60:.1f} min" if rate else "ETA unknown"
        click.echo(f"govreport: {self.done}/{self.total} documents, {self.failed} failed, {eta}", err=True)

    def __call__(self, ext: Extraction) -> None:
        self.done += 1
        self.failed += ext.status == Status.FAILED
        if self.bar is not None:
            self.bar.set_postfix(failed=self.failed, refresh=False)
            self.bar.update(1)

    def close(self) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
        if self.bar is not None:
            self.bar.close()


@click.group()
@click.version_option(package_name="govreport")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
def main(verbose: int) -> None:
    """Turn government information-disclosure annual reports into research datasets."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder for the dataset tables (updated in place on reruns).",
)
@click.option("--csv", "also_csv", is_flag=True, help="Also write every table as UTF-8 CSV.")
@click.option("-q", "--quiet", is_flag=True, help="No progress output and no summary.")
@click.option(
    "-w",
    "--workers",
    type=click.IntRange(min=0),
    default=None,
    help="Worker processes (default: the number of cores; 0 = in this process, no limits).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULT_TIMEOUT_SECONDS,
    show_default=True,
    help="Seconds one document may take before it is stopped and reported failed.",
)
@click.option(
    "--memory-limit",
    "memory_mb",
    type=click.IntRange(min=64),
    default=DEFAULT_MEMORY_MB,
    show_default=True,
    help="MB of memory one document may use above a worker's baseline.",
)
@click.option(
    "--engine",
    type=click.Choice([e.value for e in Engine]),
    default=Engine.LOCAL.value,
    show_default=True,
    help="Run on local worker processes or on a Dask cluster.",
)
@click.option(
    "--scheduler",
    default=None,
    help="Dask scheduler address (with --engine dask), e.g. tcp://host:8786; without it a local cluster is started.",
)
@click.option("--force", is_flag=True, help="Extract every input again, even if its content is already in OUT_DIR.")
@click.option(
    "--checkpoint",
    "checkpoint_docs",
    type=click.IntRange(min=1),
    default=50,
    show_default=True,
    help="Documents per checkpoint: a killed run loses at most this many.",
)
def extract(
    inputs: tuple[Path, ...],
    out_dir: Path,
    also_csv: bool,
    quiet: bool,
    workers: int | None,
    timeout: float,
    memory_mb: int,
    engine: str,
    scheduler: str | None,
    force: bool,
    checkpoint_docs: int,
) -> None:
    """Extract INPUT files and folders (walked recursively) into OUT_DIR."""
    try:
        settings = BatchSettings(
            workers=default_workers() if workers is None else workers,
            limits=Limits(timeout=timeout, memory_mb=memory_mb),
            engine=Engine(engine),
            scheduler=scheduler,
            force=force,
            checkpoint_docs=checkpoint_docs,
        )
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    missing = [p for p in inputs if not os.path.lexists(p)]  # a dangling link is an input (it gets a row)
    if missing:
        raise click.BadParameter(f"{', '.join(map(str, missing))} does not exist", param_hint="INPUTS")
    _check_out_dir(out_dir)
    try:
        store = DatasetStore(out_dir)
    except OutputLockedError as exc:
        raise click.UsageError(str(exc)) from exc
    try:
        files: list[InputFile] = list(walk_inputs(inputs))
        progress = _Progress(quiet)
        try:
            result = run_batch(files, store, settings, on_done=progress, on_planned=progress.planned)
        finally:
            progress.close()
        finished = store.finish(csv=also_csv)
    finally:
        store.close()
    if not quiet:
        summary = run_summary(finished.summary_tables(), len(result.extractions), result.skipped, result.seconds)
        click.echo("govreport: " + summary, err=True)
        counts = result.counts()
        click.echo(
            "govreport: this run: " + ", ".join(f"{counts.get(s, 0)} {s}" for s in Status) + f"; dataset in {out_dir}",
            err=True,
        )
        for ext in result.extractions:
            if ext.status == Status.FAILED:
                click.echo(f"  failed  {ext.report['source']}: {ext.report['error']}", err=True)


def run() -> None:
    """Entry point: Ctrl-C exits 130 and a full disk 3, each with one line; anything else
    unexpected 1."""
    try:
        code = main(standalone_mode=False)
    except click.exceptions.Abort:  # click's own Ctrl-C (e.g. at a prompt)
        click.echo("govreport: interrupted; rerun the same command to go on where it stopped", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("govreport: interrupted; rerun the same command to go on where it stopped", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except OSError as exc:
        if exc.errno != errno.ENOSPC and "No space left on device" not in str(exc):
            logger.exception("internal failure of the batch")
            sys.exit(EXIT_INTERNAL)
        where = f" ({exc.filename})" if exc.filename else ""
        click.echo(
            f"govreport: the disk is full{where}; free some space and rerun the same command "
            "(what was committed is kept)",
            err=True,
        )
        sys.exit(EXIT_DISK_FULL)
    except SystemExit:
        raise
    except Exception:  # pragma: no cover - the batch itself broke
        logger.exception("internal failure of the batch")
        sys.exit(EXIT_INTERNAL)
    sys.exit(code if isinstance(code, int) else EXIT_OK)
