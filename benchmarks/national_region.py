"""A synthetic region the size of Norway: 356 municipalities, about 5.5 million persons.

Only for the national-scale benchmark: it tests how the model scales, not
what it says about any real place. Everything is written as an ordinary
region folder (region.yaml and CSV tables) and read by the model's own loader.

How it is built (all choices named below):
- Sizes follow the rank-size rule (Zipf): the municipality of rank r has
  population proportional to r ** -ZIPF_EXPONENT, at least MIN_POPULATION,
  scaled to TOTAL_PERSONS. With 356 municipalities this gives a largest of
  about 850 000 and a median near 5 000, the shape of Norway's list.
- Ages and sexes are Norway's on 1 January 2017 (SSB 07459, the national
  table of the model), drawn per municipality.
- Places: CITY_REGIONS centres (fewer in a small test region) spread over a 400 x 1 500 km strip, the
  other municipalities scattered around them; car time is distance at
  SPEED_KM_PER_H plus LOCAL_MINUTES; pairs within REACH_MINUTES form the
  commuting neighbourhoods, and only they are in the times file.
- Employed residents are Norway's 2017 employment rate (SSB 11618) times
  the residents aged 15-74; they work in their home municipality or a
  neighbour (gravity on jobs and time), LONG_DISTANCE_SHARE in the largest
  cities out of daily reach, ABROAD_SHARE abroad (a long-distance node).
- Jobs by sector: the Gjøvik region's 2017 split (its data set) per
  municipality, with Dirichlet noise; larger places get more ICT and
  business services.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from model.inputs.national import MAX_AGE, SEXES, load_national
from model.inputs.region import NATIONAL_FOLDER, REGIONS_FOLDER
from model.inputs.sectors import SECTOR_KEYS

N_MUNICIPALITIES = 356  # Norway's municipalities after the 2020 reform
TOTAL_PERSONS = 5_500_000
ZIPF_EXPONENT = 1.0
MIN_POPULATION = 200
CITY_REGIONS = 60
STRIP_KM = (400.0, 1500.0)
SCATTER_KM = 30.0
SPEED_KM_PER_H = 60.0
LOCAL_MINUTES = 10.0
REACH_MINUTES = 90.0
COMMUTE_DECAY_PER_MIN = 0.06
OWN_MUNICIPALITY_PULL = 4.0  # jobs at home weigh this much more than the same jobs a neighbour away
LONG_DISTANCE_SHARE = 0.02
LONG_DISTANCE_CITIES = 5
ABROAD_SHARE = 0.005
IN_FROM_ABROAD_SHARE = 0.003  # of jobs in the largest cities
SECTOR_NOISE = 60.0  # Dirichlet concentration of each municipality's sector split
BASE_YEAR = 2017
SOURCE_REGION = REGIONS_FOLDER / "gjovikregionen"


def build(
    folder: Path, seed: int = 2017, municipalities: int = N_MUNICIPALITIES, total_persons: int = TOTAL_PERSONS
) -> Path:
    """Write the synthetic region into `folder` and return the scenario file that runs it."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    codes = [f"{i + 1:04d}" for i in range(municipalities)]
    names = [f"Municipality {i + 1}" for i in range(municipalities)]
    population = _sizes(municipalities, total_persons)
    persons = _persons(population, rng)
    x, y = _places(population, rng)
    minutes = _minutes(x, y)
    employment_rate = _national_employment_rate()
    working_age = persons[:, :, 15:75].sum(axis=(1, 2))
    employed = np.rint(working_age * employment_rate).astype(np.int64)
    flows, abroad_in = _commuting(population, employed, minutes, rng)
    jobs = flows[:, :-1].sum(axis=0) + abroad_in
    split = _sector_split(population, jobs, rng)

    _write(folder / "population.csv", _population_table(persons, codes, names), "synthetic persons on 1 January 2017")
    _write(folder / "commuting.csv", _commuting_table(flows, abroad_in, codes), "synthetic commuting")
    _write(folder / "times.csv", _times_table(minutes, names), "car minutes within daily reach")
    _write(
        folder / "employment.csv",
        _employment_table(codes, names, working_age, jobs, employed, employment_rate),
        "synthetic employment",
    )
    split_table = pd.DataFrame(split, columns=list(SECTOR_KEYS))
    split_table.insert(0, "municipality", names)
    split_table.insert(0, "knr", codes)
    _write(folder / "jobs_by_sector.csv", split_table, "synthetic jobs by sector")
    _write(folder / "municipalities.csv", _housing_table(codes, names, population, x, y), "synthetic housing")
    _region_yaml(folder, codes, names)
    scenario = folder / "national.yaml"
    scenario.write_text(_SCENARIO, encoding="utf-8")
    return scenario


def _sizes(municipalities: int, total_persons: int) -> np.ndarray:
    rank = np.arange(1, municipalities + 1)
    raw = rank**-ZIPF_EXPONENT
    sizes = np.maximum(raw / raw.sum() * total_persons, MIN_POPULATION)
    return np.rint(sizes / sizes.sum() * total_persons).astype(np.int64)


def _persons(population: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    structure = load_national(NATIONAL_FOLDER / "norway").age_structure(BASE_YEAR).astype(float)
    shares = (structure / structure.sum()).ravel()
    counts = np.stack([rng.multinomial(n, shares) for n in population])
    return counts.reshape(len(population), len(SEXES), MAX_AGE + 1)


def _places(population: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Kilometre coordinates: the largest municipalities are city centres, the rest around them."""
    m = len(population)
    centres = min(CITY_REGIONS, max(m // 6, 1))
    x = rng.uniform(0, STRIP_KM[0], m)
    y = rng.uniform(0, STRIP_KM[1], m)
    centre = rng.choice(centres, m, p=population[:centres] / population[:centres].sum())
    around = np.arange(m) >= centres
    x[around] = x[centre[around]] + rng.normal(0, SCATTER_KM, around.sum())
    y[around] = y[centre[around]] + rng.normal(0, SCATTER_KM, around.sum())
    return x, y


def _minutes(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    distance = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])
    return 5 * np.round((LOCAL_MINUTES + distance / SPEED_KM_PER_H * 60) / 5)


def _national_employment_rate() -> float:
    table = pd.read_csv(SOURCE_REGION / "employment_2017.csv", comment="#", dtype={"knr": str})
    row = table[table["knr"] == "0000"].iloc[0]
    return float(row["employed_residents_15_74"] / row["population_15_74"])


def _commuting(
    population: np.ndarray, employed: np.ndarray, minutes: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Residence x workplace flows among municipalities (and abroad as a last column)."""
    m = len(population)
    reach = minutes <= REACH_MINUTES
    attraction = population.astype(float) ** 1.1
    weights = np.where(reach, attraction[None, :] * np.exp(-COMMUTE_DECAY_PER_MIN * minutes), 0.0)
    weights[np.diag_indices(m)] *= OWN_MUNICIPALITY_PULL
    weights /= weights.sum(axis=1, keepdims=True)
    cities = np.arange(LONG_DISTANCE_CITIES)
    far = np.zeros((m, m))
    far[:, cities] = attraction[cities]
    far[reach] = 0.0
    far_total = far.sum(axis=1, keepdims=True)
    far = np.divide(far, far_total, out=np.zeros_like(far), where=far_total > 0)
    has_far = far_total[:, 0] > 0
    near_share = 1 - ABROAD_SHARE - np.where(has_far, LONG_DISTANCE_SHARE, 0.0)
    shares = np.concatenate(
        [weights * near_share[:, None] + far * LONG_DISTANCE_SHARE, np.full((m, 1), ABROAD_SHARE)], 1
    )
    flows = np.stack([rng.multinomial(n, row / row.sum()) for n, row in zip(employed, shares, strict=True)])
    abroad_in = np.zeros(m, dtype=np.int64)
    abroad_in[cities] = np.rint(flows[:, cities].sum(axis=0) * IN_FROM_ABROAD_SHARE).astype(np.int64)
    return flows, abroad_in


def _sector_split(population: np.ndarray, jobs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    template = pd.read_csv(SOURCE_REGION / "jobs_by_sector_2017.csv", comment="#")[list(SECTOR_KEYS)].sum()
    base = template.to_numpy(float) / template.sum()
    m = len(population)
    urban = np.log10(population / population.min()) / max(np.log10(population.max() / population.min()), 1e-9)
    tilt = np.ones((m, len(SECTOR_KEYS)))
    for key, weight in (("ict_technical", 2.0), ("business_services", 0.6), ("agriculture_food", -0.8)):
        tilt[:, SECTOR_KEYS.index(key)] = np.exp(weight * (urban - 0.5))
    split = np.zeros((m, len(SECTOR_KEYS)), dtype=np.int64)
    for i in range(m):
        shares = rng.dirichlet(SECTOR_NOISE * base * tilt[i] / (base * tilt[i]).sum())
        exact = shares * jobs[i]
        split[i] = np.floor(exact)
        split[i][np.argsort(exact - np.floor(exact))[::-1][: int(jobs[i] - split[i].sum())]] += 1
    return split


def _population_table(persons: np.ndarray, codes: list[str], names: list[str]) -> pd.DataFrame:
    m, sexes, ages = persons.shape
    index = np.indices(persons.shape).reshape(3, -1)
    return pd.DataFrame(
        {
            "year": BASE_YEAR,
            "knr": np.array(codes)[index[0]],
            "municipality": np.array(names)[index[0]],
            "sex": np.array(SEXES)[index[1]],
            "age": index[2],
            "persons": persons.ravel(),
        }
    )


def _commuting_table(flows: np.ndarray, abroad_in: np.ndarray, codes: list[str]) -> pd.DataFrame:
    abroad = "9999"
    workplaces = [*codes, abroad]
    residence, workplace = np.nonzero(flows)
    table = pd.DataFrame(
        {
            "residence_knr": np.array(codes)[residence],
            "workplace_knr": np.array(workplaces)[workplace],
            "employed_persons": flows[residence, workplace],
        }
    )
    incoming = np.flatnonzero(abroad_in)
    from_abroad = pd.DataFrame(
        {"residence_knr": abroad, "workplace_knr": np.array(codes)[incoming], "employed_persons": abroad_in[incoming]}
    )
    return pd.concat([table, from_abroad], ignore_index=True)


def _times_table(minutes: np.ndarray, names: list[str]) -> pd.DataFrame:
    origin, destination = np.nonzero(np.triu(minutes <= REACH_MINUTES))
    return pd.DataFrame(
        {
            "origin": np.array(names)[origin],
            "destination": np.array(names)[destination],
            "minutes": minutes[origin, destination],
        }
    )


def _employment_table(codes, names, working_age, jobs, employed, rate) -> pd.DataFrame:
    table = pd.DataFrame(
        {
            "knr": codes,
            "municipality": names,
            "population_15_74": working_age,
            "jobs_by_workplace_15_74": jobs,
            "employed_residents_15_74": employed,
        }
    )
    total = int(working_age.sum())
    national = {
        "knr": "0000",
        "municipality": "Norway",
        "population_15_74": total,
        "jobs_by_workplace_15_74": int(jobs.sum()),
        "employed_residents_15_74": int(round(rate * total)),
    }
    return pd.concat([table, pd.DataFrame([national])], ignore_index=True)


def _housing_table(codes, names, population, x, y) -> pd.DataFrame:
    dwellings = np.rint(population / 2.1).astype(np.int64)
    lat = 58.0 + y / 111.0
    return pd.DataFrame(
        {
            "knr": codes,
            "municipality": names,
            "dwellings_2017": dwellings,
            "dwellings_built_per_year": np.rint(dwellings * 0.008).astype(np.int64),
            "business_land_ha": np.rint(10 + population / 2_000).astype(np.int64),
            "amenity_index": 1.0,
            "lat": lat.round(4),
            "lon": (5.0 + x / (111.0 * np.cos(np.radians(lat)))).round(4),
        }
    )


def _write(path: Path, table: pd.DataFrame, what: str) -> None:
    header = f"# SYNTHETIC ({what}), built by benchmarks/national_region.py for the national-scale benchmark only.\n"
    path.write_text(header + table.to_csv(index=False), encoding="utf-8")


def _region_yaml(folder: Path, codes: list[str], names: list[str]) -> None:
    lines = [
        "# SYNTHETIC: a region the size of Norway for the national-scale benchmark",
        "# (benchmarks/national_region.py). Not data about any real place.",
        "name: Norway (synthetic)",
        "national: norway",
        "municipalities:",
        *(f'  - {{number: "{code}", name: {name}}}' for code, name in zip(codes, names, strict=True)),
        "outside_nodes:",
        "  - {key: abroad, name: Abroad, kind: long_distance, members: rest}",
        "snapshots:",
        f"  {BASE_YEAR}:",
        f"    persons: {{file: population.csv, year: {BASE_YEAR}}}",
        "    employment: employment.csv",
        "    commuting: commuting.csv",
        "    jobs_by_sector: jobs_by_sector.csv",
        "commuting_times: times.csv",
        "commuting_times_within_reach_only: true",
        "municipality_data: municipalities.csv",
    ]
    (folder / "region.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


_SCENARIO = f"""\
# SYNTHETIC national-scale benchmark scenario (benchmarks/bench_national.py).
name: national
description: >
  A Norway-sized synthetic region for a decade: the model's cost at national
  scale. Behaviour as the calibrated baseline, except that most movers stay in
  the country and newcomers are immigrants only.
extends: {(REGIONS_FOLDER.parent / "calibration" / "calibrated.yaml").as_posix()}
region: .
base_year: {BASE_YEAR}
years: {{start: {BASE_YEAR}, end: {BASE_YEAR + 9}}}  # ten simulated years
seed: 1
replicates: 1
context:
  immigration_per_year: 58000     # about Norway's yearly immigration around 2017 (order of magnitude)
parameters:
  internal_move_share: 0.85       # within a country most moves are internal
  in_migration_rate: 0.0          # no 'rest of the country' outside the region
"""
