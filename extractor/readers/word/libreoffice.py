"""Run LibreOffice headless to convert office files (DOC, WPS, RTF → DOCX; DOCX → PDF, DOC, HTML).

Each conversion gets its own throw-away user profile (``-env:UserInstallation``) so that parallel
conversions never collide on LibreOffice's profile lock, runs in its own process group under a
time limit (the whole group is killed when it expires: ``soffice`` forks ``soffice.bin``), and is
checked for a non-empty output file, because LibreOffice can exit 0 and write nothing.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import tempfile
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


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


def convert_file(src: Path, outdir: Path, settings: ConversionSettings | None = None) -> Path:
    """Convert ``src`` into ``outdir`` and return the output path; raises :class:`ConversionError`."""
    settings = settings or ConversionSettings()
    soffice = find_soffice()
    outdir.mkdir(parents=True, exist_ok=True)
    expected = outdir / (src.stem + settings.suffix)
    with tempfile.TemporaryDirectory(prefix="govreport-lo-") as profile:
        cmd = [
            soffice,
            "--headless",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            f"-env:UserInstallation={Path(profile).as_uri()}",
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
            env={**os.environ, "HOME": profile},
        )
        try:
            out, err = proc.communicate(timeout=settings.timeout_s)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            raise ConversionError(
                f"LibreOffice did not finish converting {src.name} within {settings.timeout_s:.0f} s; "
                "the file may be damaged or very large"
            ) from None
        finally:
            if proc.poll() is None:  # pragma: no cover - communicate() returned but children linger
                _kill_group(proc)
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
    with tempfile.TemporaryDirectory(prefix="govreport-conv-") as tmp:
        src = Path(tmp) / f"input{suffix}"
        src.write_bytes(data)
        out = convert_file(src, Path(tmp) / "out", settings)
        return out.read_bytes()
