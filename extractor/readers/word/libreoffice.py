"""Run LibreOffice headless to convert office files (DOC, WPS, RTF → DOCX; DOCX → PDF, DOC, HTML).

Each conversion gets its own throw-away user profile (``-env:UserInstallation``) so that parallel
conversions never collide on LibreOffice's profile lock, runs in its own process group under a
time limit (the whole group is killed when it expires: ``soffice`` forks ``soffice.bin``), and is
checked for a non-empty output file, because LibreOffice can exit 0 and write nothing.

Children die with their worker. Every running conversion is registered in this process (process
group and temporary folders): :func:`kill_children` kills the groups and removes the folders, and a
batch worker calls it when it is stopped (time limit, Ctrl-C). When a registry folder is set
(:func:`set_registry`), each conversion also leaves a note there while it runs, so that the parent
of a worker killed outright (SIGKILL, memory) can do the same with :func:`reap_registry`.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from extractor.errors import DependencyMissingError, ExtractionError

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 120.0
INSTALL_HINT = "apt-get install libreoffice-writer-nogui fonts-noto-cjk"
_BINARIES = ("soffice", "libreoffice")


class ConversionError(ExtractionError):
    """LibreOffice could not convert the file (it failed, timed out or wrote nothing)."""


@dataclass(frozen=True, slots=True)
class ConversionSettings:
    """How to run one LibreOffice conversion.

    ``target`` is LibreOffice's ``--convert-to`` argument (``docx``, ``pdf``, ``doc:MS Word 97``,
    ``html``); its part before ``:`` is the output suffix.
    """

    target: str = "docx"
    timeout_s: float = DEFAULT_TIMEOUT_S

    def __post_init__(self) -> None:
        if not self.target or "/" in self.target.split(":")[0]:
            raise ValueError(f"bad conversion target {self.target!r}")
        if self.timeout_s <= 0:
            raise ValueError("timeout_s must be positive")

    @property
    def suffix(self) -> str:
        return "." + self.target.split(":")[0]


def find_soffice() -> str:
    """The LibreOffice executable on PATH, or a :class:`DependencyMissingError` saying how to get it."""
    for name in _BINARIES:
        found = shutil.which(name)
        if found:
            return found
    raise DependencyMissingError(
        f"LibreOffice is needed to read Word 97 (DOC), WPS and RTF files but `soffice` is not on PATH; "
        f"install it with `{INSTALL_HINT}`"
    )


_running: dict[int, list[Path]] = {}  # process group -> temporary folders, in this process
_temp_dirs: set[Path] = set()  # temporary folders of conversions in this process
_registry: Path | None = None


def set_registry(folder: Path | None) -> None:
    """Leave a note in ``folder`` for every conversion while it runs (see :func:`reap_registry`)."""
    global _registry
    _registry = folder


def _killpg(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    _killpg(proc.pid)
    proc.wait()


def kill_children() -> None:
    """Kill every LibreOffice this process started and remove the conversions' temporary folders."""
    for pgid in list(_running):
        _killpg(pgid)
        _forget(pgid)
    for folder in list(_temp_dirs):
        shutil.rmtree(folder, ignore_errors=True)
        _temp_dirs.discard(folder)


def _note(pgid: int, folders: list[Path]) -> None:
    _running[pgid] = folders
    if _registry is not None:
        note = _registry / f"{pgid}.json"
        note.write_text(json.dumps({"pgid": pgid, "folders": [str(f) for f in folders]}), encoding="utf-8")


def _forget(pgid: int) -> None:
    _running.pop(pgid, None)
    if _registry is not None:
        (_registry / f"{pgid}.json").unlink(missing_ok=True)


def reap_registry(folder: Path) -> int:
    """Kill the LibreOffice groups that the notes in ``folder`` name (those whose worker was killed
    before it could), remove their temporary folders and the notes; returns the groups killed. A
    group is killed only while its leader still runs with the noted profile folder on its command
    line, so a reused process id is never hit."""
    killed = 0
    for note in folder.glob("*.json"):
        try:
            data = json.loads(note.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            note.unlink(missing_ok=True)
            continue
        pgid, folders = int(data["pgid"]), [Path(f) for f in data["folders"]]
        try:
            cmdline = Path(f"/proc/{pgid}/cmdline").read_bytes().decode("utf-8", "replace")
        except OSError:
            cmdline = ""
        if any(str(f) in cmdline for f in folders):
            _killpg(pgid)
            killed += 1
        for f in folders:
            shutil.rmtree(f, ignore_errors=True)
        note.unlink(missing_ok=True)
    return killed


@contextlib.contextmanager
def _temp_dir(prefix: str) -> Iterator[Path]:
    """A temporary folder removed on exit, and by :func:`kill_children` if the process is stopped."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    _temp_dirs.add(folder)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        _temp_dirs.discard(folder)


def convert_file(src: Path, outdir: Path, settings: ConversionSettings | None = None) -> Path:
    """Convert ``src`` into ``outdir`` and return the output path; raises :class:`ConversionError`."""
    settings = settings or ConversionSettings()
    soffice = find_soffice()
    outdir.mkdir(parents=True, exist_ok=True)
    expected = outdir / (src.stem + settings.suffix)
    with _temp_dir("govreport-lo-") as profile:
        cmd = [
            soffice,
            "--headless",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to",
            settings.target,
            "--outdir",
            str(outdir),
            str(src),
        ]
        logger.debug("running %s", cmd)
        proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            env={**os.environ, "HOME": str(profile), "TMPDIR": str(profile)},  # LibreOffice's own lu*.tmp too
        )
        _note(proc.pid, [profile, *(p for p in _temp_dirs if p != profile)])
        try:
            out, err = proc.communicate(timeout=settings.timeout_s)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            raise ConversionError(
                f"LibreOffice did not finish converting {src.name} within {settings.timeout_s:.0f} s; "
                "the file may be damaged or very large"
            ) from None
        finally:
            # soffice may leave children in its group even when it exits (or on Ctrl-C)
            _kill_group(proc)
            _forget(proc.pid)
    if proc.returncode != 0:
        raise ConversionError(
            f"LibreOffice failed to convert {src.name} (exit {proc.returncode}): "
            f"{(err or out).decode('utf-8', 'replace').strip()[:300]}"
        )
    if not expected.is_file() or expected.stat().st_size == 0:
        raise ConversionError(
            f"LibreOffice wrote no {settings.suffix} output for {src.name}; "
            "the file is probably damaged or not a word-processing document"
        )
    return expected


def convert_bytes(data: bytes, suffix: str, settings: ConversionSettings | None = None) -> bytes:
    """Convert an in-memory file (written under a neutral name with ``suffix``) and return the output."""
    settings = settings or ConversionSettings()
    with _temp_dir("govreport-conv-") as tmp:
        src = tmp / f"input{suffix}"
        src.write_bytes(data)
        out = convert_file(src, tmp / "out", settings)
        return out.read_bytes()
