"""A region's tables, assembled from the national municipal data set.

`assemble` cuts every observed series at ``last_year`` (persons up to 1 January
of it, employment up to the 4th quarter before it), pairs each 4th quarter *Y*
with the persons of 1 January *Y*+1, chooses the outside nodes, and estimates
what the sources lack (sector split, commuting times, housing), letting a
folder of local files replace any estimate. `write.py` turns the result into
files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from model.inputs.errors import InputError, Problem
from model.inputs.municipal.dataset import NATIONAL_CODE, MunicipalData
from model.inputs.municipal.local import LocalFiles
from model.inputs.municipal.nodes import OUTSIDE_MAINLAND, OutsideNode, choose_nodes
from model.inputs.municipal.sector_split import estimate_split, national_jobs_by_sector
from model.inputs.municipal.travel import DAILY_REACH_MINUTES, minutes_between
from model.inputs.national import MAX_AGE, SEXES, persons_by_sex_age
from model.inputs.sectors import SECTOR_KEYS

PERSONS_PER_DWELLING = 2.1  # Norway: about 5.26 million persons in 2.5 million dwellings (SSB 06265, 2017)
NEW_DWELLINGS_SHARE = 0.008  # completions a year as a share of the stock (Norway about 1.2 %, inland regions lower)
BUSINESS_LAND_HA_PER_1000_JOBS = 3.0  # regulated, unbuilt business land; Gjøvikregionen's reserves are 2-12 ha
WORKING_AGES = (15, 74)  # the age band of SSB 11618, which carries derived jobs from one year to another


@dataclass
class Snapshot:
    """One dated snapshot of the built region.

    ``quarter`` is the 4th quarter whose employment and commuting it holds
    (observed: ``year - 1``); a derived snapshot names its source snapshot,
    its scale and the rule in words.
    """

    year: int
    has_persons: bool = True
    quarter: int | None = None
    source: int | None = None
    jobs_scale: float | None = None
    rule: str = ""
    look_ahead: bool = False


@dataclass
class BuiltRegion:
    """Everything a region folder holds, before it is written."""

    name: str
    codes: list[str]
    names: list[str]
    last_year: int
    look_ahead: bool
    persons: pd.DataFrame  # year, knr, municipality, sex, age, persons
    employment: pd.DataFrame  # year (4th quarter), knr, municipality, counts
    commuting: pd.DataFrame  # year (4th quarter), residence_knr, workplace_knr, employed_persons
    jobs_by_sector: pd.DataFrame  # year, knr, municipality, sectors
    times: pd.DataFrame  # origin, destination, minutes
    within_reach_only: bool
    housing: (
        pd.DataFrame
    )  # knr, municipality, dwellings, dwellings_built_per_year, business_land_ha, amenity_index, lat, lon
    nodes: list[OutsideNode]
    snapshots: list[Snapshot]
    data: MunicipalData
    local: LocalFiles | None
    estimated: dict[str, str] = field(default_factory=dict)  # file -> "estimate" or "local"
    time_error: dict[str, float] = field(default_factory=dict)


def assemble(
    data: MunicipalData,
    name: str,
    codes: list[str],
    last_year: int,
    national_folder: Path,
    local: LocalFiles | None = None,
) -> BuiltRegion:
    """The region's tables, cut at `last_year`."""
    years = data.population_years
    if not years[0] <= last_year <= years[-1]:
        raise InputError(
            Problem(
                "regionsim region create",
                f"--last-year {last_year} is outside the data",
                key="--last-year",
                hint=f"persons are known on 1 January {years[0]}-{years[-1]}",
            )
        )
    table = data.municipalities
    names = [str(data.names[code]) for code in codes]
    persons = _persons(data, codes, names, last_year)
    by_year = _persons_arrays(persons, codes)
    quarters = [q for q in data.employment_years if q + 1 <= last_year]
    look_ahead = not quarters
    if look_ahead:
        quarters = [data.employment_years[0]]  # the earliest structure known, from after the cut
    complete = [q for q in quarters if _complete(data, codes, q)]
    if not complete:
        raise InputError(
            Problem(
                data.folder / "employment.csv",
                "no 4th quarter with employment for every municipality of the region",
                key="jobs_by_workplace_15_74",
            )
        )
    employment = _employment(data, codes, names, complete)
    commuting = _commuting(data, codes, complete)
    nodes = choose_nodes(data, codes, complete[-1])
    split = _sector_split(data, codes, names, complete, by_year, national_folder)
    estimated = {"jobs_by_sector.csv": "estimate", "commuting_times.csv": "estimate", "municipalities.csv": "estimate"}
    if local is not None and local.jobs_by_sector is not None:
        split = local.sector_split(split, employment)
        estimated["jobs_by_sector.csv"] = "local"
    times, within_reach_only = _times(table, codes, names, nodes)
    time_error = {}
    if local is not None and local.times is not None:
        times, time_error = local.replace_times(times)
        estimated["commuting_times.csv"] = "local"
    housing = _housing(table, codes, names, by_year[last_year], employment)
    if local is not None and local.housing is not None:
        housing = local.replace_housing(housing)
        estimated["municipalities.csv"] = "local and estimate"
    snapshots = _snapshots(data, codes, by_year, complete, last_year, look_ahead, local)
    return BuiltRegion(
        name=name,
        codes=codes,
        names=names,
        last_year=last_year,
        look_ahead=look_ahead,
        persons=persons,
        employment=employment,
        commuting=commuting,
        jobs_by_sector=split,
        times=times,
        within_reach_only=within_reach_only,
        housing=housing,
        nodes=nodes,
        snapshots=snapshots,
        data=data,
        local=local,
        estimated=estimated,
        time_error=time_error,
    )


def _persons(data: MunicipalData, codes: list[str], names: list[str], last_year: int) -> pd.DataFrame:
    rows = data.population[data.population["code"].isin(codes) & (data.population["year"] <= last_year)]
    order = {code: i for i, code in enumerate(codes)}
    rows = rows.assign(_order=rows["code"].map(order)).sort_values(["year", "_order", "sex", "age"], kind="stable")
    return pd.DataFrame(
        {
            "year": rows["year"].astype(int),
            "knr": rows["code"],
            "municipality": rows["code"].map(dict(zip(codes, names, strict=True))),
            "sex": rows["sex"],
            "age": rows["age"].astype(int),
            "persons": rows["persons"].astype(int),
        }
    ).reset_index(drop=True)


def _persons_arrays(persons: pd.DataFrame, codes: list[str]) -> dict[int, np.ndarray]:
    """Persons by year as arrays (municipality, sex, age)."""
    result = {}
    index = {code: i for i, code in enumerate(codes)}
    for year, rows in persons.groupby("year"):
        counts = np.zeros((len(codes), len(SEXES), MAX_AGE + 1), dtype=np.int64)
        np.add.at(
            counts,
            (
                rows["knr"].map(index).to_numpy(),
                rows["sex"].map(SEXES.index).to_numpy(),
                np.minimum(rows["age"].to_numpy(), MAX_AGE),
            ),
            rows["persons"].to_numpy(),
        )
        result[int(year)] = counts
    return result


def _complete(data: MunicipalData, codes: list[str], quarter: int) -> bool:
    """Whether a 4th quarter has every count of the region's own workplaces (Rindal 2019 has not).

    A missing flow to a workplace outside the region (Rindal's, for its neighbours) is counted
    among the residents' workplaces outside the commuting table, so it does not make the year incomplete.
    """
    rows = data.employment.xs(quarter, level="year").reindex(codes)
    if rows[["jobs", "employed_residents", "population"]].isna().any(axis=None):
        return False
    flows = data.commuting[data.commuting["year"] == quarter]
    return not flows.loc[flows["workplace"].isin(codes), "employed"].isna().any()


def _employment(data: MunicipalData, codes: list[str], names: list[str], quarters: list[int]) -> pd.DataFrame:
    frames = []
    for quarter in quarters:
        rows = data.employment.xs(quarter, level="year").reindex([*codes, NATIONAL_CODE])
        frames.append(
            pd.DataFrame(
                {
                    "year": quarter,
                    "knr": rows.index,
                    "municipality": [*names, "Norway"],
                    "population_15_74": rows["population"].astype(int).to_numpy(),
                    "jobs_by_workplace_15_74": rows["jobs"].astype(int).to_numpy(),
                    "employed_residents_15_74": rows["employed_residents"].astype(int).to_numpy(),
                    "employed_residents_workplace_not_in_od": rows["not_in_od"].fillna(0).astype(int).to_numpy(),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _commuting(data: MunicipalData, codes: list[str], quarters: list[int]) -> pd.DataFrame:
    """Every non-zero flow with one end in the region, and the region's workplaces outside the mainland."""
    flows = data.commuting[data.commuting["year"].isin(quarters)]
    flows = flows[(flows["residence"].isin(codes) | flows["workplace"].isin(codes)) & (flows["employed"] > 0)]
    table = pd.DataFrame(
        {
            "year": flows["year"].astype(int),
            "residence_knr": flows["residence"],
            "workplace_knr": flows["workplace"],
            "employed_persons": flows["employed"].astype(int),
        }
    )
    offshore = data.employment.reset_index()
    offshore = offshore[offshore["year"].isin(quarters) & offshore["code"].isin(codes) & (offshore["not_in_od"] > 0)]
    extra = pd.DataFrame(
        {
            "year": offshore["year"].astype(int),
            "residence_knr": offshore["code"],
            "workplace_knr": OUTSIDE_MAINLAND,
            "employed_persons": offshore["not_in_od"].astype(int),
        }
    )
    return (
        pd.concat([table, extra], ignore_index=True)
        .sort_values(["year", "residence_knr", "workplace_knr"], kind="stable")
        .reset_index(drop=True)
    )


def _sector_split(data, codes, names, quarters, by_year, national_folder) -> pd.DataFrame:
    national = national_jobs_by_sector(national_folder)
    frames = []
    nation_by_year = persons_by_sex_age(data.national_population, data.folder / "population_age_sex_norway.parquet")
    for quarter in quarters:
        jobs = data.employment.xs(quarter, level="year").reindex(codes)["jobs"].to_numpy()
        year = quarter + 1
        persons = by_year.get(year)
        if persons is None:  # the cut ends before that 1 January: the persons of the last year known
            persons = by_year[max(by_year)]
        nation = nation_by_year[year if year in nation_by_year else max(by_year)]
        total = float(data.employment.loc[(quarter, NATIONAL_CODE), "jobs"])
        split = estimate_split(jobs, persons, national, nation, total)
        frame = pd.DataFrame(split, columns=list(SECTOR_KEYS))
        frame.insert(0, "municipality", names)
        frame.insert(0, "knr", codes)
        frame.insert(0, "year", quarter)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _times(
    table: pd.DataFrame, codes: list[str], names: list[str], nodes: list[OutsideNode]
) -> tuple[pd.DataFrame, bool]:
    """Minutes by the rule: every municipality to itself, to the others within reach, to every daily node."""
    daily = [node for node in nodes if node.kind == "daily"]
    inner = minutes_between(table, codes, codes)
    within_reach_only = bool((inner > DAILY_REACH_MINUTES).any())
    rows = []
    for i, origin in enumerate(names):
        for j in range(i, len(codes)):
            if i == j or not within_reach_only or inner[i, j] <= DAILY_REACH_MINUTES:
                rows.append((origin, names[j], round(float(inner[i, j]))))
    if daily:
        outer = minutes_between(table, codes, [node.centre for node in daily])
        for i, origin in enumerate(names):
            rows += [(origin, node.name, round(float(outer[i, k]))) for k, node in enumerate(daily)]
    return pd.DataFrame(rows, columns=["origin", "destination", "minutes"]), within_reach_only


def _housing(table, codes, names, persons_now: np.ndarray, employment: pd.DataFrame) -> pd.DataFrame:
    residents = persons_now.sum(axis=(1, 2))
    dwellings = np.round(residents / PERSONS_PER_DWELLING, -1).astype(int)
    latest = employment[employment["year"] == employment["year"].max()].set_index("knr")
    jobs = latest.loc[codes, "jobs_by_workplace_15_74"].to_numpy()
    return pd.DataFrame(
        {
            "knr": codes,
            "municipality": names,
            "dwellings": np.maximum(dwellings, 10),
            "dwellings_built_per_year": np.maximum(np.round(NEW_DWELLINGS_SHARE * dwellings), 1).astype(int),
            "business_land_ha": np.maximum(np.round(BUSINESS_LAND_HA_PER_1000_JOBS * jobs / 1000), 1).astype(int),
            "amenity_index": 1.0,
            "lat": table.loc[codes, "label_lat"].to_numpy(),
            "lon": table.loc[codes, "label_lon"].to_numpy(),
        }
    )


def working_age(persons: np.ndarray) -> int:
    """Persons aged 15-74 (the ages of SSB 11618)."""
    return int(persons[..., WORKING_AGES[0] : WORKING_AGES[1] + 1].sum())


def _snapshots(data, codes, by_year, quarters, last_year, look_ahead, local) -> list[Snapshot]:
    """Observed snapshots for each complete 4th quarter, derived ones for every other population year."""
    observed = {q + 1: q for q in quarters}
    snapshots: list[Snapshot] = []
    if look_ahead:
        structure = quarters[0] + 1
        snapshots.append(
            Snapshot(
                structure,
                has_persons=False,
                quarter=quarters[0],
                look_ahead=True,
                rule="the earliest structure known, from after the cut (look-ahead)",
            )
        )
    for year in sorted(by_year):
        if year in observed and not look_ahead:
            snapshots.append(Snapshot(year, quarter=observed[year]))
            continue
        sources = sorted(observed)
        before = [s for s in sources if s < year]
        source = before[-1] if before and not look_ahead else sources[0]
        if source in by_year:
            base = working_age(by_year[source])
            source_text = f"1 January {source}"
        else:
            rows = data.employment.xs(source - 1, level="year").reindex(codes)
            base = int(rows["population"].sum())
            source_text = f"the 4th quarter of {source - 1} (SSB 11618)"
        scale = round(working_age(by_year[year]) / base, 4)
        rule = (
            f"the commuting and sector structure of the {source} snapshot, every flow scaled by the region's "
            f"persons aged 15-74 on 1 January {year} over those of {source_text}: {scale}"
        )
        if local is not None and year in local.jobs_scales:
            scale, rule = local.jobs_scales[year]
        snapshots.append(
            Snapshot(year, source=source, jobs_scale=scale, rule=rule, look_ahead=look_ahead or source > year)
        )
    return snapshots
