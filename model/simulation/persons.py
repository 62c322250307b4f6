"""Persons (residents, commuters) as columns of numpy arrays.

Each person is an agent with individual state and individual, stochastic
decisions, but the state lives in one array per attribute so that every yearly
decision is computed for all persons at once. Removing and adding persons
happens in batches (deaths, births, moves), never one at a time.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import IntEnum

import numpy as np

NO_EMPLOYER = -1  # employer of a person without a job or working at an outside node
NO_WORKPLACE = -1  # workplace node of a person without a job
NODE_DTYPE = np.int16  # municipality and node indices: room for every municipality of Norway


class Status(IntEnum):
    """What a person does; derived each year from age, attachment and job."""

    CHILD = 0
    STUDENT = 1
    EMPLOYED = 2
    UNEMPLOYED = 3
    RETIRED = 4
    OUTSIDE = 5  # outside the labour force for other reasons (disability, care, ...)


@dataclass
class Persons:
    """All residents of the region, one row each.

    Attributes:
        pid: a 64-bit identity, never reused; random draws are tied to it.
        age: completed years on 1 January (0..105; 105 means 105 and over).
        sex: 0 female, 1 male.
        home: municipality index of residence.
        attachment: latent labour-market attachment in [0, 1); a person is in the
            labour force while it lies below the participation share of their sex
            and age, so cohorts enter and leave the labour force realistically.
        employer: row of the firm they work for, or NO_EMPLOYER.
        workplace: node they work at (a municipality or outside node), or NO_WORKPLACE.
        status: a Status, kept in step with the above.
    """

    pid: np.ndarray
    age: np.ndarray
    sex: np.ndarray
    home: np.ndarray
    attachment: np.ndarray
    employer: np.ndarray
    workplace: np.ndarray
    status: np.ndarray

    @classmethod
    def new(
        cls, pid: np.ndarray, age: np.ndarray, sex: np.ndarray, home: np.ndarray, attachment: np.ndarray
    ) -> Persons:
        """Persons without jobs (statuses set by the labour-supply phase)."""
        n = len(age)
        return cls(
            pid=np.asarray(pid, dtype=np.uint64),
            age=np.asarray(age, dtype=np.int16),
            sex=np.asarray(sex, dtype=np.int8),
            home=np.asarray(home, dtype=NODE_DTYPE),
            attachment=np.asarray(attachment, dtype=np.float32),
            employer=np.full(n, NO_EMPLOYER, dtype=np.int32),
            workplace=np.full(n, NO_WORKPLACE, dtype=NODE_DTYPE),
            status=np.full(n, Status.CHILD, dtype=np.int8),
        )

    def __len__(self) -> int:
        return len(self.age)

    @property
    def employed(self) -> np.ndarray:
        """Mask of persons with a job (in the region or at an outside node)."""
        return self.workplace != NO_WORKPLACE

    def keep(self, mask: np.ndarray) -> None:
        """Keep only the persons where mask is true (deaths, out-migration)."""
        for column in fields(self):
            setattr(self, column.name, getattr(self, column.name)[mask])

    def extend(self, other: Persons) -> None:
        """Append new persons (births, in-migrants)."""
        for column in fields(self):
            name = column.name
            setattr(self, name, np.concatenate([getattr(self, name), getattr(other, name)]))

    def leave_jobs(self, who: np.ndarray) -> None:
        """The persons selected (mask or indices) lose their jobs."""
        self.employer[who] = NO_EMPLOYER
        self.workplace[who] = NO_WORKPLACE

    def take_jobs(self, who: np.ndarray, employer: np.ndarray, workplace: np.ndarray) -> None:
        """The persons selected start working at the given employer and node."""
        self.employer[who] = employer
        self.workplace[who] = workplace
        self.status[who] = Status.EMPLOYED
