"""Norway's immigration and job growth by year.

Both are recomputed from the SSB tables by independent code, never read past
what the region knew, and move the model in the direction they say.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model.inputs.context import Context
from model.inputs.municipal.create import create_region
from model.inputs.national import load_national
from model.inputs.scenario import Years
from model.simulation.immigration import NationalImmigration, immigrant_age_sex, net_migration_per_1000
from model.simulation.region_model import RegionModel

ROOT = Path(__file__).resolve().parent.parent
NATIONAL = ROOT / "scenarios" / "national" / "norway"


def _persons(table: pd.DataFrame, year: int) -> np.ndarray:
    rows = table[table["year"] == year]
    grid = np.zeros((2, 106))
    sex = (rows["sex"] == "male").astype(int).to_numpy()
    np.add.at(grid, (sex, rows["age"].clip(upper=105).to_numpy()), rows["persons"].to_numpy())
    return grid


def _residual_by_age(year: int) -> tuple[np.ndarray, np.ndarray]:
    """Net migration by sex and age on the second 1 January (age 0 left empty), and the first stock."""
    persons = pd.read_csv(NATIONAL / "population_age_sex_1986_2026.csv", comment="#")
    rates = pd.read_csv(NATIONAL / "death_rates_2008_2017.csv", comment="#", dtype={"age": str})
    rates = rates[rates["year"] == min(max(year, 2008), 2017)]
    rates["age"] = rates["age"].str.rstrip("+").astype(int)
    m = np.zeros((2, 106))
    for s, column in enumerate(("mx_female", "mx_male")):
        values = pd.to_numeric(rates[column], errors="coerce").to_numpy()
        m[s, rates["age"].to_numpy().clip(max=105)] = np.nan_to_num(values, nan=0.6)
    m *= 0.99 ** max(0, year - 2017)  # the documented 1 % a year after the last rate year
    dying = 1 - np.exp(-(m + np.concatenate([m[:, 1:], m[:, -1:]], axis=1)) / 2)
    start, end = _persons(persons, year), _persons(persons, year + 1)
    survivors = start * (1 - dying)
    expected = np.concatenate([np.zeros((2, 1)), survivors[:, :-1]], axis=1)
    expected[:, -1] += survivors[:, -1]
    residual = end - expected
    residual[:, 0] = 0.0
    return residual, start


def _residual_per_1000(year: int) -> float:
    """Net migration of ages 1+: the stock of 1 January year + 1 less the survivors of year's stock."""
    residual, start = _residual_by_age(year)
    return float(1000 * residual.sum() / start.sum())


def test_norways_net_migration_is_the_cohort_residual_of_its_stocks():
    """2012, 2020 and 2022 recomputed; the refugees of 2022 show as a jump over the low year 2020."""
    net = net_migration_per_1000(load_national(NATIONAL), Context())
    for year in (2012, 2020, 2022):
        assert net[year] == pytest.approx(_residual_per_1000(year), abs=0.05)  # the pooled 100+ rates differ
    assert net[2022] > 2.5 * net[2020]
    assert max(net) == 2025  # 1 January 2026 is the last stock


def test_immigrants_ages_are_the_positive_part_of_norways_residual_by_age():
    """2016-2025 recomputed: immigrants arrive a year younger than on the next 1 January; young adults lead."""
    profile = immigrant_age_sex(load_national(NATIONAL), Context())
    total = sum(_residual_by_age(year)[0] for year in range(2016, 2026))
    arrived = np.maximum(np.concatenate([total[:, 1:], np.zeros((2, 1))], axis=1), 0)
    arrived /= arrived.sum()
    assert profile.shape == (2, 106) and profile.sum() == pytest.approx(1.0) and profile.min() >= 0
    bands = [(0, 16), (16, 25), (25, 45), (45, 67), (67, 106)]
    for low, high in bands:
        assert profile[:, low:high].sum() == pytest.approx(arrived[:, low:high].sum(), abs=0.005), (low, high)
    ages = np.arange(106)
    assert 24 < profile.sum(axis=0) @ ages < 30
    assert profile[:, 25:45].sum() > 0.35 and profile[:, 67:].sum() < 0.06


def test_immigrants_ages_never_look_past_the_regions_cut():
    """Cut at 2018, the profile is made of 2008-2017 alone: the refugees of 2022 are not in it."""
    profile = immigrant_age_sex(load_national(NATIONAL, 2018), Context())
    total = sum(_residual_by_age(year)[0] for year in range(2008, 2018))
    arrived = np.maximum(np.concatenate([total[:, 1:], np.zeros((2, 1))], axis=1), 0)
    arrived /= arrived.sum()
    assert profile[0, 0:16].sum() == pytest.approx(arrived[0, 0:16].sum(), abs=0.005)
    assert profile[1, 25:45].sum() == pytest.approx(arrived[1, 25:45].sum(), abs=0.005)


def test_immigration_after_the_known_years_is_the_mean_of_the_last_ten():
    """A region known to 2021 sees Norway's rates to 2020 only; later years get their ten-year mean."""
    context = Context()
    known = NationalImmigration(load_national(NATIONAL, known_until=2021), context)
    assert max(known.known) == 2020
    net = net_migration_per_1000(load_national(NATIONAL), context)
    mean = np.mean([net[y] for y in range(2011, 2021)]) + context.national_emigration_per_1000
    assert known.rate(2023) == pytest.approx(mean, rel=1e-12)
    assert known.assumed_range == pytest.approx(
        (min(net[y] for y in range(2011, 2021)) + 5.5, max(net[y] for y in range(2011, 2021)) + 5.5)
    )
    observed = NationalImmigration(load_national(NATIONAL), context)
    assert observed.rate(2022) == pytest.approx(net[2022] + 5.5) != known.rate(2022)
    assert known.factor(2020, 2016) == pytest.approx((net[2020] + 5.5) / (net[2016] + 5.5))
    low, high = known.assumed_scaling_range
    assert low * known.assumed == pytest.approx(known.assumed_range[0]) and high > 1 > low
    scaled = NationalImmigration(load_national(NATIONAL, known_until=2021), Context(immigration_assumption_scaling=0.8))
    assert scaled.rate(2023) == pytest.approx(0.8 * known.rate(2023)) and scaled.rate(2019) == known.rate(2019)


def test_norways_job_cycle_is_its_growth_over_the_mean_growth():
    """From row 0000 of the employment table: growth of the year over the known years' geometric mean."""
    table = pd.read_csv(NATIONAL / "municipal" / "employment.csv", comment="#", dtype={"municipality_code": str})
    jobs = table[table["municipality_code"] == "0000"].set_index("year")["jobs_by_workplace_15_74"]
    growth = {y + 1: jobs[y + 1] / jobs[y] for y in range(2017, 2022)}  # step year = 1 January of the quarter after
    mean = np.prod(list(growth.values())) ** (1 / len(growth))
    national = load_national(NATIONAL)
    for year, factor in growth.items():
        assert national.job_cycle(year) == pytest.approx(factor / mean, rel=1e-12)
    assert national.job_cycle(2020) < 0.98 < 1.01 < national.job_cycle(2021)  # the pandemic year and after
    assert national.job_cycle(2024) == 1.0  # after the known years the trends hold
    assert load_national(NATIONAL, known_until=2020).job_cycle(2020) == 1.0  # 2021's jobs unknown in 2020


@pytest.fixture(scope="module")
def land(tmp_path_factory, baseline):
    """Søndre and Nordre Land known to 1 January 2022, as a scenario from 2016."""
    created = create_region(
        "land", tmp_path_factory.mktemp("land"), municipalities=["3447", "3448"], last_year=2022, scenario=False
    )
    context = baseline.context.model_copy(update={"immigration_per_year": 100.0})
    return baseline.model_copy(
        update={"region_folder": str(created.folder), "context": context, "base_year": 2016, "replicates": 1}
    )


def _run(scenario, **context) -> RegionModel:
    model = RegionModel(scenario.model_copy(update={"context": scenario.context.model_copy(update=context)}))
    model.run()
    return model


def test_national_immigration_moves_the_regions_immigrants(land):
    """Same seed: 2017-2020 were low years for Norway against 2016, so fewer arrive than at a constant level."""
    scenario = land.model_copy(update={"years": Years(start=2016, end=2021)})
    arrived = {}
    for path in ("constant", "national"):
        model = _run(scenario, immigration_path=path)
        arrived[path] = model.flows["in_migrants"][-1]
        if path == "national":
            model.year = 2020
            regional, _ = model._immigration()
            assert regional == pytest.approx(100 * model.national_immigration.factor(2020, 2016))
            assert regional < 80  # Norway's 7.8 per 1 000 in 2020 against 10.4 in 2016
        model.release()
    assert arrived["national"] < arrived["constant"]


def test_the_national_job_cycle_moves_the_basic_sectors(land):
    """Same seed, 2020 to 2021: Norway's pandemic year takes about 2 % off the basic sectors' jobs."""
    from model.inputs.sectors import BASIC_SECTORS, SECTOR_KEYS

    scenario = land.model_copy(update={"base_year": 2020, "years": Years(start=2020, end=2021)})
    basic = {}
    for path in ("trend", "national"):
        model = _run(scenario, job_growth_path=path)
        positions = model.pool_positions.reshape(model.n_municipalities, len(SECTOR_KEYS))
        basic[path] = positions[:, list(BASIC_SECTORS)].sum()
        model.release()
    assert 0.96 < basic["national"] / basic["trend"] < 0.995
