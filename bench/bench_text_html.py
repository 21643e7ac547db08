"""Documents per second on HTML and text reports, against a plain baseline in the same process.

    .venv/bin/python bench/bench_text_html.py [FILES_OR_FOLDERS...] [--rounds 7]

The baseline is what any tool must do anyway: read the bytes and decode them (text), or parse the
page with lxml (HTML). Rounds alternate pipeline and baseline; the median of each is reported, and
the ratio pipeline/baseline is the figure to watch (absolute timings on shared machines are noisy).

A third timing runs each document with and without the prose facts (``rules/prose_facts.py``: the
``facts`` table, rule T1, prose cells of legacy reports), alternated ``--rounds`` times, and keeps
the fastest of each (the least disturbed by other processes); the ratio with/without prose is what
prose extraction adds per document (target: at most 1.10), in CPU time of the process.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from lxml import html as lxml_html

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import rules.legacy as legacy_rules
import rules.report as report_rules
from extractor.pipeline import extract_bytes
from extractor.readers.encoding import decode_bytes
from extractor.readers.sniff import sniff_format

DEFAULT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "real"


def files_of(args: list[str]) -> list[Path]:
    paths = [Path(a) for a in args] or [DEFAULT]
    out: list[Path] = []
    for p in paths:
        out += sorted(x for x in p.rglob("*") if x.suffix in (".txt", ".html", ".htm")) if p.is_dir() else [p]
    return out


def baseline(data: bytes, path: Path) -> None:
    text, _ = decode_bytes(data)
    if sniff_format(data, path).value == "html":
        lxml_html.document_fromstring(text)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("inputs", nargs="*")
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args()
    docs = [(p, p.read_bytes()) for p in files_of(args.inputs)]
    t0 = time.perf_counter()
    for p, d in docs:  # warm-up: imports, rule data, jieba dictionary if any label needs it
        extract_bytes(d, p, p.name)
    warm = time.perf_counter() - t0
    full, base = [], []
    prose_time = _time_prose()
    for _ in range(args.rounds):
        t = time.perf_counter()
        for p, d in docs:
            extract_bytes(d, p, p.name)
        full.append(time.perf_counter() - t)
        t = time.perf_counter()
        for p, d in docs:
            baseline(d, p)
        base.append(time.perf_counter() - t)
    f, b = statistics.median(full), statistics.median(base)
    n = len(docs)
    print(f"documents: {n} ({sum(len(d) for _, d in docs) / 1024:.0f} KiB); first pass incl. fixed costs {warm:.2f} s")
    print(f"pipeline: {n / f:8.1f} docs/s  {1000 * f / n:6.1f} ms/doc  (median of {args.rounds})")
    print(f"baseline: {n / b:8.1f} docs/s  {1000 * b / n:6.1f} ms/doc  (decode + lxml parse)")
    print(f"ratio pipeline/baseline: {f / b:.1f}x")
    inside = sum(prose_time) / sum(full)
    print(f"prose facts inside the pipeline runs: {100 * inside:.1f}% of their time; ratio {1 / (1 - inside):.3f}")
    with_p, without_p = prose_cost(docs, args.rounds)
    print(
        f"prose facts: {1000 * with_p / n:6.1f} ms/doc with, {1000 * without_p / n:6.1f} ms/doc without; "
        f"ratio with/without {with_p / without_p:.3f}"
    )


def _time_prose() -> list[float]:
    """Time spent in the prose functions (facts, hints, T1) during the pipeline runs that follow."""
    spent: list[float] = []

    def timed(fn):  # type: ignore[no-untyped-def]
        def wrapper(*a, **k):  # type: ignore[no-untyped-def]
            t = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                spent.append(time.perf_counter() - t)

        return wrapper

    report_rules.find_facts = timed(report_rules.find_facts)
    report_rules.find_hints = timed(report_rules.find_hints)
    report_rules.t1_checks = timed(report_rules.t1_checks)
    legacy_rules.t1_checks = timed(legacy_rules.t1_checks)
    legacy_rules.prose_cells = timed(legacy_rules.prose_cells)
    return spent


def prose_cost(docs: list[tuple[Path, bytes]], rounds: int) -> tuple[float, float]:
    """Per document, the pipeline with and without prose facts, alternated ``rounds`` times; the
    minimum of each (the least disturbed run on a shared machine), summed over the documents. CPU
    time of the process, not the wall clock: other processes on a shared machine do not count."""
    find_facts, find_hints = report_rules.find_facts, report_rules.find_hints
    with_p = without_p = 0.0
    for p, d in docs:
        a, b = [], []
        for _ in range(rounds):
            report_rules.find_facts = lambda *_a, **_k: []  # type: ignore[assignment]
            report_rules.find_hints = lambda *_a, **_k: {}  # type: ignore[assignment]
            t = time.process_time()
            extract_bytes(d, p, p.name)
            b.append(time.process_time() - t)
            report_rules.find_facts, report_rules.find_hints = find_facts, find_hints
            t = time.process_time()
            extract_bytes(d, p, p.name)
            a.append(time.process_time() - t)
        with_p += min(a)
        without_p += min(b)
    return with_p, without_p


if __name__ == "__main__":
    main()
