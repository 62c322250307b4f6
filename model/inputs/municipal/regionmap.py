"""The shapes of a region's municipalities and of their neighbours, for maps.

The national map is one simplified coverage (neighbours share their border
vertices exactly), so a neighbour is a municipality with a vertex in common
with one of the region's.
"""

from __future__ import annotations

import json
from pathlib import Path

from model.inputs.errors import InputError, Problem

ATTRIBUTION = "Municipal borders: Statistics Norway, N5000 illustration map"


def _vertices(geometry: dict) -> set[tuple[float, float]]:
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    return {(round(x, 5), round(y, 5)) for polygon in polygons for ring in polygon for x, y in ring}


def neighbourhood_map(path: Path, codes: list[str]) -> dict:
    """A GeoJSON FeatureCollection: the region's municipalities (``in_region`` true) and their neighbours."""
    try:
        collection = json.loads(path.read_text(encoding="utf-8"))
        features = collection["features"]
        by_code = {f["properties"]["municipality_code"]: f for f in features}
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise InputError(Problem(path, f"not a municipal map: {error}")) from None
    missing = [code for code in codes if code not in by_code]
    if missing:
        raise InputError(Problem(path, f"no shape for municipality {missing[0]}", key="municipality_code"))
    inside = set(codes)
    border = set().union(*(_vertices(by_code[code]["geometry"]) for code in codes))
    chosen = []
    for feature in features:
        code = feature["properties"]["municipality_code"]
        if code in inside or not border.isdisjoint(_vertices(feature["geometry"])):
            properties = dict(feature["properties"], in_region=code in inside)
            chosen.append({"type": "Feature", "properties": properties, "geometry": feature["geometry"]})
    return {
        "type": "FeatureCollection",
        "attribution": collection.get("attribution", ATTRIBUTION),
        "source": collection.get("source", str(path.name)),
        "features": chosen,
    }
