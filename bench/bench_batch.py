"""Batch throughput: documents and pages per second with 1 and 2 workers, memory per worker, and
per-document cost at two batch sizes (to show that it grows linearly).

    .venv/bin/python bench/bench_batch.py [--docs 1000] [--small 100] [--keep DIR]

Inputs are made from every fixture report in tests/fixtures (real text/HTML reports, and the
generated DOCX/DOC/PDF/HTML ones where present), each copied with a unique byte appended so that
every copy is new content (no duplicate shortcut). Each configuration runs the real command
(`python -m extractor extract`) into a fresh folder; worker memory is sampled with psutil.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pandas as pd
import psutil

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
FORMATS = (".txt", ".html", ".htm", ".pdf", ".docx", ".doc", ".wps")


def fixture_reports() -> list[Path]:
    out = []
    for p in sorted(FIXTURES.rglob("*")):
        if p.is_file() and p.suffix.lower() in FORMATS and "damaged" not in p.parts and "hostile" not in p.name:
            out.append(p)
    return out


def _tail(suffix: str, i: int) -> bytes:
    if suffix in (".html", ".htm"):
        return f"\n<!-- {i} -->\n".encode()
    if suffix == ".txt":
        return f"\n附件编号：{i}\n".encode()
    return f"\n%{i}\n".encode()  # bytes after a PDF's %%EOF or a zip's end are ignored by readers


def make_inputs(folder: Path, n: int, sources: list[Path]) -> dict[str, int]:
    folder.mkdir(parents=True)
    mix: dict[str, int] = {}
    for i in range(n):
        src = sources[i % len(sources)]
        (folder / f"d{i:05d}{src.suffix}").write_bytes(src.read_bytes() + _tail(src.suffix, i))
        mix[src.suffix] = mix.get(src.suffix, 0) + 1
    return mix


class MemorySampler(threading.Thread):
    """Peak RSS of each child process of ``pid`` (the workers), sampled every 50 ms."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.proc = psutil.Process(pid)
        self.peaks: dict[int, int] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                for child in self.proc.children(recursive=True):
                    try:
                        rss = child.memory_info().rss
                    except psutil.Error:
                        continue
                    self.peaks[child.pid] = max(self.peaks.get(child.pid, 0), rss)
            except psutil.Error:
                return
            time.sleep(0.05)


def run(inputs: Path, out: Path, workers: int) -> tuple[float, float, pd.DataFrame]:
    cmd = [
        sys.executable,
        "-m",
        "extractor",
        "extract",
        str(inputs),
        "-o",
        str(out),
        "-q",
        "-w",
        str(workers),
        "--checkpoint",
        "200",
    ]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT)
    sampler = MemorySampler(proc.pid)
    sampler.start()
    proc.wait()
    sampler.stop.set()
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"govreport exited {proc.returncode}")
    peak = max(sampler.peaks.values(), default=0) / 2**20
    return elapsed, peak, pd.read_parquet(out / "reports.parquet")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--small", type=int, default=100)
    ap.add_argument("--keep", type=Path, help="keep the generated inputs and outputs here")
    args = ap.parse_args()
    sources = fixture_reports()
    work = args.keep or Path(tempfile.mkdtemp(prefix="govreport-bench-"))
    rows = []
    try:
        for n in (args.small, args.docs):
            inputs = work / f"in{n}"
            mix = make_inputs(inputs, n, sources)
            for workers in (1, 2):
                secs, peak, reports = run(inputs, work / f"out{n}w{workers}", workers)
                pages = int(reports["n_pages"].fillna(1).sum())
                rows.append(
                    dict(
                        docs=n,
                        workers=workers,
                        seconds=round(secs, 1),
                        docs_per_s=round(n / secs, 1),
                        pages_per_s=round(pages / secs, 1),
                        ms_per_doc=round(1000 * secs / n, 1),
                        worker_peak_mb=round(peak),
                        failed=int((reports["status"] == "failed").sum()),
                    )
                )
        print("input mix:", ", ".join(f"{k} {v}" for k, v in sorted(mix.items())))
        table = pd.DataFrame(rows)
        print(table.to_string(index=False))
        for workers in (1, 2):
            sub = table[table["workers"] == workers].set_index("docs")["ms_per_doc"]
            print(
                f"per-document cost, {workers} worker(s): {sub[args.small]} ms at {args.small} docs, "
                f"{sub[args.docs]} ms at {args.docs} docs (ratio {sub[args.docs] / sub[args.small]:.2f})"
            )
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
