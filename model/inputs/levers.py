"""Levers: the strategies a region can choose, and how it cooperates.

``levers:`` in a scenario holds ``cooperation`` (``joint`` or ``fragmented``)
and ``strategies``, a list of mappings each with a ``type`` (see
:mod:`model.inputs.strategies`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator

from model.inputs.strategies import (
    STRATEGY_CLASSES,
    STRATEGY_TYPES,
    AttractBusinesses,
    BusinessServices,
    CommercialiseRnd,
    GrowthCulture,
    Housing,
    Infrastructure,
    RestructureIndustry,
)
from model.inputs.validation import Strict

Strategy = Annotated[
    AttractBusinesses
    | CommercialiseRnd
    | BusinessServices
    | RestructureIndustry
    | GrowthCulture
    | Housing
    | Infrastructure,
    Field(discriminator="type"),
]


class Levers(Strict):
    """What the region chooses: its strategies and how its municipalities cooperate."""

    cooperation: Literal["joint", "fragmented"] = "fragmented"
    """`joint`: one regional attraction and reception apparatus with the pooled budget, placing
    firms at the best site; `fragmented` (as today): each municipality has its own share of the
    budget (by population), competes for the same arriving firms and places them in its own
    territory."""
    strategies: list[Strategy] = Field(default_factory=list, max_length=100)
    """The strategies, each a mapping with a `type` (an empty `strategies:` means none)."""

    @field_validator("strategies", mode="before")
    @classmethod
    def _empty_means_none(cls, value: object) -> object:
        return [] if value is None else value


__all__ = ["STRATEGY_CLASSES", "STRATEGY_TYPES", "Levers", "Strategy"]
