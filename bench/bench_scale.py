"""Finishing at archive scale: time and peak memory to finish stores of 10³, 10⁴, 10⁵ documents,
and to finish again after adding 100 documents to the largest.

    .venv/bin/python bench/bench_scale.py [--sizes 1000 10000 100000] [--add 100] [--keep DIR]

Stores are built from real extraction rows: the real and generated fixture reports are extracted
once, then their rows are copied under new report ids, sources and agencies (five consecutive years
per agency, so the cross-year checks have pairs), 500 documents per checkpoint chunk, straight into
the store (building is not timed). Each finish runs `DatasetStore.finish` in a fresh process; the
peak is the resident memory of that whole process tree (sampled with psutil every 50 ms). The rerun
appends one chunk of ``--add`` new documents to the largest store and finishes again; its time is
given as a share of the full finish of that store, measured in the same run. A second rerun adds
``--add`` documents of a new year to as many existing agencies spread over the store (their buckets
are rewritten: the untouched agencies' rows copied, the touched ones finished again).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extractor.batch.run import BatchResult  # noqa: E402
from extractor.batch.store import DatasetStore  # noqa: E402
from extractor.dataset.tables import COLUMNS, frame  # noqa: E402
from extractor.pipeline import extract_file  # noqa: E402

TEMPLATES = [
    p
    for folder in (ROOT / "tests" / "fixtures" / "real", ROOT / "samples")
    for p in sorted(folder.iterdir())
    if p.suffix in (".txt", ".html", ".docx", ".pdf")
]
CHUNK_DOCS = 500
YEARS = (2019, 2020, 2021, 2022, 2023)
SAMPLE_SECONDS = 0.05


def templates() -> dict[str, pd.DataFrame]:
    """The rows of every real fixture report, extracted once."""
    ex = [extract_file(p) for p in TEMPLATES]
    unique = {e.report["report_id"]: e for e in ex if e.status != "failed" and e.cells}  # samples repeat some
    ex = list(unique.values())
    return BatchResult(extractions=ex).tables()


def clone(tpl: dict[str, pd.DataFrame], start: int, n: int, tag: str, existing: int = 0) -> dict[str, pd.DataFrame]:
    """``n`` documents numbered from ``start``: template rows under new ids, sources and agencies
    (with ``existing``, a new year 2024 of agencies spread over the first ``existing`` documents')."""
    reports = tpl["reports"]
    pick = np.arange(start, start + n) % len(reports)
    new = reports.iloc[pick].reset_index(drop=True).copy()
    old_ids = new["report_id"].to_numpy()
    new_ids = np.array([uuid.uuid4().hex[:16] for _ in range(n)])
    numbers = np.arange(start, start + n)
    new["report_id"] = new_ids
    new["content_id"] = new_ids  # report_id is the content id of an extracted document
    new["source"] = [f"archive/{tag}/{i:07d}.txt" for i in numbers]
    if existing:
        agencies = existing // len(YEARS)
        new["agency"] = [f"某某局{(k * 7919) % agencies:06d}" for k in range(n)]  # spread over the archive
        new["report_year"] = [YEARS[-1] + 1] * n
    else:
        new["agency"] = [f"某某局{i // len(YEARS):06d}" for i in numbers]
        new["report_year"] = [YEARS[i % len(YEARS)] for i in numbers]
    out = {"reports": new.astype(COLUMNS["reports"])}
    for name in ("cells", "sections", "checks", "warnings"):
        rows = tpl[name]
        by_id = {rid: idx for rid, idx in rows.groupby("report_id").indices.items()}
        parts = []
        for old, fresh in zip(old_ids, new_ids, strict=True):
            idx = by_id.get(old)
            if idx is not None:
                part = rows.iloc[idx].copy()
                part["report_id"] = fresh
                parts.append(part)
        out[name] = (pd.concat(parts, ignore_index=True) if parts else frame(name, [])).astype(COLUMNS[name])
    return out


def build(folder: Path, tpl: dict[str, pd.DataFrame], n: int, tag: str, start: int = 0, existing: int = 0) -> None:
    store = DatasetStore(folder)
    try:
        for s in range(start, start + n, CHUNK_DOCS):
            store.append_frames(clone(tpl, s, min(CHUNK_DOCS, start + n - s), tag, existing))
    finally:
        store.close()


FINISH = (
    "import sys; from pathlib import Path; from extractor.batch.store import DatasetStore; "
    "s = DatasetStore(Path(sys.argv[1])); s.finish(); s.close()"
)


def finish(folder: Path) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak MB (whole process tree) of one finish in a fresh process
    (CPU time is the fairer measure on a shared machine)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.Popen([sys.executable, "-c", FINISH, str(folder)], cwd=ROOT)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        root = psutil.Process(proc.pid)
        while not done.is_set():
            try:
                tree = [root, *root.children(recursive=True)]
                peak = max(peak, sum(p.memory_info().rss for p in tree))
            except psutil.Error:
                pass
            time.sleep(SAMPLE_SECONDS)

    t0 = time.perf_counter()
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = proc.wait()
    seconds = time.perf_counter() - t0
    done.set()
    sampler.join()
    if code != 0:
        raise SystemExit(f"finish failed on {folder} (exit {code})")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, cpu, peak / 2**20


def table_rows(folder: Path) -> dict[str, int]:
    manifest = json.loads((folder / "manifest.json").read_text())
    return {t: sum(p["rows"] for p in parts) for t, parts in manifest["tables"].items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    ap.add_argument("--add", type=int, default=100)
    ap.add_argument("--keep", type=Path, default=None)
    args = ap.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="govreport-bench-scale-"))
    tpl = templates()
    print(f"templates: {len(tpl['reports'])} real reports, {len(tpl['cells'])} cells", flush=True)
    print("| documents | cell rows | crosswalk rows | finish s (wall) | CPU s | CPU s per 1000 docs | peak MB |")
    print("|---|---|---|---|---|---|---|", flush=True)
    full = {}
    for n in args.sizes:
        folder = base / f"store_{n}"
        shutil.rmtree(folder, ignore_errors=True)
        build(folder, tpl, n, f"n{n}")
        seconds, cpu, peak = finish(folder)
        rows = table_rows(folder)
        full[n] = cpu
        print(
            f"| {n:,} | {rows['cells']:,} | {rows['crosswalk']:,} | {seconds:.1f} | {cpu:.1f} "
            f"| {1000 * cpu / n:.2f} | {peak:.0f} |",
            flush=True,
        )
    largest = max(args.sizes)
    folder = base / f"store_{largest}"
    build(folder, tpl, args.add, "added", start=largest)
    seconds, cpu, peak = finish(folder)
    print(
        f"\nrerun adding {args.add} documents of new agencies to {largest:,}: {seconds:.1f} s wall, {cpu:.1f} s "
        f"CPU ({100 * cpu / full[largest]:.1f}% of the full finish's CPU), peak {peak:.0f} MB",
        flush=True,
    )
    build(folder, tpl, args.add, "next-year", start=largest + args.add, existing=largest)
    seconds, cpu, peak = finish(folder)
    print(
        f"rerun adding {args.add} documents, a new year of {args.add} existing agencies, to {largest:,}: "
        f"{seconds:.1f} s wall, {cpu:.1f} s CPU ({100 * cpu / full[largest]:.1f}% of the full finish's CPU), "
        f"peak {peak:.0f} MB",
        flush=True,
    )
    if args.keep is None:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
