"""The life of firms as Mesa agents: founding, registering, closing, shrinking.

A mixin of RegionModel: these methods keep the firm table and the Mesa
agents in step, and move workers when firms close or shrink.
"""

from __future__ import annotations

import numpy as np

from model.inputs.sectors import BASIC_SECTORS, SECTOR_INDEX, SECTOR_KEYS
from model.simulation import firm_dynamics
from model.simulation.demand import demand_ratio
from model.simulation.firms import Firm, Origin
from model.simulation.ordinary_arrivals import Batch, OrdinaryArrivals, inward_establishments, research_spinoffs
from model.simulation.persons import Status
from model.simulation.randomness import Draws, poisson_from_uniform, rank_within_groups
from model.simulation.strategy_effects import NewFirms


class FirmLifecycle:
    """Firm agents of the region model (mixed into RegionModel)."""

    def close_firms(self, rows: np.ndarray) -> None:
        """Close firms: their resident workers search, in-commuters leave, agents go."""
        if len(rows) == 0:
            return
        closed = np.zeros(len(self.firms), bool)
        closed[rows] = True
        persons = self.persons
        laid_off = np.flatnonzero((persons.employer >= 0) & closed[np.maximum(persons.employer, 0)])
        persons.leave_jobs(laid_off)
        persons.status[laid_off] = Status.UNEMPLOYED
        self.firms.external[rows] = 0
        self.firms.alive[rows] = False
        for row in rows:
            self.firm_agents.pop(int(row)).remove()

    def add_fixed_employer(self, municipality: str, sector: str, positions: int) -> Firm:
        """An exogenous employer: its positions are held and it never closes.

        Used to study the local multiplier (a permanent block of basic jobs).
        """
        key = self.stream("firms").new_ids(np.array([len(self.firms)], dtype=np.uint64), draw=3)
        rows = self.firms.add(
            key=key,
            municipality=[self.region.municipality(municipality)],
            sector=[SECTOR_INDEX[sector]],
            positions=[positions],
            competitiveness=[0.0],
            founded=self.year,
            origin=Origin.ATTRACTED,
            fixed=True,
        )
        return self._register(rows)[0]

    def _register(self, rows: np.ndarray) -> list[Firm]:
        """Mesa agents for new rows of the firm table."""
        agents = [Firm(self, int(row)) for row in rows]
        self.firm_agents.update({agent.row: agent for agent in agents})
        return agents

    def _found(self, new: NewFirms) -> None:
        """Add the firms strategies bring this year."""
        for i, origin in enumerate(new.origin):
            rows = self.firms.add(
                key=new.key[i],
                municipality=new.municipality[i],
                sector=new.sector[i],
                positions=new.positions[i],
                competitiveness=new.competitiveness[i],
                founded=self.year,
                origin=origin,
                ordinary=False,
                hazard_factor=new.hazard_factor[i],
            )
            self._register(rows)

    def _ordinary_entry(self, expected: np.ndarray, draws: Draws) -> np.ndarray:
        """Found this year's inward establishments and research spin-offs; returns the start-ups left per pool.

        Their rows are kept in ``ordinary_arrivals`` for the strategies that court or support them.
        """
        inward, expected = inward_establishments(expected, self.region.national.establishment_size, self.p, draws)
        spinoffs, expected = research_spinoffs(expected, self.region.rnd_sources, self.p, draws)
        arrivals = OrdinaryArrivals(inward=self._add_ordinary(inward, Origin.INWARD))
        arrivals.spinoffs = {name: self._add_ordinary(batch, Origin.SPINOFF) for name, batch in spinoffs.items()}
        self.ordinary_arrivals = arrivals
        return expected

    def _add_ordinary(self, batch: Batch, origin: Origin) -> np.ndarray:
        rows = self.firms.add(
            key=batch.key,
            municipality=batch.municipality,
            sector=batch.sector,
            positions=batch.positions,
            competitiveness=batch.competitiveness,
            founded=self.year,
            origin=origin,
        )
        self._register(rows)
        return rows

    def _pool_growth(self) -> np.ndarray:
        """Growth factor of each municipality x sector pool this year."""
        m, k = self.n_municipalities, len(SECTOR_KEYS)
        current = self.pool_positions
        target = self.base_pool_positions * demand_ratio(self.drivers, self.base_drivers, self.p).ravel()
        gap = np.where(current > 0, target / np.maximum(current, 1), 1.0)
        growth = (1 + self.p.demand_adjustment_speed * (gap - 1)).reshape(m, k)
        cycle = self.national.job_cycle(self.year) if self.context.job_growth_path == "national" else 1.0
        for s in BASIC_SECTORS:
            growth[:, s] = (1 + self.context.national_job_growth.get(SECTOR_KEYS[s], 0.0)) * cycle
        return growth.ravel()

    def _start_firms(self, expected: np.ndarray, rate: np.ndarray, early_exit: np.ndarray, draws: Draws) -> np.ndarray:
        """New employer firms per pool: ordinary entry, and the extra entry of growth-culture programmes.

        Ordinary start-ups are drawn exactly as without strategies (common random
        numbers); a programme's extra start-ups are drawn apart and, like other
        firms strategies bring, are not replaced by ordinary entry when they close.
        """
        started = np.zeros(self.n_municipalities, dtype=np.int64)
        for programme, mean in ((False, expected), (True, expected * np.maximum(rate - 1, 0))):
            k = len(SECTOR_KEYS)
            pool_ids = np.arange(len(mean), dtype=np.uint64)
            counts = poisson_from_uniform(mean, draws.uniform(pool_ids, 6 if programme else 4))
            pools = np.repeat(np.arange(len(counts)), counts)
            nth = np.arange(len(pools)) - np.repeat(np.cumsum(counts) - counts, counts)
            keys = draws.new_ids(
                (pools.astype(np.uint64) << np.uint64(32)) + nth.astype(np.uint64), draw=7 if programme else 2
            )
            rows = self.firms.add(
                key=keys,
                municipality=pools // k,
                sector=pools % k,
                positions=firm_dynamics.startup_sizes(keys, self.p, draws),
                competitiveness=draws.normal(keys, 5) * self.p.competitiveness_sd,
                founded=self.year,
                origin=Origin.STARTUP,
                ordinary=not programme,
                early_hazard_factor=early_exit[pools] if programme else 1.0,
            )
            self._register(rows)
            started += np.bincount(pools // k, minlength=self.n_municipalities)
        return started

    def _lay_off_excess(self, draws: Draws) -> None:
        """Firms with more workers than positions let the excess go, every worker alike."""
        firms, persons = self.firms, self.persons
        residents = np.bincount(persons.employer[persons.employer >= 0], minlength=len(firms))
        excess = np.where(firms.alive, np.maximum(residents + firms.external.sum(1) - firms.positions, 0), 0)
        if not excess.any():
            return
        # Draw the leavers without replacement over (in-commuters by node, residents).
        to_draw, pool_left = excess.copy(), residents + firms.external.sum(1)
        for node in range(firms.external.shape[1]):
            here = firms.external[:, node]
            taken = draws.rng.hypergeometric(here, pool_left - here, to_draw)
            firms.external[:, node] -= taken
            to_draw -= taken
            pool_left -= here
        employed = np.flatnonzero(persons.employer >= 0)
        employed = employed[to_draw[persons.employer[employed]] > 0]  # only where someone must go
        rank = rank_within_groups(persons.employer[employed], draws.uniform(persons.pid[employed], 6))
        laid_off = employed[rank < to_draw[persons.employer[employed]]]
        persons.leave_jobs(laid_off)
        persons.status[laid_off] = Status.UNEMPLOYED
