"""Scans are decoded within a bound: sizes checked before decoding (the limit named as the code
applies it), and pages near the limit shrunk before OCR so a small file cannot take gigabytes."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from extractor.errors import ExtractionError
from extractor.readers.image import OCR_MAX_PIXELS, read_image, scaled_image_pages
from extractor.readers.ocr.page import MAX_PIXELS
from tests.helpers import ROOT

PEAK_MB_MAX = 2500


def _bilevel_png(width: int, height: int, lines: bool = False) -> bytes:
    img = Image.new("1", (width, height), 1)
    if lines:
        draw = ImageDraw.Draw(img)
        for y in range(500, height - 500, 400):
            draw.line((300, y, width - 300, y), fill=0, width=3)
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


@pytest.mark.parametrize("size", [(9000, 9000), (13000, 12000)])  # over the limit; over twice the limit
def test_an_image_over_the_pixel_limit_names_the_limit_applied(size: tuple[int, int]):
    with pytest.raises(ExtractionError) as err:
        read_image(_bilevel_png(*size), Path("big.png"))
    assert f"more than the {MAX_PIXELS / 1e6:.0f} Mpx" in str(err.value)
    assert f"{2 * MAX_PIXELS / 1e6:.0f}" not in str(err.value)


def test_junk_named_png_gives_no_python_repr():
    with pytest.raises(ExtractionError) as err:
        read_image(b"\x89PNG not really", Path("junk.png"))
    assert "<_io." not in str(err.value) and "object at 0x" not in str(err.value)


def test_a_page_near_the_limit_is_shrunk_before_ocr():
    ((pixels, dpi, factor),) = scaled_image_pages(_bilevel_png(7000, 8500))
    assert pixels.size <= OCR_MAX_PIXELS and factor >= 2 and dpi == pytest.approx(150 / factor)


@pytest.mark.slow
def test_a_16_kb_png_near_the_pixel_limit_stays_within_memory(tmp_path: Path):
    """Before: 8.5 GB peak and 7 minutes for this file (reported: 3.5 GB until the limit stopped it)."""
    path = tmp_path / "near_limit.png"
    path.write_bytes(_bilevel_png(7000, 8500, lines=True))
    assert path.stat().st_size < 200_000
    code = (
        "import resource, sys; from pathlib import Path; from extractor.pipeline import extract_file; "
        f"e = extract_file(Path({str(path)!r})); "
        "print(e.report['status'], resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=600)
    status, peak_mb = out.stdout.split()
    assert status == "failed"  # ruled lines and no text: OCR ran and found no text
    assert int(peak_mb) < PEAK_MB_MAX, peak_mb
