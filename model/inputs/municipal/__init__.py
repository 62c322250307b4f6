"""The national municipal data set, and region folders built from it.

`regionsim region create` reads the data set (every municipality of Norway:
persons 2005-2026, jobs and commuting 2017-2022, BA regions, label points,
borders), picks a region's municipalities, and writes an ordinary region
folder with its baseline scenario. Part of the input layer: it may use the
rest of ``model.inputs``, the standard library and third-party packages, and
it must not import the simulation or any layer above it.
"""
