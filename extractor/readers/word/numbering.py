"""Automatic paragraph numbering of WordprocessingML (``word/numbering.xml``), rendered as printed.

Reports made in Word often number their headings with list numbering instead of typed text, so
the body says "总体情况" where the page prints "一、总体情况". This module replays the counters in
document order and gives each numbered paragraph its label (``一、``, ``（二）``, ``3.``) so that
the text is what a reader sees. Bullets print nothing here.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from lxml import etree

from extractor.readers.cjk import CN_DIGITS

logger = logging.getLogger(__name__)

MAX_STYLE_CHAIN = 20
_LEGAL = "零壹贰叁肆伍陆柒捌玖"
_STEMS = "甲乙丙丁戊己庚辛壬癸"
_BRANCHES = "子丑寅卯辰巳午未申酉戌亥"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_ROMAN = (
    (1000, "m"),
    (900, "cm"),
    (500, "d"),
    (400, "cd"),
    (100, "c"),
    (90, "xc"),
    (50, "l"),
    (40, "xl"),
    (10, "x"),
    (9, "ix"),
    (5, "v"),
    (4, "iv"),
    (1, "i"),
)
_PLACEHOLDER = re.compile(r"%([1-9])")


def chinese_number(n: int, digits: str = CN_DIGITS, units: str = "十百千") -> str:
    """1 → 一, 10 → 十, 21 → 二十一, 105 → 一百零五 (counting style, as Word prints lists)."""
    if n <= 0 or n >= 10000:
        return str(n)
    parts: list[str] = []
    zero = False
    for power, unit in ((1000, units[2]), (100, units[1]), (10, units[0]), (1, "")):
        d = n // power % 10
        if d:
            if zero:
                parts.append(digits[0])
                zero = False
            if not (d == 1 and unit == units[0] and not parts):  # 十一, not 一十一
                parts.append(digits[d])
            parts.append(unit)
        elif parts:
            zero = True
    return "".join(parts)


def _letters(n: int) -> str:
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1) if n > 0 else str(n)


def _roman(n: int) -> str:
    out = []
    for value, sym in _ROMAN:
        while n >= value:
            out.append(sym)
            n -= value
    return "".join(out)


def format_number(n: int, fmt: str) -> str:
    """``n`` in the WordprocessingML number format ``fmt`` (``decimal`` for the unknown ones)."""
    if fmt in (
        "chineseCounting",
        "chineseCountingThousand",
        "japaneseCounting",
        "taiwaneseCounting",
        "taiwaneseCountingThousand",
        "ideographDigital",
    ):
        return chinese_number(n)
    if fmt == "chineseLegalSimplified":
        return chinese_number(n, _LEGAL, "拾佰仟")
    if fmt in ("ideographTraditional",) and 0 < n <= 10:
        return _STEMS[n - 1]
    if fmt == "ideographZodiac" and 0 < n <= 12:
        return _BRANCHES[n - 1]
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 0 < n <= 20:
        return _CIRCLED[n - 1]
    if fmt == "decimalFullWidth" or fmt == "decimalFullWidth2":
        return "".join(chr(ord(c) + 0xFEE0) for c in str(n))
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "upperLetter":
        return _letters(n).upper()
    if fmt == "lowerLetter":
        return _letters(n)
    if fmt == "upperRoman":
        return _roman(n).upper()
    if fmt == "lowerRoman":
        return _roman(n)
    if fmt == "none":
        return ""
    return str(n)


@dataclass(frozen=True, slots=True)
class Level:
    fmt: str = "decimal"
    text: str = "%1."
    start: int = 1


class Numbering:
    """Counters of every list in the document, advanced paragraph by paragraph in reading order."""

    def __init__(self, ns: str, numbering: etree._Element | None, styles: etree._Element | None) -> None:
        self._w = f"{{{ns}}}"
        self.abstract: dict[str, dict[int, Level]] = {}
        self.nums: dict[str, tuple[str, dict[int, Level], bool]] = {}  # numId -> (abstract, overrides, own)
        self.style_num: dict[str, tuple[str | None, int | None]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        if numbering is not None:
            self._load_numbering(numbering)
        if styles is not None:
            self._load_styles(styles)

    def _val(self, el: etree._Element | None, child: str) -> str | None:
        if el is None:
            return None
        found = el.find(self._w + child)
        return None if found is None else found.get(self._w + "val")

    def _level(self, lvl: etree._Element, base: Level | None = None) -> Level:
        base = base or Level()
        start = self._val(lvl, "start")
        return Level(
            fmt=self._val(lvl, "numFmt") or base.fmt,
            text=self._val(lvl, "lvlText") if self._val(lvl, "lvlText") is not None else base.text,  # type: ignore[arg-type]
            start=int(start) if start and start.lstrip("-").isdigit() else base.start,
        )

    def _load_numbering(self, root: etree._Element) -> None:
        w = self._w
        for abstract in root.iter(w + "abstractNum"):
            levels = {}
            for lvl in abstract.iter(w + "lvl"):
                ilvl = lvl.get(w + "ilvl", "0")
                if ilvl.isdigit():
                    levels[int(ilvl)] = self._level(lvl)
            self.abstract[abstract.get(w + "abstractNumId", "")] = levels
        for num in root.iter(w + "num"):
            abstract_id = self._val(num, "abstractNumId") or ""
            overrides: dict[int, Level] = {}
            for override in num.iter(w + "lvlOverride"):
                ilvl_s = override.get(w + "ilvl", "0")
                if not ilvl_s.isdigit():
                    continue
                ilvl = int(ilvl_s)
                base = self.abstract.get(abstract_id, {}).get(ilvl, Level())
                lvl = override.find(w + "lvl")
                level = self._level(lvl, base) if lvl is not None else base
                start = self._val(override, "startOverride")
                if start and start.lstrip("-").isdigit():
                    level = Level(level.fmt, level.text, int(start))
                overrides[ilvl] = level
            self.nums[num.get(w + "numId", "")] = (abstract_id, overrides, bool(overrides))

    def _load_styles(self, root: etree._Element) -> None:
        w = self._w
        raw: dict[str, tuple[str | None, int | None, str | None]] = {}
        for style in root.iter(w + "style"):
            ppr = style.find(w + "pPr")
            numpr = ppr.find(w + "numPr") if ppr is not None else None
            ilvl_s = self._val(numpr, "ilvl")
            raw[style.get(w + "styleId", "")] = (
                self._val(numpr, "numId"),
                int(ilvl_s) if ilvl_s and ilvl_s.isdigit() else None,
                self._val(style, "basedOn"),
            )
        for sid in raw:
            num_id, level, parent = raw[sid]
            seen = 0
            while (num_id is None or level is None) and parent in raw and seen < MAX_STYLE_CHAIN:
                p_num, p_lvl, parent = raw[parent]
                num_id = num_id if num_id is not None else p_num
                level = level if level is not None else p_lvl
                seen += 1
            self.style_num[sid] = (num_id, level)

    def label(self, p: etree._Element) -> str:
        """The number label the paragraph prints (advancing the counters), or ``""``."""
        w = self._w
        ppr = p.find(w + "pPr")
        if ppr is None:
            return ""
        numpr = ppr.find(w + "numPr")
        style = self._val(ppr, "pStyle")
        num_id, ilvl_s = self._val(numpr, "numId"), self._val(numpr, "ilvl")
        s_num, s_lvl = self.style_num.get(style or "", (None, None))
        num_id = num_id if num_id is not None else s_num
        ilvl = int(ilvl_s) if ilvl_s and ilvl_s.isdigit() else (s_lvl or 0)
        if not num_id or num_id == "0" or num_id not in self.nums:
            return ""
        abstract_id, overrides, own = self.nums[num_id]
        levels = {**self.abstract.get(abstract_id, {}), **overrides}
        level = levels.get(ilvl)
        if level is None or level.fmt == "bullet":
            return ""
        key = f"num:{num_id}" if own else f"abstract:{abstract_id}"
        counters = self.counters.setdefault(key, {})
        counters[ilvl] = counters[ilvl] + 1 if ilvl in counters else level.start
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]

        def fill(m: re.Match[str]) -> str:
            n = int(m.group(1)) - 1
            lv = levels.get(n, Level())
            return format_number(counters.get(n, lv.start), lv.fmt)

        return _PLACEHOLDER.sub(fill, level.text)
