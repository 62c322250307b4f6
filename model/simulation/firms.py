"""Firms: establishments with employees, as Mesa agents over a shared table.

Each firm is a ``mesa.Agent`` with identity and verb methods; its numbers live
in one row of a :class:`FirmTable` so that the yearly growth, exit and hiring
of thousands of firms are computed at once. Rows are never reused: a person's
``employer`` is a row number, valid for the whole run.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import IntEnum
from typing import TYPE_CHECKING

import mesa
import numpy as np

from model.inputs.sectors import SECTOR_KEYS
from model.simulation.persons import NODE_DTYPE

if TYPE_CHECKING:
    from model.simulation.persons import Persons
    from model.simulation.region_model import RegionModel


class Origin(IntEnum):
    """How a firm came to the region."""

    EXISTING = 0
    STARTUP = 1
    SPINOFF = 2
    ATTRACTED = 3
    INWARD = 4  # an establishment of a firm from outside that comes without any strategy


@dataclass
class FirmTable:
    """The numbers of every firm that ever existed in a run, one row each.

    Attributes:
        key: a 64-bit identity; the firm's random draws are tied to it.
        municipality: municipality index of the workplace.
        sector: sector index (see model.inputs.sectors).
        positions: desired employment; vacancies are positions not filled.
        competitiveness: persistent yearly growth advantage over the sector trend.
        founded: founding year.
        origin: an Origin.
        alive: false once closed.
        fixed: an exogenous employer whose positions are held and who never closes.
        ordinary: an existing firm or an ordinary start-up; firms that strategies bring
            (attracted, spin-offs, programme start-ups) and fixed employers are not ordinary,
            and ordinary entry does not replace them when they close.
        assisted: an ordinary firm (an inward establishment or a research spin-off that would have
            come anyway) that a strategy courted or supported: its jobs are the strategy's deadweight.
        boost: the part of competitiveness that strategies added (restructuring).
        hazard_factor: multiplies the firm's whole exit hazard (a spin-off's better survival).
        early_hazard_factor: multiplies its excess hazard of newness (start-ups founded under a
            growth-culture programme take more risk).
        external: in-commuters employed, by outside node, shape (rows, outside nodes).
    """

    key: np.ndarray
    municipality: np.ndarray
    sector: np.ndarray
    positions: np.ndarray
    competitiveness: np.ndarray
    founded: np.ndarray
    origin: np.ndarray
    alive: np.ndarray
    fixed: np.ndarray
    ordinary: np.ndarray
    assisted: np.ndarray
    boost: np.ndarray
    hazard_factor: np.ndarray
    early_hazard_factor: np.ndarray
    external: np.ndarray

    @classmethod
    def empty(cls, n_outside: int) -> FirmTable:
        """A table without firms."""
        return cls(
            key=np.zeros(0, np.uint64),
            municipality=np.zeros(0, NODE_DTYPE),
            sector=np.zeros(0, np.int8),
            positions=np.zeros(0, np.int64),
            competitiveness=np.zeros(0, np.float64),
            founded=np.zeros(0, np.int16),
            origin=np.zeros(0, np.int8),
            alive=np.zeros(0, bool),
            fixed=np.zeros(0, bool),
            ordinary=np.zeros(0, bool),
            assisted=np.zeros(0, bool),
            boost=np.zeros(0, np.float64),
            hazard_factor=np.zeros(0, np.float64),
            early_hazard_factor=np.zeros(0, np.float64),
            external=np.zeros((0, n_outside), np.int64),
        )

    @classmethod
    def concatenate(cls, parts: list[FirmTable], n_outside: int) -> FirmTable:
        """One table of the rows of several, in order (built once, not grown part by part)."""
        table = cls.empty(n_outside)
        for column in fields(cls):
            name = column.name
            setattr(table, name, np.concatenate([getattr(table, name)] + [getattr(part, name) for part in parts]))
        return table

    def __len__(self) -> int:
        return len(self.positions)

    def add(
        self,
        key: np.ndarray,
        municipality: np.ndarray,
        sector: np.ndarray,
        positions: np.ndarray,
        competitiveness: np.ndarray,
        founded: int,
        origin: Origin,
        fixed: bool = False,
        ordinary: bool = True,
        hazard_factor: np.ndarray | float = 1.0,
        early_hazard_factor: np.ndarray | float = 1.0,
    ) -> np.ndarray:
        """Append new firms; returns their rows."""
        n = len(positions)
        start = len(self)
        new = {
            "key": np.asarray(key, np.uint64),
            "municipality": np.asarray(municipality, NODE_DTYPE),
            "sector": np.asarray(sector, np.int8),
            "positions": np.asarray(positions, np.int64),
            "competitiveness": np.asarray(competitiveness, np.float64),
            "founded": np.full(n, founded, np.int16),
            "origin": np.full(n, origin, np.int8),
            "alive": np.ones(n, bool),
            "fixed": np.full(n, fixed, bool),
            "ordinary": np.full(n, ordinary and not fixed, bool),
            "assisted": np.zeros(n, bool),
            "boost": np.zeros(n, np.float64),
            "hazard_factor": np.broadcast_to(np.asarray(hazard_factor, np.float64), (n,)).copy(),
            "early_hazard_factor": np.broadcast_to(np.asarray(early_hazard_factor, np.float64), (n,)).copy(),
            "external": np.zeros((n, self.external.shape[1]), np.int64),
        }
        for column in fields(self):
            name = column.name
            setattr(self, name, np.concatenate([getattr(self, name), new[name]]))
        return np.arange(start, start + n)

    def pool(self, n_sectors: int = len(SECTOR_KEYS)) -> np.ndarray:
        """Municipality x sector pool of each row."""
        return self.municipality.astype(np.int64) * n_sectors + self.sector

    def employees(self, persons: Persons) -> np.ndarray:
        """Filled positions per row: resident workers plus in-commuters."""
        working = persons.employer[persons.employer >= 0]
        return np.bincount(working, minlength=len(self)) + self.external.sum(axis=1)

    def vacancies(self, persons: Persons) -> np.ndarray:
        """Unfilled positions per row (zero for closed firms)."""
        return np.where(self.alive, np.maximum(self.positions - self.employees(persons), 0), 0)


class Firm(mesa.Agent):
    """An establishment with employees, located in a municipality and a sector."""

    def __init__(self, model: RegionModel, row: int):
        super().__init__(model)
        self.row = row

    @property
    def table(self) -> FirmTable:
        """The model's firm table, where this firm's numbers live."""
        return self.model.firms

    @property
    def sector(self) -> str:
        """Sector key."""
        return SECTOR_KEYS[self.table.sector[self.row]]

    @property
    def municipality(self) -> str:
        """Name of the municipality of the workplace."""
        return self.model.region.municipalities[self.table.municipality[self.row]]

    @property
    def positions(self) -> int:
        """Desired employment."""
        return int(self.table.positions[self.row])

    @property
    def employees(self) -> int:
        """Filled positions: residents working here plus in-commuters."""
        persons = self.model.persons
        return int(np.count_nonzero(persons.employer == self.row) + self.table.external[self.row].sum())

    @property
    def age(self) -> int:
        """Years since founding."""
        return int(self.model.year - self.table.founded[self.row])

    @property
    def origin(self) -> Origin:
        """How the firm came to the region."""
        return Origin(int(self.table.origin[self.row]))

    def close(self) -> None:
        """Close the firm: its workers lose their jobs, the agent leaves the model."""
        self.model.close_firms(np.array([self.row]))
