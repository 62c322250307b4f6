"""Who moves in from the rest of Norway, by sex and age: estimated from the region's own cohort residuals.

Newcomers drawn as Norway's population weighted by the migration schedule fill
whatever age gap the region has: Gjovikregionen lacks people of 25-39 (16.7 %
of residents against Norway's 20.3 %), so that form gave net in-migration of
+74 a year at 25-29 where the stocks show -6. The region's net migration by
sex and age is known from its stocks (the cohort residual); its out-migration
by age follows from the schedule the model applies to its residents. The
domestic newcomers must then be, in each sex and age,

    D(s, a) = out(s, a) + net(s, a) - immigrants(s, a),

summed over the window of ``newcomer_age_years`` flow years before the
region's last known 1 January (so a region cut at a backtest's origin
estimates them from its own past only). D is taken by five-year age band,
where a small region's single ages are too noisy, as a factor on Norway's
population by the schedule: inside a band, and as Norway ages, newcomers keep
the national shape. Bands where the residual asks for fewer than none (the
graduates and the retirees who leave) get no newcomers. Students are in the
residuals like everyone else: a campus town's 19-21-year-olds arrive, and
leave by the schedule.
"""

from __future__ import annotations

import numpy as np

from model.inputs.national import MAX_AGE, NationalData
from model.inputs.parameters import Parameters
from model.simulation.demography import residual_by_age, survival, survivors_a_year_on
from model.simulation.migration import schedule

BAND_YEARS = 5  # width of the age bands over which the factor is measured
MAX_FACTOR = 10.0  # bound on a band's factor: a band with almost no national movers cannot take all newcomers


def band_of_age() -> np.ndarray:
    """Band index of each single age 0..MAX_AGE (the open age class joins the last full band)."""
    ages = np.arange(MAX_AGE + 1)
    return np.minimum(ages // BAND_YEARS, (MAX_AGE // BAND_YEARS) - 1)


def leaving_share(population: np.ndarray, outside_mover_pull: float) -> np.ndarray:
    """Share of each municipality's movers who leave the region: pull / (rest of the region + pull)."""
    rest = population.sum() - population
    return outside_mover_pull / (rest + outside_mover_pull)


def out_migrants(start: np.ndarray, alive: np.ndarray, p: Parameters) -> np.ndarray:
    """Residents who leave the region during a year by the model's schedule, by (sex, age at its end)."""
    survivors = survivors_a_year_on(start, alive)
    leaving = leaving_share(start.sum(axis=(1, 2)), p.outside_mover_pull)
    rate = np.minimum(p.migration_peak_rate * schedule(), 1.0)
    return (survivors * rate[None, None, :] * leaving[:, None, None]).sum(axis=0)


def domestic_need(
    observed: dict[int, np.ndarray], national: NationalData, last_year: int, p: Parameters, immigrants: np.ndarray
) -> tuple[np.ndarray, list[int]]:
    """D(s, a) summed over the window's flow years, and the years used.

    Args:
        observed: persons by 1 January, municipality, sex and age.
        national: Norway's rates (survival).
        last_year: the region's last known 1 January.
        p: parameters (schedule level, the pull of places outside, the window).
        immigrants: the model's immigrants in a year by (sex, age), counted as drawn.
    """
    window = [y for y in range(last_year - p.newcomer_age_years, last_year) if y in observed and y + 1 in observed]
    need = np.zeros((2, MAX_AGE + 1))
    for year in window:
        start, end = observed[year].astype(float), observed[year + 1].astype(float)
        alive = survival(national, year)
        net = residual_by_age(start, end, alive).sum(axis=0)
        net[:, 0] = 0.0  # infants are births, not movers
        need += out_migrants(start, alive, p) + net - immigrants
    return need, window


def band_factors(need: np.ndarray, structure: np.ndarray) -> np.ndarray:
    """Each (sex, band)'s share of D against its share of Norway's movers by the schedule, shape (2, bands)."""
    bands = band_of_age()
    n_bands = int(bands.max()) + 1

    def by_band(values: np.ndarray) -> np.ndarray:
        return np.stack([np.bincount(bands, weights=values[s], minlength=n_bands) for s in range(2)])

    wanted = np.maximum(by_band(need), 0.0)
    national = by_band(structure)
    wanted_share = wanted / max(wanted.sum(), 1e-12)
    national_share = national / max(national.sum(), 1e-12)
    factor = np.where(national_share > 0, wanted_share / np.maximum(national_share, 1e-12), 0.0)
    return np.minimum(factor, MAX_FACTOR)


class NewcomerAges:
    """The age factor of a region's domestic newcomers (1 everywhere where it cannot be estimated)."""

    def __init__(self, factors: np.ndarray | None) -> None:
        self.factors = factors

    @classmethod
    def estimate(
        cls,
        observed: dict[int, np.ndarray],
        national: NationalData,
        last_year: int | None,
        p: Parameters,
        immigrants: np.ndarray,
    ) -> NewcomerAges:
        """From the region's stocks up to its last known year; Norway's shape when the window is empty or 0."""
        if last_year is None or p.newcomer_age_years <= 0:
            return cls(None)
        need, window = domestic_need(observed, national, last_year, p, immigrants)
        if not window or need.clip(min=0).sum() <= 0:
            return cls(None)
        structure = sum(national.age_structure(y) for y in window) * schedule()[None, :]
        return cls(band_factors(need, structure))

    def profile(self, structure: np.ndarray) -> np.ndarray:
        """Domestic newcomers by (sex, age), summing to 1, from Norway's population by the schedule."""
        weighted = structure if self.factors is None else structure * self.factors[:, band_of_age()]
        return weighted / weighted.sum()
