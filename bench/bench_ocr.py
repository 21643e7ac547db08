"""Seconds per OCR'd page and cell accuracy on the degraded scan fixtures, per form version × dpi.

    .venv/bin/python bench/bench_ocr.py [--scans NAME ...]

Builds the whole-report scans (``tests/fixtures/scans/make_scans.py``) into a temporary folder,
reads each through the normal pipeline (PDF reader → OCR of the pages without a text layer →
rules) and compares the cells with the source report's golden JSON. Time is reported twice: wall
clock, and the process's CPU time, which is what a page costs on an idle machine (onnxruntime runs
one thread per session here, so CPU ≈ wall when nothing else competes for the cores). The OCR
models are loaded, and one report is read once untimed, before timing: onnxruntime's first run of
each input shape costs a few extra seconds (reported as the cold start).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from extractor.readers.ocr.engine import engine
from extractor.readers.registry import read_document
from rules.report import analyse
from tests.fixtures.scans.make_scans import SCANS, build


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scans", nargs="*", help="scan names (default: the whole-report scans of both versions)")
    args = parser.parse_args()
    chosen = [
        s for s in SCANS if (s.name in args.scans if args.scans else not s.committed and "inconsistent" not in s.name)
    ]
    load = time.perf_counter()
    engine()
    print(f"OCR models loaded in {time.perf_counter() - load:.1f}s")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        warm = time.perf_counter()
        analyse(read_document(build(chosen[0], Path(tmp))))
        print(f"cold start (first report, {chosen[0].name}): {time.perf_counter() - warm:.1f}s")
        for scan in chosen:
            path = build(scan, Path(tmp))
            gold = json.loads(path.with_name(path.name + ".gold.json").read_text(encoding="utf-8"))
            wall, cpu = time.perf_counter(), time.process_time()
            doc = read_document(path)
            report = analyse(doc)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            got = {c.key: c.value for c in report.cells}
            right = sum(got.get(k, "missing") == v for k, v in gold["cells"].items())
            pages = doc.n_pages or 1
            rows.append(
                (
                    gold["format_version"],
                    scan.degradation.dpi,
                    scan.name,
                    pages,
                    wall / pages,
                    cpu / pages,
                    right,
                    len(gold["cells"]),
                )
            )
    print()
    print("| form | dpi | scan | pages | s/page (wall) | s/page (CPU) | cells right | accuracy |")
    print("|---|---|---|---|---|---|---|---|")
    for version, dpi, name, pages, wall, cpu, right, n in rows:
        print(f"| {version} | {dpi} | {name} | {pages} | {wall:.1f} | {cpu:.1f} | {right}/{n} | {right / n:.1%} |")
    total_pages = sum(r[3] for r in rows)
    print(
        f"\nmean over {total_pages} pages: {sum(r[4] * r[3] for r in rows) / total_pages:.1f} s/page wall, "
        f"{sum(r[5] * r[3] for r in rows) / total_pages:.1f} s/page CPU"
    )


if __name__ == "__main__":
    main()
