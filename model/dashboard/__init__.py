"""The workshop dashboard: levers as controls, ensembles on demand, a map of the region.

``regionsim dashboard`` serves a Solara page on which people in a workshop
edit a scenario's levers, run it against the baseline with common random
numbers, read the difference on the report's figures and a map, and keep the
scenario as a YAML overlay in ``scenarios/``. It may use every layer below it
(inputs, simulation, experiments, report); it must not import the command line.
The modules each do one job: :mod:`.controls` (schema to controls),
:mod:`.state` (the edited scenario), :mod:`.library` (the scenarios folder,
saving), :mod:`.runs` (queue, cache, cancel), :mod:`.views` (figures and the
map), :mod:`.app` (the page) and :mod:`.server` (start, host, token).
"""
