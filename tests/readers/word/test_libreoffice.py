"""The LibreOffice helper (extractor/readers/word/libreoffice.py): own profile, time limit that kills the process group, parallel conversions, settings."""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from extractor.readers.word.libreoffice import (
    ConversionError,
    ConversionSettings,
    convert_bytes,
    convert_file,
    find_soffice,
)
from tests.fixtures.generator.generate import OUT_DIR


def _processes_mentioning(marker: str) -> set[int]:
    pids = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "cmdline").read_bytes():
                    pids.add(int(entry.name))
            except OSError:
                continue
    return pids


@pytest.mark.libreoffice
def test_conversion_time_limit_kills_the_whole_process_group(tmp_path: Path) -> None:
    src = tmp_path / "slow-input-marker.doc"  # a name only this test's soffice has on its command line
    src.write_bytes((OUT_DIR / "form2021_grid.doc").read_bytes())
    start = time.monotonic()
    with pytest.raises(ConversionError, match="did not finish converting"):
        convert_file(src, tmp_path / "out", ConversionSettings(timeout_s=0.3))
    assert time.monotonic() - start < 5
    time.sleep(0.2)
    assert not _processes_mentioning(str(src)), "soffice processes outlived the time limit"
    assert not (tmp_path / "out" / "slow-input-marker.docx").exists()


@pytest.mark.libreoffice
def test_parallel_conversions_do_not_collide() -> None:
    data = (OUT_DIR / "form2019_grid.doc").read_bytes()
    with ThreadPoolExecutor(max_workers=2) as pool:
        outs = list(pool.map(lambda _: convert_bytes(data, ".doc"), range(2)))
    assert all(out[:2] == b"PK" and len(out) > 5000 for out in outs)


def test_conversion_settings_are_validated() -> None:
    with pytest.raises(ValueError):
        ConversionSettings(timeout_s=0)
    with pytest.raises(ValueError):
        ConversionSettings(target="")
    assert ConversionSettings(target="doc:MS Word 97").suffix == ".doc"


@pytest.mark.libreoffice
def test_soffice_is_found_on_this_machine() -> None:
    assert os.path.basename(find_soffice()) in ("soffice", "libreoffice")
