"""How the strategies act on the model, phase by phase.

Nothing here adds jobs directly: attracted firms and spin-offs are firms with
positions that must hire from the modelled labour supply (residents, migrants,
in-commuters) and face the normal exit hazard; the other strategies change
hazards, hiring, entry, competitiveness, housing or commuting times. Net jobs
against a run without strategies therefore include displacement.

Cooperation matters where firms are courted. Under ``joint`` one regional
apparatus spends the pooled budget on each prospect and places the firm at
the best site: enough business land, and the most workers within commuting
reach times the sector's share of local jobs (firms seek their cluster). Under
``fragmented`` each municipality spends its population share of the budget,
they court the same prospects, a prospect deals with one of them (with odds
in proportion to their offers) and settles in that municipality's territory
if it has the land. A prospect's chance of coming is 1 - exp(-spend / cost),
so splitting the same money over five offers gives fewer firms. The gap
vanishes when one municipality holds the whole budget (a named target), when
budgets are so large that every prospect comes anyway, or when land and
labour are ample everywhere and budgets are not split.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from model.inputs.levers import Levers
from model.inputs.sectors import MARKET_SECTORS, SECTOR_INDEX, SECTOR_KEYS
from model.inputs.strategies import (
    AttractBusinesses,
    BusinessServices,
    CommercialiseRnd,
    GrowthCulture,
    Housing,
    Infrastructure,
    RestructureIndustry,
)
from model.inputs.strategy_funding import funded_strategies, target_indices
from model.simulation.firms import Origin
from model.simulation.randomness import Draws, poisson_from_uniform, stochastic_round
from model.simulation.signals import response

if TYPE_CHECKING:
    from model.simulation.region_model import RegionModel

MAX_FILL_PROBABILITY = 0.99  # even the fastest recruiting leaves a vacancy open sometimes
MIN_MINUTES = 1.0  # no trip between two places takes less than a minute
ATTRACTED_SIZE_SIGMA = 0.5  # spread (log scale) of attracted firms' sizes around their mean


@dataclass
class NewFirms:
    """Firms a strategy brings this year (not yet in the table)."""

    key: list[np.ndarray] = field(default_factory=list)
    municipality: list[np.ndarray] = field(default_factory=list)
    sector: list[np.ndarray] = field(default_factory=list)
    positions: list[np.ndarray] = field(default_factory=list)
    competitiveness: list[np.ndarray] = field(default_factory=list)
    origin: list[Origin] = field(default_factory=list)
    hazard_factor: list[np.ndarray] = field(default_factory=list)

    def append(self, origin: Origin, **columns: np.ndarray) -> None:
        """Add a batch of firms of one origin."""
        n = len(columns["key"])
        self.origin.append(origin)
        for name in ("key", "municipality", "sector", "positions", "competitiveness"):
            getattr(self, name).append(np.asarray(columns[name]))
        self.hazard_factor.append(np.asarray(columns.get("hazard_factor", np.ones(n))))


class StrategyEffects:
    """The scenario's strategies, resolved against the region, acting year by year."""

    def __init__(self, levers: Levers, model: RegionModel):
        self.start, self.horizon = model.scenario.years.start, model.end_year
        self.region = model.region
        self.restructured: set[int] = set()
        self.targets = [target_indices(self.region, s.target) for s in levers.strategies]
        self.funding = funded_strategies(
            levers, self.targets, model.region.snapshot(model.base_year), model.p, (self.start, self.horizon)
        )
        # What acts is what the budget buys (model/inputs/strategy_funding.py); the budget is spent in full.
        self.levers = levers.model_copy(update={"strategies": [f.acting for f in self.funding]})

    def active(self, year: int, kind: type | tuple[type, ...]) -> list[tuple[int, object]]:
        """(index, strategy) of the strategies of a kind acting in a year."""
        return [
            (i, s)
            for i, s in enumerate(self.levers.strategies)
            if isinstance(s, kind) and s.active(year, self.start, self.horizon)
        ]

    def shares(self, index: int, population: np.ndarray) -> np.ndarray:
        """How a strategy's budget or quantity splits over municipalities (population shares)."""
        weights = np.zeros(len(population))
        target = self.targets[index]
        weights[target] = population[target]
        return weights / max(weights.sum(), 1)

    # --- places ---------------------------------------------------------------------
    def start_of_year(self, model: RegionModel) -> None:
        """Commuting times and amenity change as infrastructure and housing strategies say."""
        year = model.year
        for _, strategy in self.active(year, Infrastructure):
            if year == strategy.first_year(self.start):
                a, b = (model.region.node(strategy.from_node), model.region.node(strategy.to_node))
                faster = max(model.minutes[a, b] - strategy.minutes_saved, MIN_MINUTES)
                model.minutes[a, b] = model.minutes[b, a] = faster
        for i, strategy in self.active(year, Housing):
            years = strategy.last_year(self.horizon) - strategy.first_year(self.start) + 1
            for index in self.targets[i]:
                model.municipalities[index].amenity += strategy.amenity_gain / years

    def extra_dwellings(self, year: int, population: np.ndarray) -> np.ndarray:
        """Dwellings built this year by housing strategies, per municipality."""
        extra = np.zeros(len(population))
        for i, strategy in self.active(year, Housing):
            extra += strategy.dwellings_per_year * self.shares(i, population)
        return extra

    def cost(self, year: int, population: np.ndarray) -> np.ndarray:
        """MNOK spent this year: per municipality, and (last) by the whole region.

        A municipality spends what targets it and, under fragmented cooperation,
        its population share of regional budgets; under joint cooperation a
        regional budget is the region's own, in the region's total only.
        """
        spent, total = np.zeros(len(population)), 0.0
        for i, strategy in enumerate(self.levers.strategies):
            if strategy.active(year, self.start, self.horizon):
                total += strategy.budget_mnok_per_year
                if strategy.target != "regional" or self.levers.cooperation == "fragmented":
                    spent += strategy.budget_mnok_per_year * self.shares(i, population)
        return np.append(spent, total)

    # --- firms ----------------------------------------------------------------------
    def exit_factor(self, model: RegionModel) -> np.ndarray | None:
        """This year's factor on every firm's exit hazard (business services), or None."""
        acting = self.active(model.year, BusinessServices)
        if not acting:
            return None
        factor = np.ones(model.n_municipalities)
        for i, strategy in acting:
            factor[self.targets[i]] *= 1 - strategy.exit_reduction
        return factor[model.firms.municipality]

    def fill_probability(self, model: RegionModel) -> np.ndarray:
        """Chance that an open vacancy is filled in a round, per pool (business services)."""
        layout, p = model.layout, model.p
        speed = np.ones(model.n_municipalities)
        for i, strategy in self.active(model.year, BusinessServices):
            speed[self.targets[i]] *= 1 + strategy.hiring_speedup
        firm_pools = np.repeat(np.minimum(p.vacancy_fill_probability * speed, MAX_FILL_PROBABILITY), layout.n_sectors)
        outside = np.full(layout.n_pools - layout.n_firm_pools, p.vacancy_fill_probability)
        return np.concatenate([firm_pools, outside])

    def restructure(self, model: RegionModel, draws: Draws) -> None:
        """Firms of the sector restructure once, in the programme's first year."""
        firms, p = model.firms, model.p
        for i, strategy in self.active(model.year, RestructureIndustry):
            if i in self.restructured:
                continue
            self.restructured.add(i)
            rows = np.flatnonzero(
                firms.alive
                & ~firms.fixed
                & (firms.sector == SECTOR_INDEX[strategy.sector])
                & np.isin(firms.municipality, self.targets[i])
            )
            cut = firms.positions[rows] / (1 + strategy.productivity_gain)  # the same output, fewer workers
            firms.positions[rows] = np.maximum(stochastic_round(cut, draws.uniform(firms.key[rows], 20 + i)), 1)
            gain = strategy.productivity_gain * p.restructuring_growth_per_gain
            firms.competitiveness[rows] += gain
            firms.boost[rows] += gain

    def startup_multiplier(self, model: RegionModel) -> tuple[np.ndarray, np.ndarray]:
        """Per pool: start-ups relative to the ordinary rate, and new firms' early-exit factor.

        A growth-culture programme works on entrepreneurs in market sectors only: public
        administration, education, health and care are run by municipalities and the state.
        """
        rate = np.ones((model.n_municipalities, len(SECTOR_KEYS)))
        early = np.ones((model.n_municipalities, len(SECTOR_KEYS)))
        market = list(MARKET_SECTORS)
        for i, strategy in self.active(model.year, GrowthCulture):
            rate[np.ix_(self.targets[i], market)] *= strategy.startup_rate_multiplier
            early[np.ix_(self.targets[i], market)] *= strategy.early_exit_multiplier
        return rate.ravel(), early.ravel()

    def arrivals(self, model: RegionModel, draws: Draws) -> NewFirms:
        """Firms that arrive this year: spin-offs from research and attracted firms."""
        new = NewFirms()
        for i, strategy in self.active(model.year, CommercialiseRnd):
            self._spin_off(i, strategy, model, draws, new)
        for i, strategy in self.active(model.year, AttractBusinesses):
            self._attract(i, strategy, model, draws, new)
        return new

    def _spin_off(self, i: int, strategy: CommercialiseRnd, model: RegionModel, draws: Draws, new: NewFirms) -> None:
        if model.year < strategy.first_year(self.start) + strategy.lag_years:
            return
        source_municipality, sector = model.region.rnd_sources[strategy.source]
        municipality = source_municipality if strategy.target == "regional" else int(self.targets[i][0])
        count = int(poisson_from_uniform(np.array(strategy.spinoffs_per_year), draws.uniform(np.array([i]), 30))[0])
        keys = draws.new_ids(np.arange(count, dtype=np.uint64) + np.uint64(i << 40), draw=30)
        # Some cases are the source's own spin-offs, which come anyway (where the source is, wherever the
        # programme places its own): it supports them, and they are its deadweight.
        ordinary = model.ordinary_arrivals.spinoffs.get(strategy.source, np.zeros(0, np.int64))
        claimed, new_ones = self._ordinary_cases(model, ordinary, draws.uniform(keys, 33), draws)
        model.firms.assisted[claimed] = True
        model.firms.hazard_factor[claimed] *= 1 - strategy.survival_boost
        keys = keys[new_ones]
        count = len(keys)
        p = model.p
        new.append(
            Origin.SPINOFF,
            key=keys,
            municipality=np.full(count, municipality),
            sector=np.full(count, sector),
            positions=1 + poisson_from_uniform(np.full(count, p.startup_mean_jobs - 1), draws.uniform(keys, 31)),
            competitiveness=p.spinoff_growth_advantage + draws.normal(keys, 32) * p.competitiveness_sd,
            hazard_factor=np.full(count, 1 - strategy.survival_boost),
        )

    @staticmethod
    def _ordinary_cases(
        model: RegionModel, rows: np.ndarray, uniforms: np.ndarray, draws: Draws
    ) -> tuple[np.ndarray, np.ndarray]:
        """Which of a programme's cases are ordinary arrivals (their rows), and which cases it must win (a mask).

        A programme cannot tell the firms that would come anyway from the others. Its n cases (one
        uniform each) are drawn without replacement from a field of this year's ordinary arrivals
        of its kind, not yet claimed by another strategy, and n firms that come only if won: the
        number of ordinary ones is hypergeometric, and which arrivals they are is drawn (keyed on
        the firms), so no municipality's firms come first.
        """
        free = rows[~model.firms.assisted[rows]]
        free = free[np.argsort(draws.uniform(model.firms.key[free], 46), kind="stable")]
        ordinary = np.zeros(len(uniforms), bool)
        left, others = len(free), len(uniforms)
        for case, u in enumerate(uniforms):
            if left == 0:
                break
            ordinary[case] = u < left / (left + others)
            left, others = (left - 1, others) if ordinary[case] else (left, others - 1)
        return free[: int(ordinary.sum())], ~ordinary

    def _attract(self, i: int, strategy: AttractBusinesses, model: RegionModel, draws: Draws, new: NewFirms) -> None:
        p = model.p
        prospects = int(poisson_from_uniform(np.array(strategy.firms_per_year), draws.uniform(np.array([i]), 40))[0])
        if prospects == 0:
            return
        keys = draws.new_ids(np.arange(prospects, dtype=np.uint64) + np.uint64(i << 40), draw=40)
        target = self.targets[i]
        # Some cases are inward establishments of the sector that come this year anyway.
        inward = model.ordinary_arrivals.inward
        firms = model.firms
        field = inward[
            (firms.sector[inward] == SECTOR_INDEX[strategy.sector]) & np.isin(firms.municipality[inward], target)
        ]
        ordinary, to_win = self._ordinary_cases(model, field, draws.uniform(keys, 45), draws)
        mu = np.log(strategy.mean_jobs_per_firm) - ATTRACTED_SIZE_SIGMA**2 / 2
        sizes = np.maximum(np.rint(np.exp(mu + ATTRACTED_SIZE_SIGMA * draws.normal(keys, 41))), 1).astype(np.int64)
        labour = min(
            1.0, float(response(model.vacancy_signal, model.base_vacancy_rate, -p.attraction_labour_elasticity))
        )
        # Handling comes first; the offer is what is left (at least the standard offer once funded).
        per_prospect = max(
            strategy.budget_mnok_per_year / max(strategy.firms_per_year, 1e-9) - p.prospect_handling_mnok, 0.0
        )
        land = np.array([mu_.business_land_ha for mu_ in model.municipalities])
        positions = model.pool_positions.reshape(model.n_municipalities, -1)
        cluster = positions[:, SECTOR_INDEX[strategy.sector]] / np.maximum(positions.sum(axis=1), 1)
        quality = model.labour_within_reach() * cluster  # workers within reach, and firms of the kind
        joint = self.levers.cooperation == "joint" or len(target) == 1
        offers = per_prospect * (
            self.shares(i, model.population_now()) if not joint else np.isin(np.arange(len(land)), target)
        )
        for row in ordinary:
            # A firm that comes anyway takes the offer with the chance the offer would win one that does not:
            # the programme's money, not the firm's decision, makes it deadweight.
            spend = per_prospect if joint else offers[firms.municipality[row]]
            if draws.uniform(firms.key[row : row + 1], 47)[0] < 1 - np.exp(-spend / p.attraction_cost_mnok):
                firms.assisted[row] = True
        for k in np.flatnonzero(to_win):
            need = sizes[k] * p.land_ha_per_job
            if joint:
                spend, sites = per_prospect, target[land[target] >= need]
                site = int(sites[np.argmax(quality[sites])]) if len(sites) else -1
            else:
                odds = offers / offers.sum()
                site = int(
                    np.searchsorted(np.cumsum(odds), draws.uniform(keys[k : k + 1], 42)[0] * odds.sum(), side="right")
                )
                site = min(site, len(odds) - 1)
                spend = offers[site]
                site = site if land[site] >= need else -1
            chance = (1 - np.exp(-spend / p.attraction_cost_mnok)) * labour
            if site < 0 or draws.uniform(keys[k : k + 1], 43)[0] >= chance:
                continue
            land[site] -= need
            model.municipalities[site].business_land_ha -= need
            new.append(
                Origin.ATTRACTED,
                key=keys[k : k + 1],
                municipality=np.array([site]),
                sector=np.array([SECTOR_INDEX[strategy.sector]]),
                positions=sizes[k : k + 1],
                competitiveness=draws.normal(keys[k : k + 1], 44) * p.competitiveness_sd,
            )
