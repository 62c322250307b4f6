"""What a run is given: scenarios, their validation, parameters, uncertain ranges, region and national data.

Everything here reads and checks input (YAML and sourced CSV tables) and turns
it into validated objects; bad input becomes an InputError naming file, line
and key. It is the bottom layer: it may use the standard library and
third-party packages, and it must not import anything else of the package.
"""
