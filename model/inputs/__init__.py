"""What a run is given: scenarios, their validation, parameters, uncertain ranges, region and national data.

Everything here reads and checks input (YAML and sourced CSV tables) and turns it
into validated objects; bad input becomes an InputError naming file, line and key.
It may use only the standard library and third-party packages: nothing else in
the package (it is the bottom layer).
"""
