"""CPU seconds per OCR'd page and cell accuracy on realistic degraded scans, per scan and per degradation.

    .venv/bin/python bench/bench_ocr.py [--scans NAME ...] [--work DIR]

Builds the scans of ``tests/fixtures/scans/realistic.py`` (8 per form version: 宋体/仿宋/楷体/黑体
table text at 9–11 pt, 150 or 200 dpi, skew, uneven paper, blur, speckle and dust, faint and broken
rules, red seals, JPEG 55–80) into ``--work`` (LibreOffice renders each report once; reused on
later runs), reads each through the normal pipeline (PDF reader → OCR → rules) and compares the cells
with the report's golden: right, false blanks (``state = blank`` where a number is printed), wrong
values (another number) and missing cells (left out, with a warning).

Time is the process's CPU time (``time.process_time``), not the wall clock: the machine is shared,
and CPU time is what a page costs whatever else runs. onnxruntime runs one thread per session
(``extractor.readers.ocr.engine.THREADS``), so an idle machine's wall time is close to it. The first
document read pays onnxruntime's first run of each input shape; it is reported apart ("first run")
and the document is read again for the warm figures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from extractor.readers.ocr.engine import engine
from extractor.readers.registry import read_document
from rules.report import analyse
from tests.fixtures.scans.realistic import SCANS, RealScan, build

WORK = Path("/tmp/govreport-bench-scans")


@dataclass(frozen=True)
class Result:
    scan: RealScan
    pages: int
    cpu: float  # seconds of CPU for the document
    right: int
    false_blank: int
    wrong: int
    missing: int
    cells: int

    @property
    def per_page(self) -> float:
        return self.cpu / self.pages


def score(path: Path, scan: RealScan) -> Result:
    gold = json.loads(path.with_name(path.name + ".gold.json").read_text(encoding="utf-8"))
    cpu = time.process_time()
    doc = read_document(path)
    report = analyse(doc)
    cpu = time.process_time() - cpu
    got = {c.key: c for c in report.cells}
    right = false_blank = wrong = missing = 0
    for key, value in gold["cells"].items():
        cell = got.get(key)
        if cell is None:
            missing += 1
        elif cell.value == value:
            right += 1
        elif cell.state == "blank" and value is not None:
            false_blank += 1
        else:
            wrong += 1
    return Result(scan, doc.n_pages or 1, cpu, right, false_blank, wrong, missing, len(gold["cells"]))


def _table(title: str, groups: dict[str, list[Result]]) -> None:
    print(f"\n{title}\n")
    print("| | scans | pages | cells right | false blanks | wrong values | missing | CPU s/page |")
    print("|---|---|---|---|---|---|---|---|")
    for name, rs in groups.items():
        n, right = sum(r.cells for r in rs), sum(r.right for r in rs)
        pages = sum(r.pages for r in rs)
        print(
            f"| {name} | {len(rs)} | {pages} | {right}/{n} ({right / n:.1%}) | {sum(r.false_blank for r in rs)} | "
            f"{sum(r.wrong for r in rs)} | {sum(r.missing for r in rs)} | {sum(r.cpu for r in rs) / pages:.2f} |"
        )


def _bucket(value: float, edges: tuple[float, ...], unit: str) -> str:
    lo = max((e for e in edges if e <= value), default=edges[0])
    hi = min((e for e in edges if e > value), default=None)
    return f"{lo:g}–{hi:g}{unit}" if hi is not None else f"≥{lo:g}{unit}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scans", nargs="*", help="scan names (default: all 16)")
    parser.add_argument("--work", type=Path, default=WORK, help="where scans are built (kept between runs)")
    args = parser.parse_args()
    chosen = [s for s in SCANS if not args.scans or s.name in args.scans]
    paths = {s.name: build(s, args.work, args.work / "sources") for s in chosen}
    load = time.process_time()
    engine()
    print(f"OCR models loaded: {time.process_time() - load:.2f} s CPU")
    first = score(paths[chosen[0].name], chosen[0])
    print(f"first run ({chosen[0].name}, {first.pages} pages): {first.per_page:.2f} s CPU a page")
    results = [score(paths[s.name], s) for s in chosen]

    print("\n| scan | form | dpi | font | pt | pages | cells right | false blanks | wrong | missing | CPU s/page |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        s = r.scan
        print(
            f"| {s.name} | {s.version} | {s.spoil.dpi} | {s.font} | {s.table_pt:g} | {r.pages} | {r.right}/{r.cells} | "
            f"{r.false_blank} | {r.wrong} | {r.missing} | {r.per_page:.2f} |"
        )
    by: dict[str, dict[str, list[Result]]] = defaultdict(lambda: defaultdict(list))
    for r in results:
        s, sp = r.scan, r.scan.spoil
        by["form"][s.version].append(r)
        by["resolution"][f"{sp.dpi} dpi"].append(r)
        by["table font"][s.font].append(r)
        by["table text size"][f"{s.table_pt:g} pt"].append(r)
        by["skew"][_bucket(abs(sp.skew), (0.3, 0.7, 1.1), "°")].append(r)
        by["blur"][_bucket(sp.blur, (0.5, 0.8, 1.0), " px")].append(r)
        by["JPEG quality"][_bucket(sp.jpeg_quality, (55, 65, 75), "")].append(r)
        by["table rules kept"][_bucket(sp.rule_fade, (0.6, 0.7, 0.8), "")].append(r)
        by["section 三 break"][s.s3_break].append(r)
        by["blank and dash cells"]["some" if s.blank_rate else "none"].append(r)
    for title, groups in by.items():
        _table(f"by {title}", dict(sorted(groups.items())))
    per_page = sorted(r.per_page for r in results)
    pages = sum(r.pages for r in results)
    mean = sum(r.cpu for r in results) / pages
    print(
        f"\nwarm CPU s/page over {len(results)} documents ({pages} pages): mean {mean:.2f}, "
        f"median {statistics.median(per_page):.2f}, max {per_page[-1]:.2f}"
    )


if __name__ == "__main__":
    main()
