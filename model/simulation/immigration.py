"""Immigration from abroad by year: the region's level moved by Norway's immigration.

Norway's net migration during a known year is the cohort residual of its
stocks on two successive 1 January (persons aged 1 or more, survival by the
model's own death rates, improved after the last rate year by the context's
mortality improvement). The model's immigration is gross: the out-migration
of its residents already carries their emigration. The rule from net to
gross is gross = net + emigration, with Norway's emigration a steady rate per
resident (``context.national_emigration_per_1000``). After the last known
year Norway's gross rate is the mean of the last
``context.immigration_assumption_years`` known years (times
``context.immigration_assumption_scaling``): a long-run level, the
documented assumption of a projection (a backtest's ``--ex-post`` reads the
observed years instead). Under ``context.immigration_path: national`` the
region's immigration of a year is its level times Norway's gross rate of the
year over that of the reference year.
"""

from __future__ import annotations

import numpy as np

from model.inputs.context import Context
from model.inputs.national import NationalData
from model.simulation.demography import cohort_residual, residual_by_age, survival


def net_migration_per_1000(national: NationalData, context: Context) -> dict[int, float]:
    """Norway's net migration per 1 000 residents on 1 January, for each year whose next 1 January is known."""
    mortality = Context(mortality_improvement_per_year=context.mortality_improvement_per_year)
    rates = {}
    for year in sorted(national.population):
        if year + 1 not in national.population:
            continue
        start = national.population[year][None].astype(float)
        end = national.population[year + 1][None].astype(float)
        residual = cohort_residual(start, end, survival(national, year, mortality))[0]
        rates[year] = float(1000 * residual / start.sum())
    return rates


class NationalImmigration:
    """Norway's gross immigration per 1 000 residents by year, known and assumed."""

    def __init__(self, national: NationalData, context: Context):
        net = net_migration_per_1000(national, context)
        self.known = {year: rate + context.national_emigration_per_1000 for year, rate in net.items()}
        recent = [self.known[y] for y in sorted(self.known)[-context.immigration_assumption_years :]]
        mean = float(np.mean(recent))
        self.assumed = mean * context.immigration_assumption_scaling
        """The rate after the last known year."""
        self.assumed_range = (float(min(recent)), float(max(recent)))
        """Its uncertainty range: the lowest and highest of the years averaged."""
        self.assumed_scaling_range = (self.assumed_range[0] / mean, self.assumed_range[1] / mean)
        """The same range as factors on the mean (`context.immigration_assumption_scaling`)."""

    def rate(self, year: int) -> float:
        """Gross immigration per 1 000 residents during `year`."""
        if year in self.known:
            return self.known[year]
        return self.known[min(self.known)] if year < min(self.known) else self.assumed

    def factor(self, year: int, reference: int) -> float:
        """Norway's immigration in `year` relative to the `reference` year."""
        return self.rate(year) / max(self.rate(reference), 0.5)


def immigrant_age_sex(national: NationalData, context: Context, years: int = 10) -> np.ndarray:
    """Who settles from abroad, by sex and age at arrival, shape (2, ages), summing to 1.

    The positive part of Norway's cohort residual by sex and age, summed over
    the last `years` known years (an estimate: net migration stands for gross
    immigration, so the emigration of natives in their twenties and of
    retirees is netted out of it). A person aged a + 1 on the second 1 January
    arrived aged a. Young adults dominate, with their children; few arrive
    after 60.
    """
    mortality = Context(mortality_improvement_per_year=context.mortality_improvement_per_year)
    known = [year for year in sorted(national.population) if year + 1 in national.population][-years:]
    total = np.zeros_like(national.population[known[0]], dtype=float)
    for year in known:
        start = national.population[year][None].astype(float)
        end = national.population[year + 1][None].astype(float)
        total += residual_by_age(start, end, survival(national, year, mortality))[0]
    arrived = np.zeros_like(total)
    arrived[:, :-1] = total[:, 1:]
    arrived = np.maximum(arrived, 0.0)
    return arrived / arrived.sum()
