"""Fertility: Norway's level of each year from its infants, and each municipality's level against Norway's.

Both are recomputed here from the SSB tables by independent code; the model's
births are checked by direction against Norway's rates with common random
numbers.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model.inputs.national import load_national
from model.inputs.region import load_region
from model.inputs.scenario import Years
from model.simulation.region_model import RegionModel

ROOT = Path(__file__).resolve().parent.parent
NATIONAL = ROOT / "scenarios" / "national" / "norway"


def _rates() -> dict[int, np.ndarray]:
    table = pd.read_csv(NATIONAL / "fertility_rates_2008_2017.csv", comment="#")
    table["age"] = table["age"].astype(str).str.rstrip("-+").astype(int)
    out = {}
    for year, rows in table.groupby("year"):
        f = np.zeros(106)
        f[rows["age"].to_numpy()] = rows["asfr"].to_numpy()
        out[int(year)] = f
    return out


def _women(table: pd.DataFrame, year: int) -> np.ndarray:
    rows = table[(table["year"] == year) & (table["sex"] == "female")]
    women = np.zeros(106)
    np.add.at(women, rows["age"].clip(upper=105).to_numpy(), rows["persons"].to_numpy())
    return women


def _births(women: np.ndarray, rates: np.ndarray) -> float:
    return float(women @ ((rates + np.append(rates[1:], 0.0)) / 2))


def test_norways_fertility_after_2017_follows_its_infants():
    """The factor on 2017's rates reproduces Norway's infants of 2019-2025, and nothing after `known_until`."""
    persons = pd.read_csv(NATIONAL / "population_age_sex_1986_2026.csv", comment="#")
    rates = _rates()
    infants = {y: persons[(persons["year"] == y) & (persons["age"] == 0)]["persons"].sum() for y in range(2009, 2027)}

    def mid_year(y):
        return (_women(persons, y) + _women(persons, y + 1)) / 2

    multiple = np.mean([infants[y + 1] / (mid_year(y) @ rates[y]) for y in range(2008, 2018)])
    national = load_national(NATIONAL)
    for year in (2018, 2020, 2022, 2025):
        expected = infants[year + 1] / (mid_year(year) @ rates[2017]) / multiple
        assert national.fertility_factor(year) == pytest.approx(expected, rel=1e-9)
    assert 0.85 < national.fertility_factor(2023) < 0.9  # TFR about 1.40 against 1.62 in 2017
    assert national.fertility_factor(2030) == national.fertility_factor(2025)  # the latest level holds
    as_of_2018 = load_national(NATIONAL, known_until=2018)
    assert as_of_2018.fertility_factor(2022) == 1.0  # the infants of 2019 onwards were not known in 2018
    assert max(as_of_2018.population) == 2018


def test_municipal_levels_are_infants_over_the_births_of_norways_rates():
    """Each municipality of Gjovikregionen: its infants 2022-2026 over the births Norway's rates give its women."""
    region = load_region(ROOT / "scenarios" / "regions" / "gjovikregionen")
    table = pd.read_csv(region.folder / "population_age_sex.csv", comment="#", dtype={"knr": str})
    national = load_national(NATIONAL)
    levels = region.fertility_levels(5)
    for i, number in enumerate(region.numbers):
        here = table[table["knr"] == number]
        infants = sum(here[(here["year"] == y + 1) & (here["age"] == 0)]["persons"].sum() for y in range(2021, 2026))
        births = sum(_births(_women(here, y), national.fertility_rate(y)) for y in range(2021, 2026))
        assert levels[i] == pytest.approx(infants / births, rel=1e-9)
    assert levels[region.municipality("Gjøvik")] < 1 < levels[region.municipality("Østre Toten")]
    assert (region.fertility_levels(0) == 1).all()


def test_a_level_below_one_gives_fewer_births_than_norways_rates(baseline):
    """Same seeds: Gjovik's births over five years fall by about its level when the levels are switched on."""
    scenario = baseline.model_copy(update={"years": Years(start=2026, end=2031)})
    births = {}
    for years in (0, 5):
        model = RegionModel(scenario.with_overrides(fertility_level_years=years))
        total = np.zeros(model.n_municipalities)
        while model.running:
            model.step()
            total += model.flows["births"]
        births[years] = total
        model.release()
    region = load_region(ROOT / "scenarios" / "regions" / "gjovikregionen")
    gjovik = region.municipality("Gjøvik")
    ratio = births[5][gjovik] / births[0][gjovik]
    assert ratio == pytest.approx(region.fertility_levels(5)[gjovik], abs=0.04)
    assert ratio < 1


def test_the_observed_national_path_is_read_only_when_asked(tmp_path, baseline):
    """A region known in 2018 holds 2017's fertility; `national_path: observed` feeds the later fall (fewer births)."""
    from model.inputs.municipal.create import create_region

    created = create_region("land", tmp_path, municipalities=["3447", "3448"], last_year=2018, scenario=False)
    scenario = baseline.model_copy(
        update={"region_folder": str(created.folder), "base_year": 2018, "years": Years(start=2018, end=2024)}
    )
    births = {}
    for path in ("as_known", "observed"):
        context = scenario.context.model_copy(update={"national_path": path})
        model = RegionModel(scenario.model_copy(update={"context": context}))
        total = 0.0
        while model.running:
            model.step()
            total += model.flows["births"].sum()
        births[path] = total
        assert (model.national.fertility_factor(2022) < 0.9) == (path == "observed")
        model.release()
    assert births["observed"] < births["as_known"]
