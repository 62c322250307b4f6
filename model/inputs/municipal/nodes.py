"""The region's outside nodes, chosen from the commuting matrix.

Rule (documented in each built region's README):

1. Every municipality outside the region whose label point is within daily
   reach (at most DAILY_REACH_MINUTES one way by the travel-time rule) of at
   least one of the region's municipalities is a candidate.
2. Candidates are grouped by BA region; a group's weight is the commuters
   between it and the region, both directions, in the latest 4th quarter.
3. The heaviest groups become daily nodes, at most MAX_DAILY_NODES, each
   holding at least MIN_NODE_SHARE of the region's cross-border commuting. A
   group of one municipality is a municipality node, else a BA-region node
   (its members are the group's municipalities). A node's times are those to
   its member with most jobs.
4. Everything else is long distance, held as fixed shares: the rest of
   Norway; the withheld municipalities (code 9999, no position); and
   workplaces outside the mainland (continental shelf, Svalbard, abroad,
   unknown: ``employed_residents_workplace_not_in_od``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from model.inputs.municipal.dataset import WITHHELD_CODE, MunicipalData
from model.inputs.municipal.travel import DAILY_REACH_MINUTES, minutes_between

MAX_DAILY_NODES = 6
MIN_NODE_SHARE = 0.02  # of the region's commuting across its border
OUTSIDE_MAINLAND = "outside_mainland"  # the workplace code of jobs outside the mainland in a built commuting table


@dataclass
class OutsideNode:
    """One outside node of a built region."""

    key: str
    name: str
    kind: str  # daily or long_distance
    members: list[str] | str
    centre: str | None = None  # the member whose label point gives the node's times and position
    lat: float | None = None
    lon: float | None = None
    commuters: int = 0


def choose_nodes(data: MunicipalData, region: list[str], year: int) -> list[OutsideNode]:
    """Daily and long-distance outside nodes for a region, from the commuting of one 4th quarter."""
    table = data.municipalities
    outside = [code for code in table.index if code not in set(region)]
    flows = data.commuting[data.commuting["year"] == year]
    inside = set(region)
    crossing = flows[flows["residence"].isin(inside) != flows["workplace"].isin(inside)]
    other_end = np.where(crossing["residence"].isin(inside), crossing["workplace"], crossing["residence"])
    by_place = crossing.groupby(other_end)["employed"].sum()
    total = float(by_place.sum())
    nodes: list[OutsideNode] = []
    if outside:
        reach = minutes_between(table, region, outside).min(axis=0) <= DAILY_REACH_MINUTES
        candidates = pd.DataFrame(
            {
                "code": outside,
                "reach": reach,
                "ba": table.loc[outside, "baregion_code"].to_numpy(),
                "commuters": by_place.reindex(outside).fillna(0).to_numpy(),
            }
        )
        candidates = candidates[candidates["reach"]]
        groups = candidates.groupby("ba")["commuters"].sum().sort_values(ascending=False, kind="stable")
        jobs = data.employment.xs(year, level="year")["jobs"]
        for ba, commuters in groups.items():
            if len(nodes) == MAX_DAILY_NODES or commuters < MIN_NODE_SHARE * total:
                break
            members = list(candidates.loc[candidates["ba"] == ba, "code"])
            centre = max(members, key=lambda code: (jobs.get(code, 0), code))
            if len(members) == 1:
                name = str(data.names[centre])
            else:
                name = f"{table.loc[centre, 'baregion_name']} region"
            nodes.append(
                OutsideNode(
                    key=_key(name),
                    name=name,
                    kind="daily",
                    members=members,
                    centre=centre,
                    lat=float(table.loc[centre, "label_lat"]),
                    lon=float(table.loc[centre, "label_lon"]),
                    commuters=int(commuters),
                )
            )
    if by_place.get(WITHHELD_CODE, 0) > 0:
        nodes.append(
            OutsideNode(
                "withheld",
                "Withheld municipalities",
                "long_distance",
                [WITHHELD_CODE],
                commuters=int(by_place[WITHHELD_CODE]),
            )
        )
    nodes.append(OutsideNode("outside_mainland", "Outside the mainland", "long_distance", [OUTSIDE_MAINLAND]))
    if outside:
        chosen = {code for node in nodes for code in node.members}
        rest = int(by_place.drop(index=list(chosen | {WITHHELD_CODE}), errors="ignore").sum())
        nodes.append(OutsideNode("rest_of_norway", "Rest of Norway", "long_distance", "rest", commuters=rest))
    return nodes


def _key(name: str) -> str:
    """A node key from its name: lower case ASCII with underscores."""
    table = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "ae", "Ø": "o", "Å": "a"})
    text = name.translate(table).lower()
    return "_".join("".join(ch if ch.isalnum() else " " for ch in text).split())
