"""What a person reads: figures, the HTML pages (comparison report, fit report) and the ODD tables.

The report layer turns the data that experiments return, and the files they
write, into PNG figures, self-contained pages and docs/ODD.md's tables. It may
use ``model.inputs``, ``model.simulation`` and ``model.experiments``; it must not
import the dashboard or the command line, and it runs no simulation of its own.
"""
