"""What is done with many runs: replicates on executors, ensembles on disk, comparisons, calibration, sensitivity.

Experiments run the simulation and return plain data (tables, dataclasses),
writing only data files, atomically. They may use ``model.inputs`` and
``model.simulation``; they must not draw figures or write pages, which is the
report layer's job, nor import anything above it.
"""
