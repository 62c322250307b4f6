"""The eight sectors and the four classes of the Norwegian regional analysis.

Basic (export) industries grow with national trends and their own
competitiveness; visitor, regional and local industries follow the residents,
firms and visitors they serve. Causation runs from basic to the others only.
"""

from __future__ import annotations

from enum import StrEnum


class SectorClass(StrEnum):
    """Class of a sector in the regional analysis (Telemarksforsking's split)."""

    BASIC = "basic"
    VISITOR = "visitor"
    REGIONAL = "regional"
    LOCAL = "local"


SECTORS: dict[str, tuple[SectorClass, str]] = {
    "agriculture_food": (SectorClass.BASIC, "agriculture, forestry, fishing, food processing"),
    "manufacturing": (SectorClass.BASIC, "other manufacturing, mining, energy and water"),
    "ict_technical": (
        SectorClass.BASIC,
        "information and communication; professional, scientific and technical services",
    ),
    "retail_hospitality": (
        SectorClass.VISITOR,
        "trade and repair, accommodation and food service, culture and personal services",
    ),
    "construction": (SectorClass.REGIONAL, "construction"),
    "business_services": (
        SectorClass.REGIONAL,
        "administrative services, transport and storage, finance, real estate",
    ),
    "public_services": (SectorClass.LOCAL, "public administration, education"),
    "health_care": (SectorClass.LOCAL, "health and social work"),
}

SECTOR_KEYS: tuple[str, ...] = tuple(SECTORS)
SECTOR_INDEX: dict[str, int] = {key: i for i, key in enumerate(SECTOR_KEYS)}
BASIC_SECTORS: tuple[int, ...] = tuple(i for i, key in enumerate(SECTOR_KEYS) if SECTORS[key][0] is SectorClass.BASIC)
PUBLIC_SECTORS: tuple[int, ...] = (SECTOR_INDEX["public_services"], SECTOR_INDEX["health_care"])
"""Sectors run mostly by municipalities and the state: no entrepreneurship programme founds firms there."""
MARKET_SECTORS: tuple[int, ...] = tuple(i for i in range(len(SECTOR_KEYS)) if i not in PUBLIC_SECTORS)
