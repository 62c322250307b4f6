"""What is done with many runs: replicates on executors, ensembles on disk, comparisons, calibration, sensitivity.

Experiments run the simulation and return plain data (tables, dataclasses) and
write data files atomically. They may use ``model.inputs`` and
``model.simulation``; they draw no figures and write no pages (``model.report``
does).
"""
