"""Build the generated reports in ``samples/`` (see samples/README.md for what each one is).

    .venv/bin/python scripts/make_samples.py [--out samples]

Each agency's reports are consecutive years whose numbers chain (上年结转 = last year's 结转下年度,
现行有效件数 and 上一年项目数量 carried forward; ``tests/fixtures/series.py``), drawn from seeded RNGs, written as DOCX
by the fixture generator (``tests/fixtures/generator``) and converted by LibreOffice to the format
listed. Rerunning gives the same numbers; the office files' bytes may differ with the LibreOffice
version.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extractor.readers.word.libreoffice import ConversionSettings, convert_file  # noqa: E402
from tests.fixtures.generator.render import Variant, build_docx  # noqa: E402
from tests.fixtures.legacy import Layout, LegacyVariant, build_legacy_docx  # noqa: E402
from tests.fixtures.series import YearSpec, series_values  # noqa: E402

logger = logging.getLogger("make_samples")

TARGETS = {"pdf": "pdf:writer_pdf_Export", "doc": "doc:MS Word 97", "html": "html:HTML (StarWriter)"}


@dataclass(frozen=True, slots=True)
class Sample:
    slug: str
    agency: str
    seed: int
    years: tuple[tuple[int, str, str], ...]  # (report year, form version, format)
    breaks: tuple[tuple[int, str, int], ...] = ()  # (year, key, printed): a total that does not add up


SAMPLES = (
    Sample(
        "yunling",
        "云岭市卫生健康委员会",
        4,
        (
            (2019, "2019", "docx"),
            (2020, "2019", "html"),
            (2021, "2021", "pdf"),
            (2022, "2021", "wps"),
            (2023, "2021", "doc"),
        ),
    ),
    Sample(
        "linjiang",
        "临江市自然资源和规划局",
        1,
        ((2019, "2019", "pdf"), (2020, "2019", "wps"), (2021, "2021", "docx"), (2022, "2021", "html")),
    ),
    Sample(
        "qingshan",
        "青山县人民政府办公室",
        2,
        ((2020, "2019", "doc"),),
        breaks=((2020, "review.admin_review.total", 11),),  # the printed 总计 is not 维持+纠正+其他+尚未审结
    ),
)


# Legacy reports (2008–2018) of the same agencies, so that the samples hold one series across both
# eras: (slug, agency, seed, ((year, layout, format), ...)).
LEGACY_SAMPLES = (
    (
        "linjiang",
        "临江市自然资源和规划局",
        1,
        ((2016, Layout.NATIONAL, "html"), (2017, Layout.PROVINCIAL, "pdf"), (2018, Layout.PROSE, "docx")),
    ),
    (
        "yunling",
        "云岭市卫生健康委员会",
        4,
        ((2016, Layout.PROSE, "pdf"), (2017, Layout.NATIONAL, "docx"), (2018, Layout.PROVINCIAL, "html")),
    ),
)


def _write(docx: Path, dest: Path, fmt: str, tmp: Path) -> None:
    if fmt == "docx":
        shutil.copyfile(docx, dest)
    else:
        target = TARGETS["doc" if fmt == "wps" else fmt]
        shutil.copyfile(convert_file(docx, tmp / "out", ConversionSettings(target=target)), dest)


def build_legacy(out_dir: Path, only: list[str] | None = None) -> list[Path]:
    """The legacy samples (national table, provincial table, prose only) in HTML, PDF and DOCX."""
    written = []
    for slug, agency, seed, years in LEGACY_SAMPLES:
        if only and slug not in only:
            continue
        for year, layout, fmt in years:
            dest = out_dir / f"gen_{slug}_{year}_{layout.value}.{fmt}"
            with tempfile.TemporaryDirectory(prefix="govreport-samples-") as tmp:
                docx = Path(tmp) / f"{dest.stem}.docx"
                build_legacy_docx(LegacyVariant(agency, year, layout, seed), docx)
                _write(docx, dest, fmt, Path(tmp))
            logger.info("%s (%d KB)", dest.name, dest.stat().st_size // 1024)
            written.append(dest)
    return written


def build_sample(sample: Sample, out_dir: Path) -> list[Path]:
    """Write one file per year of ``sample`` into ``out_dir``."""
    breaks = {(y, k): v for y, k, v in sample.breaks}
    values = series_values([YearSpec(y, v) for y, v, _ in sample.years], sample.seed, breaks)
    written = []
    for year, version, fmt in sample.years:
        variant = Variant(version, sample.agency, year, dt.date(year + 1, 1, 20), seed=sample.seed * 100 + year)
        dest = out_dir / f"gen_{sample.slug}_{year}.{fmt}"
        with tempfile.TemporaryDirectory(prefix="govreport-samples-") as tmp:
            docx = Path(tmp) / f"{dest.stem}.docx"
            build_docx(variant, values[year], docx)
            _write(docx, dest, fmt, Path(tmp))
        logger.info("%s (%d KB)", dest.name, dest.stat().st_size // 1024)
        written.append(dest)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the generated reports in samples/.")
    parser.add_argument("--out", type=Path, default=ROOT / "samples")
    parser.add_argument("--only", nargs="*", help="sample slugs to build (default: all)")
    parser.add_argument("--legacy-only", action="store_true", help="build only the legacy (2008–2018) samples")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    args.out.mkdir(parents=True, exist_ok=True)
    for sample in SAMPLES:
        if args.legacy_only or (args.only and sample.slug not in args.only):
            continue
        build_sample(sample, args.out)
    build_legacy(args.out, args.only)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
