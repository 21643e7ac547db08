"""Planning a batch: walk the inputs and decide, for each file, to skip, mark as a duplicate, or extract.

Identity. A file is named by the input root it was found under (``root``: the folder walked, or
the folder holding a file named on the command line, as an absolute path) and its path below that
root (``source``, POSIX). A file reached twice in one command (named twice, or a folder and a file
inside it) is one document. Planning hashes every input (content, not name): a file whose content
the output folder already holds under the same path is skipped — whatever spelling of the path
the command used — the same content under another path becomes a ``duplicate_of`` row without
being read again, and only new or changed content is extracted.

``report_id`` is unique per ``reports`` row: the content hash (``content_id``) for the document
that is extracted, and the content hash with a suffix from the path for a later duplicate (whose
cells are those of the document it duplicates).
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import stat
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import pandas as pd

from extractor.pipeline import MAX_FILE_BYTES, REPORT_ID_HEX, Extraction, copy_row, failed

HASH_BLOCK = 1 << 20
_NOT_REGULAR = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a folder"),
)

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
UNREAD_PREFIX = "unread-"


@dataclass(frozen=True, slots=True)
class InputFile:
    path: Path
    source: str  # below root, POSIX
    root: str = ""  # absolute POSIX path of the input root ("" when the caller gives none)

    @property
    def location(self) -> str:
        return location(self.root, self.source)


@dataclass(frozen=True, slots=True)
class Task:
    path: str
    source: str
    report_id: str
    root: str = ""


def location(root: object, source: object) -> str:
    """The absolute POSIX path of a ``reports`` row (``root`` + ``source``). Rows of datasets written
    before ``root`` existed hold the path as typed: taken from the current folder, as it was typed."""
    if root is None or pd.isna(root) or not str(root):
        return Path(os.path.abspath(str(source))).as_posix()
    return f"{str(root).rstrip('/')}/{source}"


def unread_id(where: str) -> str:
    """report_id of a file that could not even be read (no content to hash)."""
    return UNREAD_PREFIX + hashlib.sha256(where.encode()).hexdigest()[:16]


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
    FIFOs, sockets, dangling or looping links): planning gives those a ``failed`` row.

    A file reached twice (the same file after resolving links and relative spellings) is yielded once.
    """
    seen: set[Path] = set()

    def once(path: Path) -> bool:
        real = _resolved(path)
        if real in seen:
            logger.info("%s was given more than once: read as one document", path)
            return False
        seen.add(real)
        return True

    for inp in inputs:
        if inp.is_dir():
            root = shown_name(inp.resolve().as_posix())
            for path in sorted(p for p in inp.rglob("*") if not p.is_dir()):
                rel = path.relative_to(inp)
                if any(part.startswith(".") for part in rel.parts) or path.suffix.lower() in SIDECAR_SUFFIXES:
                    continue
                if once(path):
                    yield InputFile(path, shown_name(rel.as_posix()), root)
        elif once(inp):
            yield InputFile(inp, shown_name(inp.name), shown_name(_resolved(inp).parent.as_posix()))


def _resolved(path: Path) -> Path:
    """``path`` with links resolved; a dangling or looping link as the absolute path of the link."""
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return Path(os.path.abspath(path))
    return real


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


def regular_content_id(path: Path, timeout: float | None = None) -> str:
    """The content id of a regular file, opened without blocking and checked again once open (a
    FIFO or device put in its place is refused, never read); raises ValueError for those, for
    files over the reading limit (which are not hashed), and for a file that takes longer than
    ``timeout`` seconds to hash (a hung network share: the read is left behind in a daemon thread,
    planning goes on)."""
    if timeout is None:
        return _content_id(path)
    result: list[str | BaseException] = []

    def work() -> None:
        try:
            result.append(_content_id(path))
        except BaseException as exc:  # handed to the planning thread
            result.append(exc)

    worker = threading.Thread(target=work, name="govreport-hash", daemon=True)
    worker.start()
    worker.join(timeout)
    if not result:
        raise ValueError(f"reading the file to hash it took longer than the time limit ({timeout:g} s)")
    if isinstance(result[0], BaseException):
        raise result[0]
    return result[0]


def _content_id(path: Path) -> str:
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
        return _digest(fh)


def _digest(fh: BinaryIO) -> str:
    digest = hashlib.sha256()
    while block := fh.read(HASH_BLOCK):
        digest.update(block)
    return digest.hexdigest()[:REPORT_ID_HEX]


@dataclass
class Plan:
    tasks: list[Task] = field(default_factory=list)
    ready: list[Extraction] = field(default_factory=list)  # rows known without extracting
    later_duplicates: dict[str, list[InputFile]] = field(default_factory=dict)  # first id -> other files
    skipped: int = 0


def duplicate_row(first: dict, f: InputFile) -> Extraction:
    """The reports row of ``f``, whose content is that of ``first`` (extracted once, under
    ``first``'s name)."""
    return copy_row(first, f.source, f.location, root=f.root)


def _existing(existing: pd.DataFrame) -> tuple[dict[str, str], dict[str, dict]]:
    """Location -> content id of every committed row, and content id -> the row extracted for it."""
    content = existing["content_id"] if "content_id" in existing else existing["report_id"]
    content = content.fillna(existing["report_id"])
    roots = existing["root"] if "root" in existing else pd.Series(None, index=existing.index)
    where = [location(r, s) for r, s in zip(roots, existing["source"], strict=True)]
    done = dict(zip(where, content, strict=True))
    first = {}
    for w, row in zip(where, existing.to_dict("records"), strict=True):
        if pd.isna(row["duplicate_of"]) and row["report_id"] and not pd.isna(row["report_id"]):
            first[str(row.get("content_id") or row["report_id"])] = row | {"_where": w}
    return done, first


def _unread(f: InputFile, error: str) -> Extraction:
    """The ``failed`` row of an input that was not read (no content to hash)."""
    row = failed(f.source, error, unread_id(f.location))
    row.report.update(root=f.root)
    return row


def plan_batch(
    files: Iterable[InputFile], existing: pd.DataFrame, force: bool = False, timeout: float | None = None
) -> Plan:
    """Decide, for every input file, whether to skip, mark as a duplicate, or extract it (hashing
    each within the per-document time limit ``timeout``)."""
    plan = Plan()
    done_at, first_rows = _existing(existing)
    hashed: list[tuple[InputFile, str]] = []
    for f in files:
        what = not_regular(f.path)
        if what is not None:
            plan.ready.append(_unread(f, f"not a regular file but {what}; not read"))
            continue
        try:
            hashed.append((f, regular_content_id(f.path, timeout)))
        except OSError as exc:
            plan.ready.append(_unread(f, f"the file cannot be read ({exc.strerror or exc})"))
        except ValueError as exc:
            plan.ready.append(_unread(f, str(exc)))
    # an earlier document stays the first of its content only if this run does not replace it
    now_at = {f.location: rid for f, rid in hashed}
    first_rows = {c: r for c, r in first_rows.items() if now_at.get(r["_where"], c) == c}
    seen: set[str] = set()
    for f, rid in hashed:
        if rid in seen:
            plan.later_duplicates.setdefault(rid, []).append(f)
            continue
        if not force and done_at.get(f.location) == rid:
            plan.skipped += 1
            continue
        if not force and rid in first_rows and first_rows[rid]["_where"] != f.location:
            first = {k: v for k, v in first_rows[rid].items() if k != "_where"}
            plan.ready.append(duplicate_row(first, f))
            continue
        seen.add(rid)
        plan.tasks.append(Task(str(f.path), f.source, rid, f.root))
    return plan
