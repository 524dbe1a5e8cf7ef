# A second correct solution: describe what one run does to the world, then apply the definition.
# A task is idempotent when each of its effects is either nothing or "put this exact content
# under a key fixed by the run's inputs" (doing that twice is doing it once).
### REGION verdicts
EFFECTS = {
    "delta_read_pinned_version": ["reads an immutable snapshot"],
    "postgres_append_metrics": ["adds rows"],
    "s3_upload_timestamped_key": ["adds an object under a new key"],
    "slack_notify_on_success": ["adds a message"],
    "redis_increment_run_counter": ["adds one"],
    "parquet_write_by_logical_date": ["replaces the object under a fixed key"],
}
HARMLESS = {"reads an immutable snapshot", "replaces the object under a fixed key"}
IDEMPOTENT = {task: all(effect in HARMLESS for effect in effects) for task, effects in EFFECTS.items()}
