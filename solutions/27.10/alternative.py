# A second correct solution: a fresh temporary key per attempt under a staging prefix, cleaned up
# in a finally block, plus a sweep of the temporaries that earlier, interrupted attempts left for
# the same final key (so a failed delete is repaired by the next run). CopySource as a string.
### REGION idempotent_s3_write
import uuid

s3_client = client or boto3.client("s3")
staging_prefix = f"_staging/{final_key}/"
temporary_key = f"{staging_prefix}{uuid.uuid4().hex}"
try:
    s3_client.put_object(Bucket=bucket, Key=temporary_key, Body=bytes(data))
    s3_client.copy_object(Bucket=bucket, Key=final_key, CopySource=f"{bucket}/{temporary_key}")
finally:
    try:
        s3_client.delete_object(Bucket=bucket, Key=temporary_key)
    except Exception:  # the sweep of the next successful run removes it
        pass
# Published: whatever earlier attempts left under the staging prefix is garbage now.
listing = s3_client.list_objects_v2(Bucket=bucket, Prefix=staging_prefix)
for leftover in listing.get("Contents", []):
    s3_client.delete_object(Bucket=bucket, Key=leftover["Key"])
return "s3://" + bucket + "/" + final_key
