"""Unit tests of the pipeline's logic: plain functions on small tables, no Dagster run needed."""
# (g) At least five unit tests of the pipeline's logic: validation, features, both models, both
# metrics, the contracts, the storage. The fixtures in conftest.py give you a day of events.
#
# def test_recall_at_k_...():
#     assert recall_at_k([10, 20, 30], {20, 99}, k=2) == ...
