"""The Mesa model: RegionModel, its agents (persons as arrays, firms, municipalities) and one module per yearly process.

The simulation turns a validated scenario and region into yearly outcomes. It
may use ``model.inputs``; it must not import the experiments, the report, the
dashboard or the command line above it.
"""
