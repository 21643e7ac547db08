"""The sections of a legacy report (2008–2018): the 2007 regulation's headings filed by meaning.

Headings are numbered 一、… (or 第一部分) in whatever order and combination a report uses; each is
classified by ``rules/data/legacy.toml`` onto the modern numbering (1 概述 … 6 其他). An unnumbered
heading counts only on a short line of its own. The statistics table's span (its caption and
header, 政府信息公开情况统计表 / 指标名称 …) is found here too, and the date the report closes with.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache

from extractor.readers.cjk import CN_NUMERALS, CN_ZEROS
from rules import metadata
from rules.legacy_data import TABLE_CAPTION, Column, legacy_sections
from rules.legacy_data import table_words as _words
from rules.normalize import nfkc, squash

MAX_KEYWORD_GAP = 16  # characters between a heading's numeral and its keyword
HEADING_WINDOW = 40
HEADER_GAP = 6  # characters (white space, cell separators) between a header word and 单位
CAPTION_BACK = 60  # characters before a table's header in which its caption is looked for
MAX_BARE_HEADING = 30
CLOSING_TAIL = 40  # the closing date stands within the last characters of the last section
_CN = CN_NUMERALS
_NUMBERED = re.compile(rf"(?<![{_CN}第（(])(?P<n>[{_CN}]{{1,2}})\s*[、.．]|第(?P<m>[{_CN}]{{1,2}})部分")
# （一）… as top-level numbering: only in a report that numbers no heading 一、
_PAREN_NUMBERED = re.compile(rf"[（(](?P<n>[{_CN}]{{1,2}})[）)](?P<m>)")
_HEADING_TAIL = re.compile(r"[^，。；;\s（(]{0,16}?(?:情况|措施|事项|统计表|报表)")
_UNKNOWN_HEADING = re.compile(r"[^，。；;\s]{1,20}")
HEADER_WORDS = ("指标名称", "统计指标")
_D = f"0-9{CN_NUMERALS}"
_CLOSING_DATE = re.compile(rf"[{_D}{CN_ZEROS}零]{{2,4}}年[{_D}]{{1,3}}月[{_D}]{{1,3}}日")
_HEADING_CUT = re.compile(r"[\s。，；;,]")  # a heading's words end at white space or punctuation
_NOT_BARE = re.compile(r"[|\t\d]")
_TABLE_ROW = re.compile(r"数|费用|\||\d")
TABLE_ROW_WINDOW = 16
_ARCHIVE_DATE = re.compile(r"^发布(?:时间|日期)\s*[:：]\s*(?P<d>\S+)")


@dataclass(frozen=True, slots=True)
class LegacySectionOut:
    number: int
    heading: str
    text: str


# --- sections ------------------------------------------------------------------------------------


def _cn_value(numeral: str) -> int:
    if numeral == "十":
        return 10
    if numeral.startswith("十"):
        return 10 + _CN.index(numeral[1]) + 1
    return (
        _CN.index(numeral[0]) + 1 if len(numeral) == 1 else (_CN.index(numeral[0]) + 1) * 10 + _CN.index(numeral[1]) + 1
    )


def _classify(window: str) -> tuple[int, int] | None:
    """(section number, keyword end in ``window``) of a heading's first characters."""
    flat = nfkc(window)
    for spec in legacy_sections():
        for kw in spec.keywords:
            i = flat.find(kw)
            if 0 <= i <= MAX_KEYWORD_GAP:
                return spec.number, i + len(kw)
    return None


@dataclass(frozen=True, slots=True)
class _Heading:
    start: int
    body_start: int
    number: int | None  # None: a numbered heading that names no standard section
    text: str


def _table_row(window: str) -> bool:
    """Whether a numbered line after a table's header is one of its rows (四、行政复议数量 | 件 | 1)."""
    return bool(_TABLE_ROW.search(window[:TABLE_ROW_WINDOW]))


def _numbered_headings(
    text: str, table_from: int | None = None, numbered: re.Pattern[str] = _NUMBERED
) -> list[_Heading]:
    found = [
        (m.start(), m.end(), _cn_value(m.group("n") or m.group("m")))
        for m in numbered.finditer(text)
        if table_from is None or m.start() < table_from or not _table_row(text[m.end() :])
    ]
    out: list[_Heading] = []
    pos, expected = 0, 1
    while True:
        cands = [(s, e) for s, e, n in found if n == expected and s >= pos]
        if not cands:
            return out
        chosen = None
        for s, e in cands:
            pad = len(text[e : e + HEADING_WINDOW]) - len(text[e : e + HEADING_WINDOW].lstrip())
            window = _HEADING_CUT.split(text[e + pad : e + HEADING_WINDOW], maxsplit=1)[0]
            hit = _classify(window)
            if hit:
                tail = _HEADING_TAIL.match(window, hit[1])
                end = e + pad + (tail.end() if tail else hit[1])
                chosen = _Heading(s, end, hit[0], text[s:end].strip())
                break
        if chosen is None:
            s, e = cands[0]
            m = _UNKNOWN_HEADING.match(text, e + len(text[e:]) - len(text[e:].lstrip()))
            end = m.end() if m else e
            chosen = _Heading(s, end, None, text[s:end].strip())
        out.append(chosen)
        pos, expected = chosen.body_start, expected + 1


def _bare_headings(text: str) -> list[_Heading]:
    out, pos = [], 0
    for line in text.splitlines(keepends=True):
        s = line.strip()
        # a heading of its own: short, not a sentence, not a table row (no cell separator, no number)
        if s and len(s) <= MAX_BARE_HEADING and not s.endswith(("。", "；", ";")) and not _NOT_BARE.search(s):
            hit = _classify(s)
            if hit:
                start = pos + line.find(s)
                out.append(_Heading(start, start + len(s), hit[0], s))
        pos += len(line)
    return out


def _table_header(text: str, start: int) -> int | None:
    """Where a statistics table's header starts: 指标名称/统计指标, or a shorter header word (指标,
    项目) followed closely by its unit column (单位)."""
    hits = [i for w in HEADER_WORDS if (i := text.find(w, start)) >= 0]
    m = _header_re().search(text, start)
    if m:
        hits.append(m.start())
    return min(hits) if hits else None


@cache
def _header_re() -> re.Pattern[str]:
    words = _words()
    heads = "|".join(re.escape(w) for w in words.header)
    units = "|".join(re.escape(w) for _, w in words.columns if _ is Column.UNIT)
    return re.compile(f"(?:{heads})[\\s|｜]{{0,{HEADER_GAP}}}(?:{units})")


def _caption_start(text: str, header: int) -> int:
    back = text[max(0, header - CAPTION_BACK) : header]
    base = header - len(back)
    for word in ("附件", "附表"):
        i = back.rfind(word)
        if i >= 0:
            return base + i
    i = max(back.rfind("统计表"), back.rfind("统计报表"))
    if i >= 0:
        cut = max(back.rfind(ch, 0, i) for ch in " \n。；")
        return base + cut + 1
    return header


def find_legacy_sections(text: str) -> tuple[list[LegacySectionOut], tuple[int, int] | None]:
    """The standard sections of a legacy report (merged per number) and the statistics table's span."""
    header = _table_header(text, 0)
    heads = _numbered_headings(text, header)
    if len(heads) < 2:
        heads = max(heads, _numbered_headings(text, header, _PAREN_NUMBERED), key=len)
    if len(heads) < 2:
        heads = sorted(heads + _bare_headings(text), key=lambda h: h.start)
    table: tuple[int, int] | None = None
    if header is not None:
        cap = next((h.start for h in heads if h.number == TABLE_CAPTION and h.start <= header), None)
        cap = _caption_start(text, header) if cap is None else cap
        after = [h.start for h in heads if h.start > header]
        table = (cap, min(after, default=len(text)))
    spans: list[tuple[int, str, int, int]] = []  # number, heading, body start, end
    previous: int | None = None
    for i, h in enumerate(heads):
        end = heads[i + 1].start if i + 1 < len(heads) else len(text)
        if table and h.start < table[0] < end:
            end = table[0]
        if table and table[0] <= h.start < table[1]:
            continue
        number = h.number
        if number == TABLE_CAPTION:
            continue
        if number is None and i == 0:
            number = 1  # the report's first heading (一、政府信息公开工作开展情况 …) is its overview
        if number is None:
            if previous is None:
                continue
            if previous in (4, 5, 6):
                number = 6
            else:
                spans.append((previous, "", h.start, end))  # text of the section before
                continue
        spans.append((number, h.text, h.body_start, end))
        previous = number
    merged: dict[int, LegacySectionOut] = {}
    for number, heading, s, e in spans:
        body = text[s:e].strip()
        if number in merged:
            old = merged[number]
            merged[number] = LegacySectionOut(number, old.heading, f"{old.text}\n{heading}\n{body}".strip())
        else:
            merged[number] = LegacySectionOut(number, heading, body)
    return [merged[n] for n in sorted(merged)], table


def legacy_publish_date(last_text: str, head_lines: Sequence[str]) -> date | None:
    """The closing date the report's text ends with, else the archive's 发布时间 line."""
    tail = squash(nfkc(last_text))[-CLOSING_TAIL:]
    for m in _CLOSING_DATE.finditer(tail):
        if not tail[m.end() :].strip("。."):
            return metadata.parse_date(m.group())
    for line in head_lines:
        posted = _ARCHIVE_DATE.match(nfkc(line).strip())
        if posted:
            return metadata.parse_date(posted.group("d"))
    return None
