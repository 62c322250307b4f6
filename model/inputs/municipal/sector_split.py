"""Jobs by sector per municipality: a documented estimate.

The sources hold no industry table per municipality. The rule:

1. Norway's jobs by sector are the NAV/SSB employment by SN2007 group of 2016
   (``scenarios/national/norway/employment_by_industry_2015_2016.csv``), grouped
   into the model's eight sectors.
2. The sectors that serve residents get what the municipality's residents
   would need at national rates: national jobs of the sector per person of the
   group it serves (SERVED_BY), times the municipality's persons in that group
   (1 January after the 4th quarter), scaled to Norway's jobs of that
   4th quarter. At most LOCAL_CAP of a municipality's
   jobs go to them; above that they are scaled down together.
3. The remaining jobs are split over the other sectors in their national
   proportions.
4. Each row is rounded by largest remainders so that it sums exactly to the
   municipality's jobs by workplace (SSB 11618).

Centres that serve a wider area (a hospital, a county administration) get
those jobs in the basic and regional sectors by this rule; a user with SSB
07979 or the municipality's own figures replaces the table (the region README
gives its format).
"""

from __future__ import annotations

import numpy as np

from model.inputs.sectors import SECTOR_KEYS
from model.inputs.tables import read_table

# SN2007 groups of the national table, by model sector.
SECTOR_GROUPS: dict[str, tuple[str, ...]] = {
    "agriculture_food": ("Jordbruk skogbruk og fiske",),
    "manufacturing": ("Bergverksdrift og utvinning", "Industri", "Elektrisitet vann og renovasjon"),
    "ict_technical": ("Informasjon og kommunikasjon", "Faglig vitenskapelig og teknisk tjenesteyting"),
    "retail_hospitality": (
        "Varehandel reparasjon av motorvogner",
        "Overnattings- og serveringsvirksomhet",
        "Private tjenester ellers",
    ),
    "construction": ("Bygge og anleggsvirksomhet",),
    "business_services": (
        "Transport og lagring",
        "Finansiering og forsikringsvirksomhet",
        "Omsetning og drift av fast eiendom",
        "Forretningsmessig tjenesteyting",
    ),
    "public_services": ("Off.adm. forsvar sosialforsikring", "Undervisning"),
    "health_care": ("Helse og sosialtjenester",),
}
# Resident-serving sectors and the ages they serve, with weights per person
# (estimate: care need rises steeply with age; schools serve ages 6-19, the
# administration everyone). Ages are inclusive ranges.
SERVED_BY: dict[str, tuple[tuple[int, int, float], ...]] = {
    "retail_hospitality": ((0, 105, 1.0),),
    "public_services": ((0, 105, 1.0), (6, 19, 3.0)),
    "health_care": ((0, 66, 1.0), (67, 79, 3.0), (80, 105, 10.0)),
}
LOCAL_CAP = 0.8  # at most this share of a municipality's jobs serves its own residents
NATIONAL_YEAR_COLUMN = "employed_2016"


def national_jobs_by_sector(national_folder) -> np.ndarray:
    """Norway's jobs by model sector (2016)."""
    path = national_folder / "employment_by_industry_2015_2016.csv"
    table = read_table(path, ["industry", NATIONAL_YEAR_COLUMN], numeric=[NATIONAL_YEAR_COLUMN])
    jobs = table.set_index("industry")[NATIONAL_YEAR_COLUMN]
    return np.array([sum(float(jobs[group]) for group in SECTOR_GROUPS[key]) for key in SECTOR_KEYS])


def served(persons: np.ndarray, key: str) -> np.ndarray:
    """Weighted persons a resident-serving sector serves; persons shape (..., 2 sexes, 106 ages)."""
    by_age = persons.sum(axis=-2)
    return sum(weight * by_age[..., lo : hi + 1].sum(axis=-1) for lo, hi, weight in SERVED_BY[key])


def estimate_split(
    jobs: np.ndarray, persons: np.ndarray, national: np.ndarray, nation: np.ndarray, national_total: float
) -> np.ndarray:
    """Jobs by municipality and sector, each row summing exactly to the municipality's jobs.

    Args:
        jobs: jobs by workplace per municipality (one 4th quarter).
        persons: persons per municipality by sex and age, on the 1 January after it.
        national: Norway's jobs by sector (their proportions are used).
        nation: Norway's persons by sex and age, same date.
        national_total: Norway's jobs by workplace in the same 4th quarter.
    """
    local = [SECTOR_KEYS.index(key) for key in SERVED_BY]
    other = [i for i in range(len(SECTOR_KEYS)) if i not in local]
    share = national / national.sum()
    need = np.zeros((len(jobs), len(SECTOR_KEYS)))
    for key in SERVED_BY:
        k = SECTOR_KEYS.index(key)
        need[:, k] = share[k] * national_total * served(persons, key) / served(nation, key)
    total_need = need.sum(axis=1)
    cap = LOCAL_CAP * jobs
    factor = np.where(total_need > cap, cap / np.maximum(total_need, 1e-9), 1.0)
    need *= factor[:, None]
    rest = jobs - need.sum(axis=1)
    need[:, other] = rest[:, None] * (share[other] / share[other].sum())[None, :]
    return np.array([round_to(row, int(total)) for row, total in zip(need, jobs, strict=True)])


def round_to(values: np.ndarray, total: int) -> np.ndarray:
    """Whole numbers summing to total, by largest remainders."""
    values = values * (total / values.sum()) if values.sum() > 0 else np.full(len(values), total / len(values))
    whole = np.floor(values).astype(np.int64)
    order = np.argsort(-(values - whole), kind="stable")
    whole[order[: total - int(whole.sum())]] += 1
    return whole
