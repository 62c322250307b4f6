"""Commuting times between municipalities, by a rule fitted to the BA classification.

The sources hold no travel times. The rule takes the great-circle distance
between two label points (SSB's point in the largest part of each
municipality, near where people live; area centroids can lie far from it, 14 km
for Bodø) and turns it into car minutes with a straight line fitted by least
squares to the BA classification's ``ba_travel_time_min`` (NIBR 2020: travel
time from each member municipality to its region's centre municipality):

    minutes = ACCESS_MINUTES + MINUTES_PER_KM * great-circle km

The intercept stands for getting onto the main road at both ends and for
residents living spread around the label point; the slope is the road detour
over the average speed. Fitted on the 175 member municipalities whose BA region
has one centre (`fit_rule` reproduces it). Inside a municipality the time is
INTERNAL_MINUTES + INTERNAL_PER_SQRT_KM2 * sqrt(area), fitted the same way on
the centres' own times (their ``ba_travel_time_min`` is the trip inside the
centre).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

EARTH_RADIUS_KM = 6371.0
ACCESS_MINUTES = 14.76  # fitted, see fit_rule(); mean absolute error 9.1 min against the BA times
MINUTES_PER_KM = 0.6565  # fitted, great-circle km
INTERNAL_MINUTES = 10.52  # fitted on 160 centre and single-municipality BA regions; MAE 5.7 min
INTERNAL_PER_SQRT_KM2 = 0.1192
DAILY_REACH_MINUTES = 90.0  # at most 90 minutes one way: the limit of daily commuting


def great_circle_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance in km between points given in degrees (broadcasts)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dlat, dlon = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    h = np.sin(dlat / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(h))


def minutes_between(municipalities: pd.DataFrame, origins: list[str], destinations: list[str]) -> np.ndarray:
    """Car minutes from each origin to each destination municipality (codes), by the rule."""
    a = municipalities.loc[origins]
    b = municipalities.loc[destinations]
    km = great_circle_km(
        a["label_lat"].to_numpy()[:, None],
        a["label_lon"].to_numpy()[:, None],
        b["label_lat"].to_numpy()[None, :],
        b["label_lon"].to_numpy()[None, :],
    )
    minutes = ACCESS_MINUTES + MINUTES_PER_KM * km
    same = np.asarray(origins)[:, None] == np.asarray(destinations)[None, :]
    internal = INTERNAL_MINUTES + INTERNAL_PER_SQRT_KM2 * np.sqrt(a["area_km2_n5000"].to_numpy())
    return np.where(same, internal[:, None], minutes)


def fit_rule(municipalities: pd.DataFrame) -> dict[str, float]:
    """Refit the rule's four numbers to a data set's BA times (for the documentation and its test)."""
    basis = municipalities["ba_inclusion_basis"].astype(str)
    is_centre = basis.str.startswith("Senterkommune")
    centres = municipalities[is_centre].reset_index().groupby("baregion_code").first()
    members = municipalities[~is_centre & ~basis.str.startswith("Restkommune")]
    members = members[members["baregion_code"].isin(centres.index)]
    centre = centres.loc[members["baregion_code"]]
    km = great_circle_km(
        members["label_lat"].to_numpy(),
        members["label_lon"].to_numpy(),
        centre["label_lat"].to_numpy(),
        centre["label_lon"].to_numpy(),
    )
    (access, per_km), *_ = np.linalg.lstsq(np.c_[np.ones(len(km)), km], members["ba_travel_time_min"], rcond=None)
    own = municipalities[is_centre | basis.str.startswith("Restkommune")]
    root = np.sqrt(own["area_km2_n5000"].to_numpy())
    (internal, per_root), *_ = np.linalg.lstsq(np.c_[np.ones(len(root)), root], own["ba_travel_time_min"], rcond=None)
    error = members["ba_travel_time_min"].to_numpy() - (access + per_km * km)
    return {
        "access_minutes": float(access),
        "minutes_per_km": float(per_km),
        "internal_minutes": float(internal),
        "internal_per_sqrt_km2": float(per_root),
        "mean_absolute_error": float(np.abs(error).mean()),
        "members": len(km),
    }
