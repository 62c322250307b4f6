"""What every strategy has: a type, a period, a target and a budget.

A strategy is one small pydantic class (its scenario fields, documented with
unit and range). Years are calendar years inside the run; ``from`` and ``to``
default to the first year of the reporting window and to the horizon.
"""

from __future__ import annotations

from pydantic import ConfigDict, Field

from model.inputs.validation import Strict

MAX_BUDGET_MNOK = 100_000.0  # a sanity bound: no region spends 100 billion NOK a year


class StrategyBase(Strict):
    """Fields common to every strategy."""

    model_config = ConfigDict(populate_by_name=True)

    start: int | None = Field(None, alias="from", ge=1900, le=2200)
    """First year the strategy acts and spends (default: the first year of the reporting window)."""
    end: int | None = Field(None, alias="to", ge=1900, le=2200)
    """Last year the strategy acts and spends (default: the horizon)."""
    target: str = "regional"
    """`regional`, or a municipality by name or number."""
    budget_mnok_per_year: float = Field(0.0, ge=0, le=MAX_BUDGET_MNOK)
    """Money spent each active year, in million NOK (MNOK)."""

    def first_year(self, window_start: int) -> int:
        """First active year."""
        return self.start if self.start is not None else window_start

    def last_year(self, horizon: int) -> int:
        """Last active year."""
        return self.end if self.end is not None else horizon

    def active(self, year: int, window_start: int, horizon: int) -> bool:
        """Whether the strategy acts (and spends) in a year."""
        return self.first_year(window_start) <= year <= self.last_year(horizon)
