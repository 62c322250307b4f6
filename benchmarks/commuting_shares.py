"""Who takes a region's new jobs: in-commuters and residents per new job across Norway's BA regions, 2017-2022.

From the commuting matrix of the municipal data set (SSB 03321, 4th quarters
2017 and 2022, borders of 2024) every BA region (the municipalities'
`baregion_code`) gets its jobs by workplace, its in-commuters (jobs held by
residents of other BA regions), its employed residents and its out-commuters
in both years. Across the regions the changes are regressed on the change of
jobs (least squares with intercept): the slope for in-commuters is the share
of a region's new jobs that outsiders took. The four largest labour markets
(over 100 000 jobs) are left out, so are the BA regions of the four shipped
regions (their jobs are what the backtest scores). The in-commuter elasticity
of docs/ODD.md is set so that +1 000 basic jobs in Gjovikregionen draw that
share after five years; tests/test_behaviour.py checks the model against it.

Prints the table and writes benchmarks/commuting_shares.json.

    .venv/bin/python benchmarks/commuting_shares.py
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from model.inputs.municipal.dataset import load_municipal_data
from model.inputs.region import cached_region, resolve_region_folder

HERE = Path(__file__).resolve().parent
FIRST, LAST = 2017, 2022
LARGEST = 100_000  # jobs: Oslo, Bergen, Trondheim, Stavanger BA regions
SHIPPED = ("gjovikregionen", "lillehammer", "hamar", "bodo")


def by_ba_region(data, year: int) -> pd.DataFrame:
    """Jobs, in-commuters, employed residents and out-commuters of every BA region in a 4th quarter."""
    ba = data.municipalities["baregion_code"]
    flows = data.commuting[data.commuting["year"] == year].dropna(subset=["employed"])
    home, work = flows["residence"].map(ba), flows["workplace"].map(ba)
    crossing = home != work
    return pd.DataFrame(
        {
            "jobs": flows[work.notna()].groupby(work)["employed"].sum(),
            "in_commuters": flows[work.notna() & crossing].groupby(work)["employed"].sum(),
            "employed_residents": flows[home.notna()].groupby(home)["employed"].sum(),
            "out_commuters": flows[home.notna() & crossing].groupby(home)["employed"].sum(),
        }
    ).fillna(0)


def shipped_ba_regions(data) -> set[str]:
    """The BA regions of the shipped regions' municipalities."""
    ba = data.municipalities["baregion_code"]
    return {ba[number] for name in SHIPPED for number in cached_region(resolve_region_folder(name)).numbers}


def slopes() -> dict:
    """The regression of each change on the change of jobs, with its standard error."""
    data = load_municipal_data()
    first, last = by_ba_region(data, FIRST), by_ba_region(data, LAST)
    common = first.index.intersection(last.index)
    first, last = first.loc[common], last.loc[common]
    keep = (first["jobs"] < LARGEST) & ~first.index.isin(shipped_ba_regions(data))
    change = (last - first)[keep]
    record = {
        "regions": int(keep.sum()),
        "in_commuter_share_of_jobs": round(
            float(first.loc[keep, "in_commuters"].sum() / first.loc[keep, "jobs"].sum()), 3
        ),
    }
    for column in ("in_commuters", "employed_residents", "out_commuters"):
        fit = stats.linregress(change["jobs"], change[column])
        record[column] = {"slope": round(float(fit.slope), 3), "se": round(float(fit.stderr), 3),
                          "r": round(float(fit.rvalue), 2)}  # fmt: skip
    return record


def main() -> None:
    """Print and write the slopes."""
    record = slopes()
    share = record["in_commuter_share_of_jobs"]
    print(f"{record['regions']} BA regions, {FIRST}-{LAST}; in-commuters held {share:.1%} of their jobs in {FIRST}")
    for column in ("in_commuters", "employed_residents", "out_commuters"):
        fit = record[column]
        print(f"  change of {column} per new job: {fit['slope']:.3f} (se {fit['se']:.3f}, r {fit['r']:.2f})")
    (HERE / "commuting_shares.json").write_text(json.dumps(record, indent=1), encoding="utf-8")


if __name__ == "__main__":
    np.seterr(all="raise")
    main()
