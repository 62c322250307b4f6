"""Deadweight: firms that come without any strategy, and the programmes that claim them.

Part of ordinary entry into the basic sectors comes as inward establishments and
each R&D source founds spin-offs of its own; an attraction or commercialisation
programme cannot tell them from the firms it has to win, and the jobs of those it
claims are its deadweight (HCA Additionality Guide, 4th edition 2014, ch. 3).
"""

from __future__ import annotations

import numpy as np
import pytest

from model.inputs.levers import Levers
from model.inputs.parameters import Parameters
from model.inputs.scenario import Years
from model.inputs.sectors import BASIC_SECTORS, SECTOR_INDEX, SECTOR_KEYS
from model.inputs.strategies import AttractBusinesses, CommercialiseRnd
from model.simulation.firms import Origin
from model.simulation.ordinary_arrivals import inward_establishments, research_spinoffs
from model.simulation.randomness import Draws
from model.simulation.region_model import RegionModel
from tests.conftest import with_horizon

REGION = -1
MANUFACTURING = SECTOR_INDEX["manufacturing"]


@pytest.fixture(scope="module")
def sizes(baseline) -> dict[str, tuple[float, float]]:
    """Norway's establishment sizes by sector, as the model reads them."""
    return RegionModel(with_horizon(baseline, baseline.years.start + 1)).region.national.establishment_size


def test_inward_establishments_bring_their_share_of_basic_entry_jobs(sizes):
    """Of the entry jobs of basic pools, inward establishments bring inward_share_of_basic_entry; others none.

    Recomputed from the drawn firms over 2 000 pools of each sector with 5 expected start-ups each.
    """
    p = Parameters(inward_share_of_basic_entry=0.3)
    expected = np.full(2000 * len(SECTOR_KEYS), 5.0)
    batch, left = inward_establishments(expected, sizes, p, Draws(1, 0, "firms", 2030))
    for s, key in enumerate(SECTOR_KEYS):
        inward_jobs = batch.positions[batch.sector == s].sum()
        start_up_jobs = left[s :: len(SECTOR_KEYS)].sum() * p.startup_mean_jobs
        if s in BASIC_SECTORS:
            assert inward_jobs / (inward_jobs + start_up_jobs) == pytest.approx(0.3, abs=0.03), key
        else:
            assert inward_jobs == 0 and start_up_jobs == pytest.approx(expected[s :: len(SECTOR_KEYS)].sum() * 3)
    mean_size = batch.positions[batch.sector == MANUFACTURING].mean()
    assert mean_size == pytest.approx(sizes["manufacturing"][0], rel=0.15)  # a typical establishment of its sector


def test_each_research_source_founds_spinoffs_in_place_of_start_ups(baseline):
    """Each source's spin-offs replace as many start-ups of its pool: entry stays what it was."""
    region = RegionModel(with_horizon(baseline, baseline.years.start + 1)).region
    p = Parameters(ordinary_spinoffs_per_year=2.0)
    expected = np.full(region.n_municipalities * len(SECTOR_KEYS), 10.0)
    counts = []
    for year in range(2030, 2080):
        batches, left = research_spinoffs(expected, region.rnd_sources, p, Draws(1, 0, "firms", year))
        for name, (municipality, sector) in region.rnd_sources.items():
            pool = municipality * len(SECTOR_KEYS) + sector
            assert left[pool] == expected[pool] - len(batches[name].key)
            assert (batches[name].municipality == municipality).all() and (batches[name].sector == sector).all()
            counts.append(len(batches[name].key))
        others = np.ones(len(expected), bool)
        others[[m * len(SECTOR_KEYS) + s for m, s in region.rnd_sources.values()]] = False
        assert np.array_equal(left[others], expected[others])
    assert np.mean(counts) == pytest.approx(2.0, abs=0.4)  # 100 Poisson draws of mean 2: sd 0.14


def _programme(baseline, strategy, end: int):
    scenario = baseline.model_copy(update={"years": Years(start=baseline.base_year, end=end)})
    levers = Levers(cooperation="joint", strategies=[strategy])
    return scenario, scenario.model_copy(update={"levers": levers})


def _manufacturing_attraction(start: int, firms_per_year: float, budget: float) -> AttractBusinesses:
    """A regional programme courting manufacturing firms of about 25 jobs from `start`."""
    return AttractBusinesses(
        type="attract_businesses",
        sector="manufacturing",
        firms_per_year=firms_per_year,
        mean_jobs_per_firm=25,
        target="regional",
        budget_mnok_per_year=budget,
        **{"from": start},
    )


def _campus_programme(baseline, target: str) -> RegionModel:
    """A model after the first year of a programme supporting 50 campus spin-offs a year, placed in `target`.

    The campus founds 3 spin-offs of its own a year, so there is something to claim.
    """
    start = baseline.base_year + 1
    strategy = CommercialiseRnd(
        type="commercialise_rnd",
        source="campus",
        spinoffs_per_year=50,
        survival_boost=0.3,
        lag_years=0,
        target=target,
        budget_mnok_per_year=75,  # 1.5 MNOK a supported spin-off (spinoff_support_mnok)
        **{"from": start},
    )
    _, with_programme = _programme(baseline, strategy, start + 1)
    model = RegionModel(with_programme.with_overrides(ordinary_spinoffs_per_year=3.0), replicate=0)
    model.step()
    model.step()
    return model


def _founded(model: RegionModel, year: int, origin: Origin, sector: int) -> np.ndarray:
    firms = model.firms
    return np.flatnonzero((firms.founded == year) & (firms.origin == origin) & (firms.sector == sector))


@pytest.mark.parametrize("replicate", range(3))
def test_an_attraction_programme_claims_the_inward_firms_that_come_anyway(baseline, replicate):
    """The programme's first year: the same inward establishments come with and without it, and it claims them.

    With 300 well-funded cases a year it can hardly miss one of the few manufacturing establishments that come
    anyway; the jobs of those it claims are the deadweight the run records.
    """
    start = baseline.base_year + 1
    # 40 MNOK a case: a firm that comes anyway takes the offer (1 - e^-10)
    strategy = _manufacturing_attraction(start, firms_per_year=300, budget=12_000)
    without, with_programme = _programme(baseline, strategy, start + 1)
    models = []
    for scenario in (without, with_programme):
        model = RegionModel(scenario, replicate=replicate)
        model.step()
        model.step()
        models.append(model)
    plain, courted = models
    inward = _founded(courted, start, Origin.INWARD, MANUFACTURING)
    assert len(inward) > 0
    assert np.array_equal(
        courted.firms.key[inward], plain.firms.key[_founded(plain, start, Origin.INWARD, MANUFACTURING)]
    )
    claimed = courted.firms.assisted[inward]
    assert claimed.mean() >= 0.9 and not plain.firms.assisted.any()
    employees = courted.firms.employees(courted.persons)
    assert courted.recorder.rows[-1]["jobs_deadweight"][REGION] == employees[courted.firms.assisted].sum()


def test_more_firms_that_come_anyway_leave_a_programme_fewer_firms_of_its_own(baseline):
    """With common random numbers, a larger inward share makes more of the programme's cases deadweight.

    The same programme (three manufacturing prospects a year) wins fewer firms of its own, and its
    deadweight grows from none, when ordinary entry brings more inward establishments.
    """
    strategy = _manufacturing_attraction(baseline.base_year + 1, firms_per_year=3, budget=12)
    _, with_programme = _programme(baseline, strategy, baseline.base_year + 5)
    results = {}
    for share in (0.0, 0.5):
        scenario = with_programme.with_overrides(inward_share_of_basic_entry=share)
        rows = []
        for replicate in range(4):
            model = RegionModel(scenario, replicate=replicate)
            model.run()
            rows.append(model.recorder.rows[-1])
            model.release()
        results[share] = {v: np.mean([r[v][REGION] for r in rows]) for v in ("jobs_attracted", "jobs_deadweight")}
    assert results[0.0]["jobs_deadweight"] == 0
    assert results[0.5]["jobs_deadweight"] > 0
    assert results[0.5]["jobs_attracted"] < results[0.0]["jobs_attracted"]


def test_a_commercialisation_programme_supports_its_sources_own_spinoffs(baseline):
    """The campus's ordinary spin-offs that the programme claims get its better survival; none without it."""
    start = baseline.base_year + 1
    model = _campus_programme(baseline, target="regional")
    firms = model.firms
    municipality, sector = model.region.rnd_sources["campus"]
    founded = (firms.founded == start) & (firms.origin == Origin.SPINOFF)
    campus = (firms.municipality == municipality) & (firms.sector == sector)
    own = np.flatnonzero(founded & campus & firms.ordinary)
    assert len(own) > 0 and firms.assisted[own].all()
    assert np.allclose(firms.hazard_factor[own], 0.7)
    elsewhere = np.flatnonzero(founded & ~campus)  # industrial research's, not the programme's source
    assert len(elsewhere) > 0 and not firms.assisted[elsewhere].any()
    brought = np.flatnonzero(founded & ~firms.ordinary)
    assert 20 < len(brought) < 80  # the programme's other cases: new spin-offs of its own


def _attraction(baseline, budget: float, years: int = 8) -> tuple[RegionModel, AttractBusinesses]:
    strategy = _manufacturing_attraction(baseline.base_year + 1, firms_per_year=3, budget=budget)
    _, with_programme = _programme(baseline, strategy, baseline.base_year + years)
    model = RegionModel(with_programme, replicate=0)
    model.run()
    return model, strategy


def test_without_money_a_programme_claims_nothing(baseline):
    """An attraction programme with no budget assists no firm: no deadweight, and no firm of its own."""
    model, _ = _attraction(baseline, budget=0.0)
    assert not model.firms.assisted.any()
    assert all(row["jobs_deadweight"][REGION] == 0 for row in model.recorder.rows)
    assert not (model.firms.origin == Origin.ATTRACTED).any()


def test_which_firms_a_programme_claims_does_not_follow_the_order_of_the_municipalities(baseline):
    """Claimed inward establishments are spread over the region as the arrivals are, not the first-listed first.

    Eight years of a regional programme with three prospects a year: the mean municipality index of the claimed
    firms lies near that of all inward manufacturing arrivals (0.05 apart; taking the first rows put it 0.65 lower).
    """
    model, _ = _attraction(baseline, budget=120.0)
    firms = model.firms
    inward = (firms.origin == Origin.INWARD) & (firms.sector == MANUFACTURING) & (firms.founded > baseline.base_year)
    claimed = inward & firms.assisted
    assert 5 <= claimed.sum() < inward.sum()
    assert abs(firms.municipality[claimed].mean() - firms.municipality[inward].mean()) < 0.35


def test_a_programme_placing_spinoffs_elsewhere_still_supports_its_sources_own(baseline):
    """The campus's own spin-offs come in Gjovik anyway; a programme that places its own in Vestre Toten claims them."""
    start = baseline.base_year + 1
    model = _campus_programme(baseline, target="Vestre Toten")
    firms = model.firms
    source, sector = model.region.rnd_sources["campus"]
    founded = (firms.founded == start) & (firms.origin == Origin.SPINOFF)
    own = founded & firms.ordinary & (firms.municipality == source) & (firms.sector == sector)
    assert own.any() and firms.assisted[own].all()
    placed = founded & ~firms.ordinary
    assert placed.any() and (firms.municipality[placed] == model.region.municipality("Vestre Toten")).all()
