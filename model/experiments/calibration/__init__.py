"""Calibration against the region's history: the config, the observed targets, and the fit.

:mod:`.config` reads the calibration config, :mod:`.observed` builds the targets
from the region's data and the same quantities from simulated runs, and
:mod:`.fit` searches the free parameters and returns a :class:`.fit.Calibration`
(the report layer writes its pages).
"""
