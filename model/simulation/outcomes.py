"""Outcomes: yearly stocks counted from the agents, and flows counted by the phases.

Row ``y`` of the outcome table holds stocks on 1 January of year y and flows
during year y, so that population(y+1) = population(y) + births(y) -
deaths(y) + in_migrants(y) - out_migrants(y). Stocks are always counted from
the person arrays and the firms, never carried forward.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from model.inputs.sectors import BASIC_SECTORS, SECTOR_KEYS
from model.simulation.demand import AGE_BANDS, demand_ratio
from model.simulation.firms import Origin
from model.simulation.persons import Status

if TYPE_CHECKING:
    from model.simulation.region_model import RegionModel

STOCKS: tuple[str, ...] = (
    "population",
    *(f"population_{band}" for band, _, _ in AGE_BANDS),
    "infants",
    "jobs",
    "employed_residents",
    "unemployed",
    "in_commuters",
    "out_commuters",
    "firms",
    "vacancies",
    *(f"jobs_{key}" for key in SECTOR_KEYS),
    *(f"vacancies_{key}" for key in SECTOR_KEYS),
    *(f"jobs_{origin.name.lower()}" for origin in Origin),
    "jobs_from_strategies",
    "jobs_deadweight",
    "jobs_basic_other",
    "jobs_local_demand",
    "dwellings",
)
FLOWS: tuple[str, ...] = (
    "births",
    "deaths",
    "in_migrants",
    "out_migrants",
    "startups",
    "firm_exits",
    "dwellings_built",
    "dwellings_from_strategies",
    "strategy_cost_mnok",
)
VARIABLES: tuple[str, ...] = STOCKS + FLOWS


def region_stock(model: RegionModel, variable: str) -> float:
    """The region's value of a stock on the latest 1 January (a Mesa model reporter)."""
    return float(model.recorder.rows[-1][variable][-1])


REGION_REPORTERS = {
    variable: partial(region_stock, variable=variable)
    for variable in (
        "population",
        "jobs",
        "employed_residents",
        "unemployed",
        "in_commuters",
        "out_commuters",
        "firms",
        "vacancies",
    )
}


def by_pool(firms, weights: np.ndarray, n_municipalities: int) -> np.ndarray:
    """A quantity per firm summed by municipality and sector, shape (municipalities, sectors)."""
    k = len(SECTOR_KEYS)
    return np.bincount(firms.pool(), weights=weights, minlength=n_municipalities * k).reshape(n_municipalities, k)


def count_stocks(model: RegionModel) -> dict[str, np.ndarray]:
    """Stocks per municipality plus the region (last element), from the agents."""
    persons, firms = model.persons, model.firms
    m = model.region.n_municipalities
    k = len(SECTOR_KEYS)

    def per_municipality(index: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        counts = np.bincount(index, weights=weights, minlength=m)
        return np.append(counts, counts.sum())

    stocks: dict[str, np.ndarray] = {"population": per_municipality(persons.home)}
    for band, low, high in AGE_BANDS:
        inside = (persons.age >= low) & (persons.age <= high)
        stocks[f"population_{band}"] = per_municipality(persons.home[inside])
    stocks["infants"] = per_municipality(persons.home[persons.age == 0])  # born in the year before

    employees = np.where(firms.alive, firms.employees(persons), 0)
    vacancies = np.where(firms.alive, np.maximum(firms.positions - employees, 0), 0)
    jobs_by_pool, open_by_pool = by_pool(firms, employees, m), by_pool(firms, vacancies, m)
    stocks["jobs"] = np.append(jobs_by_pool.sum(1), jobs_by_pool.sum())
    stocks["vacancies"] = np.append(open_by_pool.sum(1), open_by_pool.sum())
    for s, key in enumerate(SECTOR_KEYS):
        stocks[f"jobs_{key}"] = np.append(jobs_by_pool[:, s], jobs_by_pool[:, s].sum())
        stocks[f"vacancies_{key}"] = np.append(open_by_pool[:, s], open_by_pool[:, s].sum())

    for origin in Origin:
        mine = firms.origin == origin
        stocks[f"jobs_{origin.name.lower()}"] = per_municipality(firms.municipality[mine], employees[mine])
    # Gross direct jobs: firms strategies brought (attracted, spin-offs, programme start-ups, fixed
    # employers) and the ordinary arrivals they courted or supported, whose jobs are deadweight.
    brought = ~firms.ordinary | firms.assisted
    stocks["jobs_from_strategies"] = per_municipality(firms.municipality[brought], employees[brought])
    deadweight = firms.ordinary & firms.assisted
    stocks["jobs_deadweight"] = per_municipality(firms.municipality[deadweight], employees[deadweight])
    other_basic = firms.ordinary & np.isin(firms.sector, BASIC_SECTORS)  # assisted ones too: they come anyway
    stocks["jobs_basic_other"] = per_municipality(firms.municipality[other_basic], employees[other_basic])

    # The jobs the demand-following sectors' base-year jobs would be at today's demand (section 9.5):
    # against a counterfactual its change is the multiplier, whoever fills it.
    demanded = model.base_jobs_by_pool * demand_ratio(model._drivers(), model.base_drivers, model.p)
    local = demanded[:, [s for s in range(k) if s not in BASIC_SECTORS]].sum(axis=1)
    stocks["jobs_local_demand"] = np.append(local, local.sum())

    employed = persons.employed
    stocks["employed_residents"] = per_municipality(persons.home[employed])
    stocks["unemployed"] = per_municipality(persons.home[persons.status == Status.UNEMPLOYED])
    works_at_home = employed & (persons.workplace == persons.home)
    local = np.bincount(persons.home[works_at_home], minlength=m)
    in_commuters = stocks["jobs"][:m] - local
    stocks["in_commuters"] = np.append(in_commuters, firms.external[firms.alive].sum())
    out = employed & ~works_at_home
    stocks["out_commuters"] = np.append(
        np.bincount(persons.home[out], minlength=m), np.count_nonzero(persons.workplace >= m)
    )
    stocks["firms"] = per_municipality(firms.municipality[firms.alive])
    dwellings = np.array([municipality.dwellings for municipality in model.municipalities])
    stocks["dwellings"] = np.append(dwellings, dwellings.sum())
    return stocks


def commuting_matrix(model: RegionModel) -> np.ndarray:
    """Employed persons by residence node and workplace node, from the agents."""
    persons, firms = model.persons, model.firms
    n = len(model.region.nodes)
    m = model.region.n_municipalities
    employed = persons.employed
    cell = persons.home[employed].astype(np.int64) * n + persons.workplace[employed]
    matrix = np.bincount(cell, minlength=n * n).reshape(n, n)
    alive = firms.alive
    workplace = firms.municipality[alive]
    for node, in_commuters in enumerate(firms.external[alive].T, start=m):
        matrix[node, :m] += np.bincount(workplace, weights=in_commuters, minlength=m).astype(np.int64)
    return matrix


class Recorder:
    """Collects one row of stocks and flows per year, and the commuting matrices."""

    def __init__(self, places: list[str]):
        self.places = places
        self.years: list[int] = []
        self.rows: list[dict[str, np.ndarray]] = []
        self.commuting: list[np.ndarray] = []

    def open_year(self, year: int, stocks: dict[str, np.ndarray], commuting: np.ndarray) -> None:
        """Record the stocks on 1 January of a year."""
        self.years.append(year)
        self.rows.append(dict(stocks))
        self.commuting.append(commuting)

    def close_year(self, flows: dict[str, np.ndarray]) -> None:
        """Record the flows during the year last opened."""
        self.rows[-1].update(flows)

    def complete_years(self) -> list[int]:
        """Years with both stocks and flows."""
        return [y for y, row in zip(self.years, self.rows, strict=True) if FLOWS[0] in row]

    def table(self, scenario: str, replicate: int) -> pd.DataFrame:
        """The tidy outcome table: scenario, replicate, year, municipality, variable, value."""
        years = self.complete_years()
        values = np.array([[self.rows[i][v] for v in VARIABLES] for i in range(len(years))])
        n_years, n_vars, n_places = values.shape
        return pd.DataFrame(
            {
                "scenario": scenario,
                "replicate": replicate,
                "year": np.repeat(years, n_vars * n_places),
                "municipality": np.tile(self.places, n_years * n_vars),
                "variable": np.tile(np.repeat(VARIABLES, n_places), n_years),
                "value": values.ravel().astype(float),
            }
        )

    def commuting_table(self, scenario: str, replicate: int, nodes: list[str]) -> pd.DataFrame:
        """Commuting flows per year: scenario, replicate, year, residence, workplace, persons."""
        years = self.complete_years()
        matrices = np.array(self.commuting[: len(years)])
        residence, workplace = np.meshgrid(np.arange(len(nodes)), np.arange(len(nodes)), indexing="ij")
        keep = (residence < len(self.places) - 1) | (workplace < len(self.places) - 1)
        names = np.array(nodes)
        rows = len(years) * int(keep.sum())
        return pd.DataFrame(
            {
                "scenario": scenario,
                "replicate": replicate,
                "year": np.repeat(years, keep.sum()),
                "residence": np.tile(names[residence[keep]], len(years)),
                "workplace": np.tile(names[workplace[keep]], len(years)),
                "persons": matrices[:, keep].ravel().astype(np.int64),
            }
        ).iloc[:rows]
