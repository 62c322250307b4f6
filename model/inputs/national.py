"""National context read from data: death and birth rates, age structure, participation.

Rates are held by calendar year. A year outside the fertility data uses the
nearest data year's rates scaled to Norway's infants of the year after, where
they are known (see :func:`fertility_factors`); a year after the last known
infants keeps the last factor (fertility stays at its latest observed level);
death rates after the last data year are the last year's (scenarios move
them with their context: scaling and mortality improvement). A region built
as it was known in a past year reads the national data up to that year only
(``known_until``: persons to 1 January of it, rates of the years before it),
so a backtest never sees the national future.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from model.inputs.errors import InputError, Problem
from model.inputs.sectors import SECTOR_KEYS
from model.inputs.tables import read_table

MAX_AGE = 105  # the oldest age class, "105 and over", as in SSB table 07459
ASFR_RANGE = (0.0, 0.3)  # births per woman and year; Norway's highest single age is about 0.15
SEXES = ("female", "male")
HIGH_AGE_FROM = 100  # death rates above this age are pooled (few deaths, noisy)


@dataclass
class NationalData:
    """Norway's demographic rates and structure.

    Attributes:
        death_rates: year -> central death rates m(x), shape (2 sexes, ages 0..105).
        fertility: year -> births per woman by age, shape (ages 0..105).
        population: year -> persons, shape (2 sexes, ages 0..105).
        participation_table: labour-force share by sex and age (unscaled estimate).
        establishment_size: sector -> (mean employees, lognormal sigma) of establishments.
        folder: where the files are.
        fertility_factors: year outside the fertility data -> factor on the nearest data year's rates.
        known_until: the last 1 January whose persons are read (None: all in the file).
        jobs: 1 January -> Norway's jobs by workplace, persons aged 15-74 (SSB 11618, the 4th
            quarter of the year before; row 0000 of municipal/employment.csv), up to `known_until`.
    """

    death_rates: dict[int, np.ndarray]
    fertility: dict[int, np.ndarray]
    population: dict[int, np.ndarray]
    participation_table: np.ndarray
    establishment_size: dict[str, tuple[float, float]]
    folder: Path
    fertility_factors: dict[int, float] = field(default_factory=dict)
    known_until: int | None = None
    jobs: dict[int, float] = field(default_factory=dict)

    def job_cycle(self, year: int) -> float:
        """Norway's job growth during `year` over its mean growth in the known years (1 if unknown).

        Step year t runs from 1 January t to 1 January t + 1; where both are known the
        basic sectors' trend growth is moved by this factor (the national business cycle),
        and after them the trends hold (the documented assumption).
        """
        growth = {y: self.jobs[y + 1] / self.jobs[y] for y in self.jobs if y + 1 in self.jobs}
        if year not in growth:
            return 1.0
        mean = float(np.exp(np.mean(np.log(list(growth.values())))))
        return growth[year] / mean

    def death_rate(self, year: int) -> np.ndarray:
        """m(x) by sex and age for a year (nearest data year)."""
        return self.death_rates[_nearest(self.death_rates, year)]

    def fertility_rate(self, year: int) -> np.ndarray:
        """Births per woman by age for a year (nearest data year, scaled to the infants outside the data)."""
        rates = self.fertility[_nearest(self.fertility, year)]
        return rates * self.fertility_factor(year)

    def fertility_factor(self, year: int) -> float:
        """The factor on the nearest data year's rates: 1 in the data years, the last known one after."""
        if year in self.fertility_factors:
            return self.fertility_factors[year]
        later = [y for y in self.fertility_factors if y > max(self.fertility)]
        return self.fertility_factors[max(later)] if later and year > max(self.fertility) else 1.0

    def age_structure(self, year: int) -> np.ndarray:
        """Persons by sex and age for a year (nearest data year)."""
        return self.population[_nearest(self.population, year)]

    def last_rate_year(self) -> int:
        """The latest year with death rates; later years extrapolate."""
        return max(self.death_rates)


def fertility_on_1_january(asfr: np.ndarray) -> np.ndarray:
    """Births during a year per woman by her age on 1 January: she lives through ages x and x + 1."""
    return (asfr + np.concatenate([asfr[1:], [0.0]])) / 2


def _nearest(table: dict[int, np.ndarray], year: int) -> int:
    years = sorted(table)
    return min(max(year, years[0]), years[-1])


@lru_cache(maxsize=4)
def observed_national(folder: Path) -> NationalData:
    """The national data with every year of the folder (read once per process)."""
    return load_national(folder)


def load_national(folder: Path, known_until: int | None = None) -> NationalData:
    """Read a national data folder (see scenarios/national/norway/README.md), persons up to `known_until`."""
    if not folder.is_dir():
        raise InputError(Problem(folder, "national data folder not found"))
    fertility = _fertility(folder / "fertility_rates_2008_2017.csv")
    death_rates = _death_rates(folder / "death_rates_2008_2017.csv")
    population = _population(folder / "population_age_sex_1986_2026.csv")
    if known_until is not None:  # a year's rates are known once it has ended
        population = {year: grid for year, grid in population.items() if year <= known_until}
        fertility = _known_rates(fertility, known_until - 1)
        death_rates = _known_rates(death_rates, known_until - 1)
    return NationalData(
        death_rates=death_rates,
        fertility=fertility,
        population=population,
        participation_table=_participation(folder / "labour_force_participation.csv"),
        establishment_size=_establishment_size(folder / "establishment_size.csv"),
        folder=folder,
        fertility_factors=fertility_factors(fertility, population),
        known_until=known_until,
        jobs=_national_jobs(folder / "municipal" / "employment.csv", known_until),
    )


def _national_jobs(path: Path, known_until: int | None) -> dict[int, float]:
    """Norway's jobs by 1 January from the national row of the municipal employment table (none without it).

    The source lacks Rindal (about 1 500 jobs) in 2019, so the growth of that year reads
    0.06 points low and the next year's as much high.
    """
    if not path.is_file():
        return {}
    table = read_table(path, ["year", "municipality_code", "jobs_by_workplace_15_74"], numeric=["year"])
    rows = table[table["municipality_code"].astype(str) == "0000"]
    jobs = {int(row.year) + 1: float(row.jobs_by_workplace_15_74) for row in rows.itertuples()}
    return {year: count for year, count in jobs.items() if known_until is None or year <= known_until}


def _known_rates(rates: dict[int, np.ndarray], last: int) -> dict[int, np.ndarray]:
    """The rates of the years up to `last` (the first data year if none is that old)."""
    return {year: grid for year, grid in rates.items() if year <= max(last, min(rates))}


def fertility_factors(fertility: dict[int, np.ndarray], population: dict[int, np.ndarray]) -> dict[int, float]:
    """Factors on the nearest data year's fertility for the years outside the data, from Norway's infants.

    Infants on 1 January of year Y+1 are year Y's births less infant deaths plus
    infant immigrants; in the data years they are a stable multiple (about 1.005)
    of the births the year's own rates give. Outside the data years, the
    factor is what the nearest data year's rates must be multiplied by to give
    the infants observed, divided by that multiple. (2005: 0.935, matching
    Norway's TFR of 1.84 then against 1.96 in 2008; 2023: about 0.86, TFR 1.40
    against 1.62 in 2017.)
    """

    def births(year: int, rates: np.ndarray) -> float:
        mothers = (population[year][0] + population[year + 1][0]) / 2  # women, mid-year
        return float((mothers * rates).sum())

    usual = [population[y + 1][:, 0].sum() / births(y, fertility[y]) for y in fertility if y + 1 in population]
    multiple = float(np.mean(usual))
    return {
        year: float(population[year + 1][:, 0].sum() / births(year, fertility[_nearest(fertility, year)]) / multiple)
        for year in population
        if year not in fertility and year + 1 in population
    }


def _death_rates(path: Path) -> dict[int, np.ndarray]:
    table = read_table(
        path,
        ["year", "age", "mx_female", "mx_male"],
        numeric=["year", "age"],
        unique=["year", "age"],
    )
    rates: dict[int, np.ndarray] = {}
    for year, rows in table.groupby("year"):
        m = np.full((2, MAX_AGE + 1), np.nan)
        for s, column in enumerate(("mx_female", "mx_male")):
            values = rows.set_index("age")[column]
            for age, value in values.items():
                if int(age) <= MAX_AGE and value not in (".", ""):
                    m[s, int(age)] = float(value)
        if np.isnan(m[:, :HIGH_AGE_FROM]).any():
            raise InputError(Problem(path, f"death rates missing below age {HIGH_AGE_FROM}", key=str(year)))
        rates[int(year)] = m
    # Pool the very old (HMD rates above 100 rest on a handful of deaths):
    # one rate per sex for 100+, the mean over all years and ages 100..104.
    pooled = np.nanmean(np.stack([m[:, HIGH_AGE_FROM:MAX_AGE] for m in rates.values()]), axis=(0, 2))
    for m in rates.values():
        m[:, HIGH_AGE_FROM:] = pooled[:, None]
    return rates


def _fertility(path: Path) -> dict[int, np.ndarray]:
    table = read_table(
        path, ["year", "age", "asfr"], numeric=["year", "asfr"], unique=["year", "age"], ranges={"asfr": ASFR_RANGE}
    )
    rates: dict[int, np.ndarray] = {}
    for year, rows in table.groupby("year"):
        f = np.zeros(MAX_AGE + 1)
        for age, value in zip(rows["age"], rows["asfr"], strict=True):
            f[int(str(age).rstrip("-+"))] = value  # '12-' and '55+' are the end classes
        rates[int(year)] = f
    return rates


MAX_NATIONAL_PERSONS_PER_CELL = 200_000  # Norway's largest one-year cohort of one sex is about 45 000


def _population(path: Path) -> dict[int, np.ndarray]:
    table = read_table(
        path,
        ["year", "sex", "age", "persons"],
        numeric=["year", "age", "persons"],
        whole=["persons", "age"],
        unique=["year", "sex", "age"],
        ranges={"age": (0, MAX_AGE), "persons": (0, MAX_NATIONAL_PERSONS_PER_CELL)},
    )
    return persons_by_sex_age(table, path)


def persons_grid(groups: np.ndarray, sexes: np.ndarray, ages: np.ndarray, counts: np.ndarray, n: int) -> np.ndarray:
    """Persons by group (municipality, node), sex and single year of age from one row per count."""
    grid = np.zeros((n, len(SEXES), MAX_AGE + 1), dtype=np.int64)
    np.add.at(grid, (groups, sexes, np.minimum(ages, MAX_AGE)), counts)
    return grid


def check_every_age(ages: set[int], path: Path, label: str) -> None:
    """Refuse a population table where a sex lacks a row for some age 0..MAX_AGE (0 persons must be written)."""
    missing = sorted(set(range(MAX_AGE + 1)) - ages)
    if missing:
        shown = ", ".join(map(str, missing[:8])) + (f" and {len(missing) - 8} more" if len(missing) > 8 else "")
        raise InputError(
            Problem(
                path,
                f"{label}: no row for the ages {shown}",
                key="age",
                hint=f"every sex and every age 0-{MAX_AGE} needs a row (0 persons where there are none)",
            )
        )


def persons_by_sex_age(table, path: Path) -> dict[int, np.ndarray]:
    """Persons by year (or another grouping in the `year` column), sex and single year of age."""
    bad = ~table["sex"].isin(SEXES)
    if bad.any():
        row = table[bad].iloc[0]
        line = int(row["source_line"]) if "source_line" in row else None
        raise InputError(Problem(path, f"sex must be female or male, not {row['sex']!r}", line=line, key="sex"))
    years = table["year"].astype(int).to_numpy()
    sexes = table["sex"].map(SEXES.index).to_numpy()
    ages = np.minimum(table["age"].astype(int).to_numpy(), MAX_AGE)
    counts = table["persons"].astype(np.int64).to_numpy()
    result: dict[int, np.ndarray] = {}
    for year in np.unique(years):
        mine = years == year
        for s, sex in enumerate(SEXES):
            check_every_age(set(ages[mine & (sexes == s)].tolist()), path, f"{year}: {sex}")
        grid = np.zeros((2, MAX_AGE + 1), dtype=np.int64)
        np.add.at(grid, (sexes[mine], ages[mine]), counts[mine])
        result[int(year)] = grid
    return result


def _participation(path: Path) -> np.ndarray:
    table = read_table(path, ["age_from", "age_to", "female", "male"], numeric=["age_from", "age_to", "female", "male"])
    shares = np.zeros((2, MAX_AGE + 1))
    for row in table.itertuples():
        if row.female > 1 or row.male > 1 or row.age_to < row.age_from:
            raise InputError(Problem(path, "shares must lie in 0..1 and age_to >= age_from", line=row.source_line))
        shares[0, int(row.age_from) : int(row.age_to) + 1] = row.female
        shares[1, int(row.age_from) : int(row.age_to) + 1] = row.male
    return shares


def _establishment_size(path: Path) -> dict[str, tuple[float, float]]:
    table = read_table(path, ["sector", "mean_employees", "sigma_log"], numeric=["mean_employees", "sigma_log"])
    sizes = {row.sector: (float(row.mean_employees), float(row.sigma_log)) for row in table.itertuples()}
    missing = [key for key in SECTOR_KEYS if key not in sizes]
    if missing:
        raise InputError(Problem(path, f"no row for sector(s) {', '.join(missing)}"))
    if any(mean < 1 for mean, _ in sizes.values()):
        raise InputError(Problem(path, "mean_employees must be at least 1"))
    return sizes
