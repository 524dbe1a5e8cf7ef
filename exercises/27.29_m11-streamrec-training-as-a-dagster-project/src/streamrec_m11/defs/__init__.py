"""The Dagster definitions of the project, loaded by ``definitions.py`` with ``load_from_defs_folder``."""
