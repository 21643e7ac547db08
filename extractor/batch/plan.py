"""Planning a batch: walk the inputs and decide, for each file, to skip, mark as a duplicate, or extract.

Planning hashes every input (content, not name): a file whose content the output folder already
holds under the same name is skipped, the same content under another name becomes a
``duplicate_of`` row without being read again, and only new or changed content is extracted.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pandas as pd

from extractor.pipeline import Extraction, failed, file_content_id

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


@dataclass(frozen=True, slots=True)
class Task:
    path: str
    source: str
    report_id: str


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
class Plan:
    tasks: list[Task] = field(default_factory=list)
    ready: list[Extraction] = field(default_factory=list)  # rows known without extracting
    later_duplicates: dict[str, list[InputFile]] = field(default_factory=dict)  # first id -> other names
    skipped: int = 0


def duplicate_row(first: dict, source: str) -> Extraction:
    """The reports row of ``source``, whose content is that of ``first`` (extracted once, under
    ``first``'s name); a duplicate of a failed or partial document says why, as the first does."""
    row = dict(first)
    error = first.get("error")
    if error is not None and not pd.isna(error):
        error = f"same content as {first['source']}: {error}"
    else:
        error = None
    row.update(source=source, duplicate_of=first["report_id"], seconds=0.0, error=error)
    return Extraction(row)


def plan_batch(files: Iterable[InputFile], existing: pd.DataFrame, force: bool = False) -> Plan:
    """Decide, for every input file, whether to skip, mark as a duplicate, or extract it."""
    plan = Plan()
    done_by_source = dict(zip(existing["source"], existing["report_id"], strict=True))
    first_rows = {
        r["report_id"]: r
        for r in existing[existing["duplicate_of"].isna() & existing["report_id"].notna()].to_dict("records")
    }
    seen: dict[str, Task] = {}
    for f in files:
        try:
            rid = file_content_id(f.path)
        except OSError as exc:
            plan.ready.append(failed(f.source, f"the file cannot be read ({exc.strerror or exc})"))
            continue
        if rid in seen:
            plan.later_duplicates.setdefault(rid, []).append(f)
            continue
        if not force and done_by_source.get(f.source) == rid:
            plan.skipped += 1
            continue
        if not force and rid in first_rows:
            plan.ready.append(duplicate_row(first_rows[rid], f.source))
            continue
        task = Task(str(f.path), f.source, rid)
        seen[rid] = task
        plan.tasks.append(task)
    return plan
