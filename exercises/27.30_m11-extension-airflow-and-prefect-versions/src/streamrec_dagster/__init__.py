"""StreamRec's daily training pipeline as Dagster assets on the shared logic: see ``definitions.py``."""
