"""The grading project's code location: ``dagster dev -m autograder.orchestrated.definitions``.

Configured by the environment: ``AUTOGRADER_INBOX``, ``AUTOGRADER_INBOX_LAYOUT``,
``AUTOGRADER_ORCHESTRATED_OUT``, ``AUTOGRADER_EXERCISES`` (see ``defs/settings.py``) and
``AUTOGRADER_DAGSTER_EXECUTOR`` (``multiprocess``, ``in_process``, ``k8s`` or ``celery``; see
``defs/executors.py``).
"""
from autograder.orchestrated.defs import build_definitions

defs = build_definitions()
