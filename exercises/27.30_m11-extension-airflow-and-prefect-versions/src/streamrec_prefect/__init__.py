"""StreamRec's daily training pipeline as a Prefect 3 flow: see ``flow.py``."""
