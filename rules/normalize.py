"""Text normalisation shared by every rule: width folding, white space, numbering, instructions."""

from __future__ import annotations

import re
import unicodedata

from extractor.readers.cjk import CN_NUMERAL, CN_NUMERALS

_WS = re.compile(r"\s+")
# Bracketed instruction text such as （区分处理的，只计这一情形，不计其他情形） or
# （设区的市、自治州人民政府应提供相关数据）: removed for label matching. Short brackets that
# are numbering, like (一) or (1), are handled by _NUMBERING instead.
_INSTRUCTION = re.compile(r"\([^()]{4,}\)")
_NUMBERING = re.compile(rf"^(?:{CN_NUMERAL}+[、.,]|\([{CN_NUMERALS}\d]+\)|\d{{1,2}}[、.,)](?!\d)|{CN_NUMERAL}+(?=[(]))")
_CJK = r"\u3400-\u9fff\uf900-\ufaff"
_SPACE_BETWEEN = re.compile(rf"(?<=[{_CJK}])[ \t\u3000\xa0]+(?=[{_CJK}\d])|(?<=[\d])[ \t\u3000\xa0]+(?=[{_CJK}])")


def nfkc(text: str) -> str:
    """Fold full-width forms (（，：１) to their plain forms; keep CJK as is."""
    return unicodedata.normalize("NFKC", text)


def squash(text: str) -> str:
    """Remove all white space."""
    return _WS.sub("", text)


def close_cjk_gaps(text: str) -> str:
    """Drop spaces between CJK characters and between CJK and digits (``2023 年`` -> ``2023年``),
    keeping spaces between numbers (``0 0 0``)."""
    return _SPACE_BETWEEN.sub("", text)


def strip_numbering(text: str) -> str:
    """Remove leading list numbering: 一、 （一） 1. 1、 (repeatedly, for 三、(一))."""
    prev = None
    while prev != text:
        prev = text
        text = _NUMBERING.sub("", text, count=1)
    return text


def label_key(text: str) -> str:
    """The comparable form of a table label: NFKC, no white space, no instructions, no numbering."""
    text = squash(nfkc(text))
    text = text.replace("“", '"').replace("”", '"')
    text = _INSTRUCTION.sub("", text)
    return strip_numbering(text)
