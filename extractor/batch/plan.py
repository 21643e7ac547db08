"""Planning a batch: walk the inputs and decide, for each file, to skip, mark as a duplicate, or extract.

Planning hashes every input (content, not name): a file whose content the output folder already
holds under the same name is skipped, the same content under another name becomes a
``duplicate_of`` row without being read again, and only new or changed content is extracted.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pandas as pd

from extractor.pipeline import MAX_FILE_BYTES, REPORT_ID_HEX, Extraction, failed

HASH_BLOCK = 1 << 20
_NOT_REGULAR = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a folder"),
)

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


def shown_name(name: str) -> str:
    """A path as text that Parquet and a terminal can hold: unchanged when it is valid UTF-8;
    otherwise its undecodable bytes as ``\\xNN`` (and backslashes doubled, so the bytes can be
    recovered exactly: ``codecs.escape_decode``)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raw = os.fsencode(name).replace(b"\\", b"\\\\")
        return raw.decode("utf-8", "backslashreplace")
    return name


def walk_inputs(inputs: Iterable[Path]) -> Iterator[InputFile]:
    """Entries of the inputs in a stable order; folders are walked recursively (hidden entries
    skipped). Everything but a folder is an input, including what is not a regular file (devices,
    FIFOs, sockets, dangling or looping links): planning gives those a ``failed`` row."""
    for inp in inputs:
        if inp.is_dir():
            for path in sorted(p for p in inp.rglob("*") if not p.is_dir()):
                rel = path.relative_to(inp)
                if any(part.startswith(".") for part in rel.parts) or path.suffix.lower() in SIDECAR_SUFFIXES:
                    continue
                yield InputFile(path, shown_name(str(PurePosixPath(inp.as_posix()) / rel.as_posix())))
        else:
            yield InputFile(inp, shown_name(inp.as_posix()))


def not_regular(path: Path) -> str | None:
    """What ``path`` is when it is not a regular file (it is then never opened), else None."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            return f"a dangling symbolic link (to {shown_name(os.readlink(path))}, which does not exist)"
        return "gone: the file was removed before it could be read"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "a symbolic link that loops (it points back to itself)"
        return None  # unreadable: reading says why
    for test, what in _NOT_REGULAR:
        if test(st.st_mode):
            return what
    return None


def regular_content_id(path: Path) -> str:
    """The content id of a regular file, opened without blocking and checked again once open (a
    FIFO or device put in its place is refused, never read); raises ValueError for those, and for
    files over the reading limit (which are not hashed)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ValueError("not a regular file")
        if st.st_size > MAX_FILE_BYTES:
            raise ValueError(
                f"the file is {st.st_size // 2**20} MiB, larger than any annual report "
                f"({MAX_FILE_BYTES // 2**20} MiB limit)"
            )
        digest = hashlib.sha256()
        while block := fh.read(HASH_BLOCK):
            digest.update(block)
        return digest.hexdigest()[:REPORT_ID_HEX]


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
        what = not_regular(f.path)
        if what is not None:
            plan.ready.append(failed(f.source, f"not a regular file but {what}; not read"))
            continue
        try:
            rid = regular_content_id(f.path)
        except OSError as exc:
            plan.ready.append(failed(f.source, f"the file cannot be read ({exc.strerror or exc})"))
            continue
        except ValueError as exc:
            plan.ready.append(failed(f.source, str(exc)))
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
