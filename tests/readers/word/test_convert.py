"""DOC, WPS and RTF through LibreOffice, content sniffing of mislabelled Word files, and the
conversion helper's guarantees (own profile, time limit, output check, missing dependency)."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor.errors import DependencyMissingError, ExtractionError, UnsupportedFormatError
from extractor.model import Document, FileFormat, Status
from extractor.readers.sniff import sniff_format
from extractor.readers.word.convert import CACHE_ENV, read_doc, read_wps
from tests.fixtures.generator.damaged import RTF_CELLS, RTF_TITLE
from tests.fixtures.generator.generate import FIXTURES, OUT_DIR
from tests.helpers import read_fixture

WORD97 = [(fx.name, ext) for fx in FIXTURES for ext in ("doc", "wps") if ext in fx.renderings]
WRONG = OUT_DIR / "wrong_suffix"


def _cells(doc: Document) -> list[list[tuple[str, int, int, int, int]]]:
    return [[(c.text, c.row, c.col, c.rowspan, c.colspan) for c in t.cells] for t in doc.tables]


def _locators(doc: Document) -> list[list[str | None]]:
    return [[c.prov.locator for c in t.cells] for t in doc.tables]


@pytest.mark.libreoffice
@pytest.mark.parametrize(("name", "ext"), WORD97, ids=[f"{n}.{e}" for n, e in WORD97])
def test_word97_reads_exactly_like_the_docx_it_was_made_from(name: str, ext: str) -> None:
    doc = read_fixture(OUT_DIR / f"{name}.{ext}")
    original = read_fixture(OUT_DIR / f"{name}.docx")
    assert doc.file_format is (FileFormat.WPS if ext == "wps" else FileFormat.DOC)
    assert doc.status is Status.OK
    assert [p.text for p in doc.paragraphs] == [p.text for p in original.paragraphs]
    assert [(t.n_rows, t.n_cols) for t in doc.tables] == [(t.n_rows, t.n_cols) for t in original.tables]
    assert _cells(doc) == _cells(original)
    assert [t.slots for t in doc.tables] == [t.slots for t in original.tables]
    assert all(loc and loc.startswith("table ") for locs in _locators(doc) for loc in locs)


@pytest.mark.libreoffice
def test_word97_keeps_text_box_and_tracked_insertion() -> None:
    doc = read_fixture(OUT_DIR / "form2021_word_extras.doc")
    texts = [p.text for p in doc.paragraphs]
    assert sum("（文本框）" in t for t in texts) == 1
    assert any("修订插入的文字" in t for t in texts) and not any("修订删除的文字" in t for t in texts)


# --- file type from content, not suffix ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("form2021_grid_docx_named.doc", FileFormat.DOCX),
        ("form2021_grid_html_named.doc", FileFormat.HTML),
        ("small_rtf_named.doc", FileFormat.RTF),
        ("form2021_grid_doc_named.docx", FileFormat.DOC),
        ("form2021_grid_mht_named.doc", FileFormat.MHT),
    ],
)
def test_mislabelled_word_files_are_sniffed_by_content(name: str, fmt: FileFormat) -> None:
    path = WRONG / name
    assert sniff_format(path.read_bytes(), path) is fmt


def test_ole2_under_a_wps_name_is_wps() -> None:
    path = OUT_DIR / "form2019_grid.wps"
    assert sniff_format(path.read_bytes(), path) is FileFormat.WPS


def test_docx_named_doc_is_read_as_docx() -> None:
    doc = read_fixture(WRONG / "form2021_grid_docx_named.doc")
    assert doc.file_format is FileFormat.DOCX
    assert _cells(doc) == _cells(read_fixture(OUT_DIR / "form2021_grid.docx"))


def test_html_named_doc_is_read_as_html_with_the_same_numbers() -> None:
    doc = read_fixture(WRONG / "form2021_grid_html_named.doc")
    original = read_fixture(OUT_DIR / "form2021_grid.docx")
    assert doc.file_format is FileFormat.HTML
    assert [t.rows_text() for t in doc.tables] == [t.rows_text() for t in original.tables]


@pytest.mark.libreoffice
def test_rtf_named_doc_is_read_as_rtf() -> None:
    doc = read_fixture(WRONG / "small_rtf_named.doc")
    assert doc.file_format is FileFormat.RTF
    assert doc.paragraphs[0].text == RTF_TITLE
    assert doc.tables[0].rows_text() == [list(r) for r in RTF_CELLS]


@pytest.mark.libreoffice
def test_doc_named_docx_is_read_as_doc() -> None:
    doc = read_fixture(WRONG / "form2021_grid_doc_named.docx")
    assert doc.file_format is FileFormat.DOC
    assert _cells(doc) == _cells(read_fixture(OUT_DIR / "form2021_grid.docx"))


def test_binary_junk_named_docx_is_unsupported(tmp_path: Path) -> None:
    path = tmp_path / "report.docx"
    path.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(UnsupportedFormatError, match="not a format govreport reads"):
        read_fixture(path)


# --- password protection and non-Word compound files (no LibreOffice needed) -------------------------


def test_password_protected_docx_is_refused_before_conversion(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")  # proves LibreOffice is never asked
    data = (OUT_DIR / "damaged" / "password_protected.docx").read_bytes()
    assert sniff_format(data, Path("x.docx")) is FileFormat.DOC
    for reader in (read_doc, read_wps):
        with pytest.raises(ExtractionError, match="the document is password-protected"):
            reader(data, Path("x.docx"))


def test_missing_libreoffice_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv(CACHE_ENV)
    data = (OUT_DIR / "form2021_grid.doc").read_bytes()
    with pytest.raises(DependencyMissingError, match="apt-get install libreoffice-writer-nogui fonts-noto-cjk"):
        read_doc(data, Path("x.doc"))


# --- the conversion helper ---------------------------------------------------------------------------


@pytest.mark.libreoffice
def test_conversion_cache_serves_a_rerun_without_libreoffice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    data = (OUT_DIR / "form2021_word_extras.doc").read_bytes()
    first = read_doc(data, Path("a.doc"))
    assert len(list((tmp_path / "cache").glob("*.docx"))) == 1
    monkeypatch.setenv("PATH", "/nonexistent")  # a second read cannot reach LibreOffice …
    second = read_doc(data, Path("b.doc"))
    assert second == first  # … and gets the same document from the cache
    changed = data[:-1] + bytes([data[-1] ^ 1])  # other content is never served from it
    with pytest.raises(DependencyMissingError):
        read_doc(changed, Path("c.doc"))
