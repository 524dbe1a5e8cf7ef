# A second correct solution: the inventory written as a table per category (tuples, tags as
# tuples), flattened into the list of dicts at the end; more items, some with no tag, some with two.
### REGION inventory
_BY_CATEGORY = {
    "environment": [
        ("lock file of the Python dependencies", "poetry.lock committed; its SHA-256 in the run record", ("package_versions",)),
        ("base image", "docker image digest pinned in the Dagster run launcher config", ("container_image",)),
        ("accelerators", "GPU model, driver and CUDA/cuDNN versions logged as MLflow tags", ("hardware",)),
        ("Python interpreter version", "part of the image digest; also logged", ()),
    ],
    "configuration": [
        ("hyperparameters and the seeds of every random step", "params.yaml at the run's commit, logged as MLflow params",
         ("hyperparameters", "random_seeds")),
        ("partition key and data interval of the run", "Dagster partition key and run config", ("run_parameters",)),
        ("quality-gate thresholds", "gates.yaml at the run's commit", ("run_parameters",)),
        ("feature flags", "feature list logged as an MLflow artifact", ("feature_selection",)),
    ],
    "code": [
        ("training repository", "commit SHA recorded in the run metadata", ("code_commit", "pipeline_definition")),
        ("feature repository", "its commit SHA and the feature views' registry versions", ("feature_definitions",)),
        ("evaluation notebooks turned into modules", "same commit as training", ("evaluation_code",)),
    ],
    "data": [
        ("every input table", "Delta table versions, one per table, in the run metadata", ("input_data_version", "data_schema")),
        ("labels", "label table version and the labelling query's commit", ("labels",)),
        ("split", "hash-based split on user_id (salt recorded), plus the split's row counts", ("data_split",)),
        ("the served model", "registry name and version; artifact SHA-256", ("reference_outputs",)),
    ],
}
INVENTORY = [
    {"category": category, "item": item, "pinned_by": pinned, "tags": list(tags)}
    for category, rows in _BY_CATEGORY.items()
    for item, pinned, tags in rows
]
