"""The cross-version crosswalk: one harmonised long table in which 2019 and 2021 cells that mean the
same thing share a key, and the data dictionary generated from it.

The mapping is data (``rules/data/crosswalk.toml``), validated against ``schema.json`` on load:
every canonical key of each form is either *the same* under both forms (its harmonised key
``hkey`` is the canonical key) or *apart* (``hkey = "<key>@<version>"``: present in one form only,
or its meaning changed). 2021's three （六）其他处理 sub-rows are also summed into the harmonised
``requests.other.<col>`` when all three are numbers.

    python -m extractor.dataset.crosswalk --dictionary docs/DATA_DICTIONARY.md   # regenerate the dictionary
"""

from __future__ import annotations

import argparse
import logging
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from extractor.dataset.series import LEGACY, render_facts_section, render_series_section, series_rows, validate_series
from rules.data import DATA_DIR, VERSIONS, RuleDataError, form, schema, schema_keys, section_numeral

logger = logging.getLogger(__name__)

CROSSWALK_FILE = DATA_DIR / "crosswalk.toml"
APART_SEPARATOR = "@"
DERIVED_STATE_INCOMPLETE = "incomplete"  # some sub-rows are numbers, others blank/dash/text

COLUMNS: dict[str, str] = {
    "report_id": "string",
    "source": "string",
    "agency": "string",
    "report_year": "Int64",
    "format_version": "string",
    "hkey": "string",
    "value": "float64",
    "state": "string",
    "key": "string",
    "unit": "string",
    "comparable": "boolean",
    "derived": "boolean",
    "comparability": "string",  # same · derived · rough (series keys) · apart
    "prose": "boolean",  # the value comes from a figure stated in a sentence
}


@dataclass(frozen=True, slots=True)
class Mapping:
    """Where one canonical key of one form goes in the harmonised table."""

    version: str
    key: str
    hkey: str
    comparable: bool  # the hkey is shared by both forms
    label: str
    unit: str
    why: str


@dataclass(frozen=True, slots=True)
class Derived:
    """A harmonised cell computed under one form as the sum of other cells of the same column."""

    version: str
    hkey: str  # e.g. requests.other.total
    parts: tuple[str, ...]  # canonical keys summed
    label: str
    unit: str


@dataclass(frozen=True, slots=True)
class Crosswalk:
    mappings: dict[tuple[str, str], Mapping]  # (version, key) -> mapping
    derived: tuple[Derived, ...]
    order: tuple[str, ...]  # every hkey, in dictionary order


def apart_key(key: str, version: str) -> str:
    return f"{key}{APART_SEPARATOR}{version}"


def _expand(entry: dict, version: str) -> list[str]:
    """The canonical keys an entry names in ``version`` (all columns of a row unless ``cols``)."""
    cells = schema()[version]
    rows = entry.get("rows") or [entry["row"]]
    cols = entry.get("cols")
    return [c.key for c in cells if c.table == entry["table"] and c.row in rows and (cols is None or c.col in cols)]


def _load_raw() -> dict:
    with CROSSWALK_FILE.open("rb") as fh:
        return tomllib.load(fh)


def validate_crosswalk(raw: dict | None = None) -> list[str]:
    """Problems in crosswalk.toml (empty when consistent): coverage, unknown names, unit clashes."""
    raw = _load_raw() if raw is None else raw
    problems: list[str] = []
    derived_targets = {
        (d["version"], f"{d['table']}.{d['row']}.{k.rsplit('.', 1)[1]}")
        for d in raw.get("derived", [])
        for k in _expand({**d, "rows": d["sum_of"][:1]}, d["version"])
    }
    covered: dict[tuple[str, str], str] = {}
    for i, entry in enumerate(raw.get("same", [])):
        named = set(entry.get("rows", []))
        for v in VERSIONS:
            keys = _expand(entry, v)
            named -= {k.split(".")[1] for k in keys}
            for k in keys:
                if (v, k) in covered:
                    problems.append(f"crosswalk.toml: {k} ({v}) is covered twice")
                covered[(v, k)] = f"same[{i}]"
        if named:
            problems.append(f"crosswalk.toml: same[{i}] names rows in no form: {sorted(named)}")
        for k in [key for v in VERSIONS for key in _expand(entry, v)]:
            present = [v for v in VERSIONS if k in schema_keys(v) or (v, k) in derived_targets]
            if len(present) != len(VERSIONS):
                problems.append(f"crosswalk.toml: same key {k} has no counterpart in every form ({present})")
            units = {schema_keys(v)[k].unit for v in VERSIONS if k in schema_keys(v)}
            if len(units) > 1:
                problems.append(f"crosswalk.toml: same key {k} has different units {sorted(units)}")
    for i, entry in enumerate(raw.get("apart", [])):
        v = entry["version"]
        keys = _expand(entry, v)
        if not keys:
            problems.append(f"crosswalk.toml: apart[{i}] names no key of the {v} form")
        for k in keys:
            if (v, k) in covered:
                problems.append(f"crosswalk.toml: {k} ({v}) is covered twice")
            covered[(v, k)] = f"apart[{i}]"
    for v in VERSIONS:
        for c in schema()[v]:
            if (v, c.key) not in covered:
                problems.append(f"crosswalk.toml: {c.key} ({v}) is neither same nor apart")
    for d in raw.get("derived", []):
        for p in d["sum_of"]:
            if not _expand({**d, "rows": [p]}, d["version"]):
                problems.append(
                    f"crosswalk.toml: derived part {d['table']}.{p} is not a row of the {d['version']} form"
                )
    return problems


@cache
def crosswalk() -> Crosswalk:
    """The validated crosswalk (read once per process)."""
    raw = _load_raw()
    problems = validate_crosswalk(raw)
    if problems:
        raise RuleDataError("; ".join(problems))
    mappings: dict[tuple[str, str], Mapping] = {}
    for entry in raw["same"]:
        for v in VERSIONS:
            for k in _expand(entry, v):
                cell = schema_keys(v)[k]
                mappings[(v, k)] = Mapping(v, k, k, True, cell.label, cell.unit, entry["why"])
    for entry in raw["apart"]:
        v = entry["version"]
        for k in _expand(entry, v):
            cell = schema_keys(v)[k]
            mappings[(v, k)] = Mapping(v, k, apart_key(k, v), False, cell.label, cell.unit, entry["why"])
    derived: list[Derived] = []
    for d in raw.get("derived", []):
        v = d["version"]
        first = _expand({**d, "rows": [d["sum_of"][0]]}, v)
        for key in first:
            col = key.split(".")[2]
            parts = tuple(f"{d['table']}.{p}.{col}" for p in d["sum_of"])
            col_label = schema_keys(v)[key].label.rsplit("/", 1)[1]
            hkey = f"{d['table']}.{d['row']}.{col}"
            derived.append(Derived(v, hkey, parts, f"{d['label']}/{col_label}", schema_keys(v)[key].unit))
    order: list[str] = []
    seen: set[str] = set()
    for v in VERSIONS:
        for c in schema()[v]:
            h = mappings[(v, c.key)].hkey
            if h not in seen:
                seen.add(h)
                order.append(h)
    # 2019's keys in form order, then the keys only the 2021 form has; a shared key keeps its 2019 place.
    return Crosswalk(mappings, tuple(derived), tuple(order))


# --- the harmonised long table -------------------------------------------------------------------


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in COLUMNS.items()})


def _derive(df: pd.DataFrame, cw: Crosswalk) -> pd.DataFrame:
    """Rows for the derived cells (a sum of sub-rows) of every report in ``df``, all reports at once.

    The sum's state is a number only when every part is one; ``incomplete`` when some are; else the
    parts' text, dash or blank (a missing part counts as blank). A report that prints the combined
    row itself gets none."""
    out: list[pd.DataFrame] = []
    meta_cols = ["report_id", "source", "agency", "report_year", "format_version"]
    for d in cw.derived:
        mine = df[(df["format_version"] == d.version)]
        printed = set(mine.loc[mine["key"] == d.hkey, "report_id"])
        parts = mine[mine["key"].isin(d.parts) & ~mine["report_id"].isin(printed)]
        if parts.empty:
            continue
        state = parts["state"]
        g = pd.DataFrame(
            {
                "report_id": parts["report_id"],
                "number": state == "number",
                "text": state == "text",
                "dash": state == "dash",
                "value": parts["value"].astype("float64"),
            }
        ).groupby("report_id", sort=False)
        agg = g.agg(numbers=("number", "sum"), text=("text", "any"), dash=("dash", "any"), value=("value", "sum"))
        complete = agg["numbers"] == len(d.parts)
        derived_state = np.select(
            [complete, agg["numbers"] > 0, agg["text"], agg["dash"]],
            ["number", DERIVED_STATE_INCOMPLETE, "text", "dash"],
            default="blank",
        )
        rows = parts.drop_duplicates("report_id")[meta_cols].set_index("report_id").loc[agg.index].reset_index()
        rows["hkey"] = d.hkey
        rows["value"] = agg["value"].where(complete).to_numpy()
        rows["state"] = derived_state
        rows["key"] = "+".join(d.parts)
        rows["unit"] = d.unit
        rows["comparable"] = True
        rows["derived"] = True
        out.append(rows)
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame()


def harmonise(reports: pd.DataFrame, cells: pd.DataFrame, facts: pd.DataFrame | None = None) -> pd.DataFrame:
    """The harmonised long table: one row per report × harmonised key (see docs/DATA_DICTIONARY.md),
    with the ``series.*`` keys that legacy reports share with both forms."""
    cw = crosswalk()
    usable = reports["duplicate_of"].isna() & reports["report_id"].notna()
    meta_cols = ["report_id", "source", "agency", "report_year", "format_version"]
    series_meta = reports.loc[usable & reports["format_version"].isin((*VERSIONS, LEGACY)), meta_cols]
    series = pd.DataFrame(series_rows(series_meta, cells, facts), columns=list(COLUMNS))
    meta = reports.loc[usable & reports["format_version"].isin(VERSIONS), meta_cols]
    df = cells[["report_id", "key", "value", "state", "unit"]].merge(meta, on="report_id", how="inner")
    if df.empty:
        return series.astype(COLUMNS) if len(series) else _empty()
    lookup = pd.DataFrame(
        [(m.version, m.key, m.hkey, m.comparable) for m in cw.mappings.values()],
        columns=["format_version", "key", "hkey", "comparable"],
    )
    df = df.merge(lookup, on=["format_version", "key"], how="left")
    unknown = df["hkey"].isna()
    if unknown.any():
        # e.g. a 2021 report printing the 2019-style single （六）其他处理 row: requests.other.* is shared
        same_keys = {m.key for m in cw.mappings.values() if m.comparable}
        shared = unknown & df["key"].isin(same_keys)
        df.loc[shared, "hkey"] = df.loc[shared, "key"]
        df.loc[shared, "comparable"] = True
        rest = unknown & ~shared
        if rest.any():
            logger.warning("crosswalk: %d cells with keys unknown to their form kept apart", int(rest.sum()))
            df.loc[rest, "hkey"] = df.loc[rest, "key"] + APART_SEPARATOR + df.loc[rest, "format_version"]
            df.loc[rest, "comparable"] = False
    df["derived"] = False
    extra = _derive(df, cw)
    if len(extra):
        df = pd.concat([df, extra], ignore_index=True)
    df["comparability"] = "same"
    df.loc[df["derived"].astype(bool), "comparability"] = "derived"
    df.loc[~df["comparable"].astype(bool), "comparability"] = "apart"
    df["prose"] = False
    if len(series):
        df = pd.concat([df, series], ignore_index=True)
    rank = {h: i for i, h in enumerate(cw.order)}
    df["_rank"] = df["hkey"].map(rank).fillna(len(rank))
    df = df.sort_values(["source", "report_id", "_rank", "hkey"], kind="stable")
    return df[list(COLUMNS)].astype(COLUMNS).reset_index(drop=True)


# --- the data dictionary ---------------------------------------------------------------------------


def dictionary_rows() -> list[dict[str, str]]:
    """One row per harmonised key: its keys, Chinese labels and unit per form."""
    cw = crosswalk()
    by_hkey: dict[str, dict[str, str]] = {}
    for m in cw.mappings.values():
        row = by_hkey.setdefault(
            m.hkey, {"hkey": m.hkey, "unit": m.unit, "comparable": "yes" if m.comparable else "no", "why": m.why}
        )
        row[f"key_{m.version}"] = m.key
        row[f"label_{m.version}"] = m.label
    for d in cw.derived:
        row = by_hkey[d.hkey]
        row[f"key_{d.version}"] = " + ".join(p.split(".")[1] for p in d.parts) + f" ({d.hkey.split('.')[2]})"
        row[f"label_{d.version}"] = d.label
    return [by_hkey[h] for h in cw.order]


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|")


def render_dictionary() -> str:
    """docs/DATA_DICTIONARY.md as text (deterministic: the test compares it with the committed file)."""
    rows = dictionary_rows()
    lines = [
        "# Data dictionary",
        "",
        "<!-- Generated by `python -m extractor.dataset.crosswalk --dictionary docs/DATA_DICTIONARY.md`"
        " from rules/data/schema.json and rules/data/crosswalk.toml. Do not edit by hand. -->",
        "",
        "Every canonical cell key of the two national forms — 2019 = the trial form (国办公开办函〔2019〕60号,"
        " reports on 2019 and 2020), 2021 = the current form (国办公开办函〔2021〕30号, reports on 2021"
        " onward) — with its Chinese label under each form, its unit and its **harmonised key** (`hkey`)"
        " in `crosswalk.parquet`.",
        "",
        "- `comparable = yes`: the cell means the same under both forms; `hkey` is the canonical key, and a"
        " time series across forms may use it.",
        "- `comparable = no`: the cell exists in one form only, or its meaning changed (对外公开总数量 vs"
        " 现行有效件数, 上一年项目数量, 本年增/减, 收费, 采购); `hkey` is `<key>@<version>`, so it never lines"
        " up with the other form.",
        "- 2021's three （六）其他处理 sub-rows keep their own keys (`@2021`) and are also summed, per column,"
        " into the harmonised `requests.other.<col>` (`derived = true`, `key` lists the parts) when all"
        " three are numbers; when only some are numbers the row has `state = incomplete` and no value.",
        "- Labels are `section/row group/row/column` as printed on the form. Units: 件 = documents or"
        " cases, 项 = items, 万元 = 10,000 yuan (amounts printed in 元 are converted).",
        "",
        "## crosswalk table columns",
        "",
        "| column | meaning |",
        "|---|---|",
        "| report_id, source, agency, report_year, format_version | from `reports` |",
        "| hkey | harmonised key (below) |",
        "| value, state | as in `cells` (state number · blank · dash · text; `incomplete` for a derived sum) |",
        "| key | the canonical key the value comes from (for a derived sum: the keys added) |",
        "| unit | 件, 项 or 万元 |",
        "| comparable | the hkey is shared by both forms |",
        "| derived | computed from other cells, not printed |",
        "",
    ]
    for table, section in form().table_sections.items():
        number = section_numeral(section)
        mine = [r for r in rows if r["hkey"].split(".")[0] == table]
        lines += [
            f"## Section {number} (`{table}.*`, {len(mine)} harmonised keys)",
            "",
            "| hkey | comparable | unit | 2019 key | 2019 label | 2021 key | 2021 label |",
            "|---|---|---|---|---|---|---|",
        ]
        for r in mine:
            cells = [
                f"`{r['hkey']}`",
                r["comparable"],
                r["unit"],
                f"`{r['key_2019']}`" if "key_2019" in r else "—",
                r.get("label_2019", "—"),
                f"`{r['key_2021']}`" if "key_2021" in r else "—",
                r.get("label_2021", "—"),
            ]
            lines.append("| " + " | ".join(_md_escape(c) for c in cells) + " |")
        lines.append("")
    lines += render_series_section()
    lines += render_facts_section()
    reasons = sorted({(r["comparable"], r["why"]) for r in rows}, reverse=True)
    lines += ["## Why", "", *[f"- ({'same' if c == 'yes' else 'apart'}) {w}" for c, w in reasons], ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The cross-version crosswalk and its data dictionary.")
    parser.add_argument("--dictionary", type=Path, help="write the data dictionary (Markdown) here")
    args = parser.parse_args(argv)
    problems = validate_crosswalk() + validate_series()
    if problems:
        parser.exit(1, "\n".join(problems) + "\n")
    if args.dictionary:
        args.dictionary.write_text(render_dictionary(), encoding="utf-8")
    else:
        print(render_dictionary())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
