"""Backtests: projections from past origins judged against what was observed after them.

:mod:`.naive` makes the benchmark forecasts every projection is scored beside
(no change, linear and geometric trends, their mean; for jobs a constant
share of the nation) and :mod:`.scores` the error measures (MAPE and MALPE
by horizon, the shares of cells within 2 % and 5 %).
"""
