"""Report metadata: the reporting body, the year reported on, and the date printed at the end."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from extractor.readers.cjk import CN_DIGITS, CN_NUMERAL, CN_ZEROS
from rules.clean import clean_title_line
from rules.data import metadata_words, publish_date_labels
from rules.normalize import close_cjk_gaps, nfkc, squash

_SUBJECT = metadata_words().pattern(metadata_words().report_subjects)
_TITLE = re.compile(
    r"(?P<pre>[^\s，。,:：;；]*?)(?P<year>(?:19|20)\d{2})\s*年\s*度?(?P<mid>[^\s，。,]*?)"
    rf"(?:{_SUBJECT})(?:工作)?(?:年度)?(?:工作)?(?:年度)?报告"
)
# "XX局政府信息公开工作2021年度报告": the year after the subject
_TITLE_YEAR_LAST = re.compile(
    rf"(?P<pre>[^\s，。,:：;；]*?)(?P<mid>)(?:{_SUBJECT})工作(?P<year>(?:19|20)\d{{2}})\s*年\s*度?报告"
)
_CN_YEAR = re.compile(f"[{CN_DIGITS}{CN_ZEROS}]{{4}}(?=年)")
_AGENCY_END = re.compile(f"({metadata_words().pattern(metadata_words().agency_suffixes)})$")
AGENCY_MIN_CHARS = 2
AGENCY_MAX_CHARS = 40  # a longer line is a sentence, not an agency's name
_PREFIX_NOISE = re.compile(f"^({metadata_words().pattern(metadata_words().title_prefixes)})[:：]")
_CN_DIGITS = {ch: i for i, ch in enumerate(CN_DIGITS)} | dict.fromkeys(CN_ZEROS, 0) | {"十": 10}
_DATE_PATTERNS = (
    re.compile(r"(?P<y>(?:19|20)\d{2})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"),
    re.compile(r"(?P<y>(?:19|20)\d{2})[-./](?P<m>\d{1,2})[-./](?P<d>\d{1,2})"),
    re.compile(rf"(?P<y>[{CN_DIGITS}{CN_ZEROS}]{{4}})年(?P<m>{CN_NUMERAL}{{1,3}})月(?P<d>{CN_NUMERAL}{{1,3}})日"),
)
_PERIOD = re.compile(r"(?P<y>(?:19|20)\d{2})\s*年\s*(?:1\s*月\s*1\s*日|度)")
_YEAR = re.compile(r"(?P<y>(?:19|20)\d{2})\s*年")
MAX_DATE_LINE = 40  # a signature date stands on a short line of its own
TAIL_LINES = 8
MAX_DATE_PREFIX = 24


@dataclass(frozen=True, slots=True)
class Title:
    text: str
    agency: str | None
    year: int | None


def _clean(line: str) -> str:
    return _PREFIX_NOISE.sub("", close_cjk_gaps(clean_title_line(nfkc(line)).strip()))


def _looks_like_agency(text: str) -> bool:
    if not AGENCY_MIN_CHARS <= len(text) <= AGENCY_MAX_CHARS:
        return False
    return bool(_AGENCY_END.search(text)) and not re.search(r"\d", text)


def find_title(lines: Sequence[str], doc_title: str | None = None, max_lines: int = 12) -> Title | None:
    """The report's title among the first lines (a title split over two lines is joined)."""
    head = [_clean(x) for x in lines[:max_lines] if x.strip()]
    # Single lines first: joining a line to a title would glue site chrome onto the agency.
    candidates: list[tuple[str, str | None]] = [(line, head[i - 1] if i else None) for i, line in enumerate(head)]
    candidates += [(line + head[i + 1], head[i - 1] if i else None) for i, line in enumerate(head[:-1])]
    if doc_title:
        candidates.append((_clean(doc_title), None))
    for text, previous in candidates:
        flat = _CN_YEAR.sub(lambda y: str(_cn_number(y.group())), squash(text))
        m = _TITLE.search(flat) or _TITLE_YEAR_LAST.search(flat)
        if not m:
            continue
        agency = (m.group("pre") or m.group("mid") or "").strip('《》“”"').removesuffix("关于")
        if not agency and previous and _looks_like_agency(squash(previous)):
            agency = squash(previous)
        return Title(m.group(0), agency or None, int(m.group("year")))
    return None


def _cn_number(text: str) -> int:
    if len(text) == 4 and all(ch in _CN_DIGITS for ch in text):  # 二〇二〇
        return int("".join(str(_CN_DIGITS[ch]) for ch in text))
    if text == "十":
        return 10
    if text.startswith("十"):
        return 10 + _CN_DIGITS[text[1]]
    if text.endswith("十"):
        return _CN_DIGITS[text[0]] * 10
    if "十" in text:
        a, b = text.split("十")
        return _CN_DIGITS[a] * 10 + _CN_DIGITS[b]
    return _CN_DIGITS[text]


def _date_match(text: str) -> tuple[date, re.Match[str]] | None:
    for pat in _DATE_PATTERNS:
        m = pat.search(text)
        if not m:
            continue
        try:
            y, mo, d = (int(m.group(g)) if m.group(g).isdigit() else _cn_number(m.group(g)) for g in "ymd")
            return date(y, mo, d), m
        except (ValueError, KeyError):
            continue
    return None


def all_dates(text: str) -> set[date]:
    """Every full date (year, month, day) printed in ``text``."""
    out: set[date] = set()
    for pat in _DATE_PATTERNS:
        for m in pat.finditer(text):
            try:
                y, mo, d = (int(m.group(g)) if m.group(g).isdigit() else _cn_number(m.group(g)) for g in "ymd")
                out.add(date(y, mo, d))
            except (ValueError, KeyError):
                continue
    return out


def parse_date(text: str) -> date | None:
    found = _date_match(text)
    return found[0] if found else None


def _signature_date(line: str) -> date | None:
    """A date that ends its line and follows at most a short label (发布日期：, the body's name)."""
    found = _date_match(line)
    if not found:
        return None
    d, m = found
    before, after = line[: m.start()], line[m.end() :]
    if after.strip(" 。.") or len(before) > MAX_DATE_PREFIX or re.search(r"[。，,；;]", before):
        return None
    return d


def publish_date(tail_lines: Sequence[str]) -> date | None:
    """A date printed on a short line of its own at the end of the report (the signature date)."""
    for line in reversed([x for x in tail_lines if x.strip()][-TAIL_LINES:]):
        s = squash(nfkc(line))
        if len(s) > MAX_DATE_LINE:
            continue
        d = _signature_date(s)
        if d:
            return d
    return None


def labelled_date(head_lines: Sequence[str]) -> date | None:
    """A date printed after a label such as 发布日期： near the title."""
    for line in head_lines:
        s = squash(nfkc(line))
        for label in publish_date_labels():
            at = s.find(label)
            if at < 0:
                continue
            rest = s[at + len(label) :].lstrip(":：")
            found = _date_match(rest)
            if found and found[1].start() == 0:
                return found[0]
    return None


def signature_agency(tail_lines: Sequence[str]) -> str | None:
    """The body named on the line above the closing date, when the title names none."""
    lines = [squash(nfkc(x)) for x in tail_lines if x.strip()][-TAIL_LINES:]
    for i in range(len(lines) - 1, 0, -1):
        if _signature_date(lines[i]) and _looks_like_agency(lines[i - 1]):
            return lines[i - 1]
    return None


def report_year(title: Title | None, text: str) -> int | None:
    """The year reported on: the title's year, else the statistics period, else the first year."""
    if title and title.year:
        return title.year
    flat = squash(nfkc(text))
    m = _PERIOD.search(flat) or _YEAR.search(flat)
    return int(m.group("y")) if m else None
