"""StreamRec's daily training pipeline (milestone M11) as Dagster software-defined assets.

The business logic (validation, features, models, metrics, contracts, tracking, storage) lives in
plain modules that know nothing of Dagster's runtime; ``defs/`` holds the assets and resources that
orchestrate it, and ``definitions.py`` loads that folder.
"""
