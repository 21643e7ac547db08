"""Benchmark: the govreport PDF pipeline against a plain pdfplumber baseline, in one run.

    python bench/bench_pdf.py [--rounds 7] [PDF ...]

Baseline (what a quick script would do): ``pdfplumber.open`` plus ``page.extract_text()`` and
``page.extract_tables()`` on every page. Full: the govreport pipeline on the same file —
``extractor.read_report`` (reader, rules, dataset rows), or the reader alone (``read_document``)
on a tree without the rules. Rounds
alternate full and baseline so that both see the same machine state; the ratio reported is the
median over rounds of (full time / baseline time) summed over all files. Peak memory is measured
in a fresh subprocess per variant (``ru_maxrss``, which sees PDFium's C heap too, and tracemalloc
for the Python heap), so that one variant's allocations do not hide the other's.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import logging
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

log = logging.getLogger(__name__)

DEFAULT_ROUNDS = 7
MIN_ROUNDS = 5
DEFAULT_FILES = (
    ROOT / "tests" / "fixtures" / "real" / "001_huaian_hongze_2023.pdf",
    *sorted((ROOT / "tests" / "fixtures" / "generated").glob("*.pdf")),
)


@dataclass(frozen=True, slots=True)
class BenchSettings:
    rounds: int = DEFAULT_ROUNDS

    def __post_init__(self) -> None:
        if self.rounds < MIN_ROUNDS:
            raise ValueError(f"at least {MIN_ROUNDS} rounds are needed for a median")


def baseline(path: Path) -> int:
    """The plain pdfplumber way: text and tables of every page. Returns the page count."""
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_text()
            page.extract_tables()
        return len(pdf.pages)


def full_pipeline() -> tuple[str, Callable[[Path], object]]:
    """The whole pipeline on one file: ``extractor.read_report`` (reader, rules, dataset rows),
    falling back to ``extractor.pipeline.extract_file`` or, without the rules, the reader alone."""
    extractor = importlib.import_module("extractor")
    if hasattr(extractor, "read_report"):
        return "extractor.read_report", extractor.read_report
    try:
        return "extractor.pipeline.extract_file", importlib.import_module("extractor.pipeline").extract_file
    except (ImportError, AttributeError):
        from extractor.readers.registry import read_document

        return "extractor.readers.registry.read_document (no rules yet)", read_document


def page_count(path: Path) -> int:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(path)
    try:
        return len(doc)
    finally:
        doc.close()


def _time(fn: Callable[[Path], object], files: Sequence[Path]) -> list[float]:
    out = []
    for f in files:
        start = time.perf_counter()
        fn(f)
        out.append(time.perf_counter() - start)
    return out


def _proc_status_kib(field: str) -> int | None:
    """A ``/proc/self/status`` memory field in KiB (Linux), or None elsewhere."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak_rss() -> bool:
    """Reset the kernel's RSS high-water mark (Linux ``clear_refs`` 5); False if not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def measure_memory(variant: str, files: Sequence[Path]) -> dict[str, float]:
    """Run one variant once over the files in this process; report its peaks.

    RSS is the process's resident high-water mark while reading (it includes PDFium's C heap,
    which tracemalloc cannot see); "growth" is that peak minus the resident size before reading,
    i.e. what reading the files added on top of the loaded interpreter and libraries.
    """
    fn = baseline if variant == "baseline" else full_pipeline()[1]
    fn(files[0])  # imports and one-off set-up are not the steady state being measured
    gc.collect()
    before = _proc_status_kib("VmRSS")
    reset = _reset_peak_rss()
    tracemalloc.start()
    for f in files:
        fn(f)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    hwm = _proc_status_kib("VmHWM") if reset else None
    if hwm is None or before is None:  # no /proc: ru_maxrss (may include a parent's peak)
        hwm = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        before = before or 0
    return {"maxrss_mib": hwm / 1024, "maxrss_growth_mib": (hwm - before) / 1024, "python_peak_mib": peak / 2**20}


def _memory_in_subprocess(variant: str, files: Sequence[Path]) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--memory", variant, *map(str, files)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(files: Sequence[Path], settings: BenchSettings) -> None:
    name, full = full_pipeline()
    pages = [page_count(f) for f in files]
    full(files[0])
    baseline(files[0])  # warm-up: imports, font caches
    full_t: list[list[float]] = []
    base_t: list[list[float]] = []
    for _ in range(settings.rounds):
        full_t.append(_time(full, files))
        base_t.append(_time(baseline, files))
    ratios = [sum(f) / sum(b) for f, b in zip(full_t, base_t, strict=True)]
    print(f"full pipeline: {name}; {settings.rounds} alternating rounds; {len(files)} files, {sum(pages)} pages\n")
    print(f"{'file':48} {'pages':>5} {'full s':>8} {'base s':>8} {'ratio':>6}")
    for i, f in enumerate(files):
        fm = statistics.median(r[i] for r in full_t)
        bm = statistics.median(r[i] for r in base_t)
        print(f"{f.name[:48]:48} {pages[i]:5d} {fm:8.4f} {bm:8.4f} {fm / bm:6.3f}")
    full_total = statistics.median(sum(r) for r in full_t)
    base_total = statistics.median(sum(r) for r in base_t)
    print(
        f"{'all files (median of round totals)':48} {sum(pages):5d} {full_total:8.4f} {base_total:8.4f}"
        f" {full_total / base_total:6.3f}"
    )
    print(
        f"\nratio full/baseline, median of {len(ratios)} rounds: {statistics.median(ratios):.3f} "
        f"(min {min(ratios):.3f}, max {max(ratios):.3f})"
    )
    print(f"seconds per page: full {full_total / sum(pages):.4f}, baseline {base_total / sum(pages):.4f}")
    for variant in ("full", "baseline"):
        mem = _memory_in_subprocess(variant, files)
        print(
            f"peak memory {variant:8}: max RSS {mem['maxrss_mib']:.1f} MiB "
            f"(+{mem['maxrss_growth_mib']:.1f} MiB while reading), "
            f"Python heap peak {mem['python_peak_mib']:.1f} MiB"
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--rounds", type=int, default=DEFAULT_ROUNDS)
    parser.add_argument("--memory", choices=("full", "baseline"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    files = args.files or [f for f in DEFAULT_FILES if f.exists()]
    if not files:
        parser.error("no PDF files to benchmark")
    logging.basicConfig(level=logging.WARNING)
    if args.memory:
        print(json.dumps(measure_memory(args.memory, files)))
        return 0
    run(files, BenchSettings(rounds=args.rounds))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
