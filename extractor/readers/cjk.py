"""Character classes of Chinese text that the readers and the rules share."""

from __future__ import annotations

CN_NUMERALS = "一二三四五六七八九十"  # the numerals of headings and dates: 一、 （二） 十二月
CN_NUMERAL = f"[{CN_NUMERALS}]"  # as one regex class
CN_DIGITS = "零一二三四五六七八九"  # 0–9, indexed by value
CN_ZEROS = "〇○"  # other ways of writing 零 (years: 二〇二〇)
