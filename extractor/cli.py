"""The ``govreport`` command (click): ``govreport extract INPUT... -o OUT_DIR``."""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

import click
from tqdm import tqdm

from extractor.batch import InputFile, run_batch, walk_inputs
from extractor.datasets import complete_tables, merge_existing, write_dataset
from extractor.pipeline import Extraction
from extractor.qa import write_qa_report

logger = logging.getLogger("govreport")

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2
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
    """A tqdm bar on a terminal; plain log lines at intervals otherwise; nothing with --quiet."""

    def __init__(self, total: int, quiet: bool) -> None:
        self.total = total
        self.quiet = quiet
        self.done = 0
        self.failed = 0
        self.last_log = time.monotonic()
        self.bar = None
        if not quiet and sys.stderr.isatty():
            self.bar = tqdm(total=total, unit="doc", file=sys.stderr, dynamic_ncols=True)

    def __call__(self, ext: Extraction) -> None:
        self.done += 1
        self.failed += ext.status == "failed"
        if self.bar is not None:
            self.bar.set_postfix(failed=self.failed, refresh=False)
            self.bar.update(1)
        elif not self.quiet and time.monotonic() - self.last_log >= LOG_EVERY_SECONDS:
            self.last_log = time.monotonic()
            click.echo(f"govreport: {self.done}/{self.total} documents, {self.failed} failed", err=True)

    def close(self) -> None:
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
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "-o",
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder for the dataset tables.",
)
@click.option("--csv", "also_csv", is_flag=True, help="Also write every table as UTF-8 CSV.")
@click.option("-q", "--quiet", is_flag=True, help="No progress output.")
def extract(inputs: tuple[Path, ...], out_dir: Path, also_csv: bool, quiet: bool) -> None:
    """Extract INPUT files and folders (walked recursively) into OUT_DIR."""
    _check_out_dir(out_dir)
    files: list[InputFile] = list(walk_inputs(inputs))
    progress = _Progress(len(files), quiet)
    try:
        result = run_batch(files, on_done=progress)
    finally:
        progress.close()
    tables = complete_tables(merge_existing(out_dir, result.tables()))
    write_dataset(out_dir, tables, csv=also_csv)
    write_qa_report(out_dir, tables)
    if not quiet:
        counts = result.counts()
        summary = ", ".join(f"{counts.get(s, 0)} {s}" for s in ("ok", "partial", "failed"))
        click.echo(f"govreport: {len(files)} documents: {summary}; dataset in {out_dir}", err=True)
        for ext in result.extractions:
            if ext.status == "failed":
                click.echo(f"  failed  {ext.report['source']}: {ext.report['error']}", err=True)


def run() -> None:
    """Entry point that maps unexpected errors to exit status 1."""
    try:
        main(standalone_mode=True)
    except SystemExit:
        raise
    except Exception:  # pragma: no cover - the batch itself broke
        logger.exception("internal failure of the batch")
        sys.exit(EXIT_INTERNAL)
