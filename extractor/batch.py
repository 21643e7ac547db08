"""A batch: walk the inputs, extract every file once, collect the rows, mark duplicates."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pandas as pd

from extractor.datasets import frame
from extractor.pipeline import Extraction, content_id, extract_file

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


@dataclass(frozen=True, slots=True)
class InputFile:
    path: Path
    source: str


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
class BatchResult:
    extractions: list[Extraction] = field(default_factory=list)

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


def run_batch(files: list[InputFile], on_done: Callable[[Extraction], None] | None = None) -> BatchResult:
    """Extract every file; the same content under two names is extracted once."""
    result = BatchResult()
    first_by_id: dict[str, Extraction] = {}
    for f in files:
        ext = _extract_unique(f, first_by_id)
        result.extractions.append(ext)
        if on_done:
            on_done(ext)
    return result


def _extract_unique(f: InputFile, first_by_id: dict[str, Extraction]) -> Extraction:
    try:
        data_id = content_id(f.path.read_bytes()) if f.path.is_file() else None
    except OSError:
        data_id = None
    first = first_by_id.get(data_id) if data_id else None
    if first is not None:
        row = dict(first.report)
        row.update(source=f.source, duplicate_of=first.report["report_id"], seconds=0.0)
        return Extraction(row)
    ext = extract_file(f.path, f.source)
    if data_id and ext.report["report_id"]:
        first_by_id[data_id] = ext
    return ext
