# A second correct solution: the date formatted with strftime and the URI joined from its parts;
# the write staged through a temporary key (write, copy, delete, as in exercise 27.10); the read
# parses the URI with urllib and streams the body into read_csv; the DAG built with a DAG
# context manager, the date taken from the `ds` context value and the summary from text slices.
### REGION partition_uri
moment = logical_date
if isinstance(moment, dt.datetime):
    moment = moment.astimezone(dt.timezone.utc)
return "/".join(["s3:/", bucket, dataset, "ds=" + moment.strftime("%Y-%m-%d"), "data.csv"])
### REGION write_partition
s3_client = client or boto3.client("s3")
target = partition_uri(bucket, dataset, logical_date)
key = target[len("s3://") + len(bucket) + 1:]
text = io.StringIO()
df.to_csv(text, index=False)
staging = key + ".staging"
s3_client.put_object(Bucket=bucket, Key=staging, Body=text.getvalue().encode("utf-8"))
s3_client.copy_object(Bucket=bucket, Key=key, CopySource={"Bucket": bucket, "Key": staging})
s3_client.delete_object(Bucket=bucket, Key=staging)
return target
### REGION read_partition
from urllib.parse import urlparse

parsed = urlparse(uri)
s3_client = client or boto3.client("s3")
response = s3_client.get_object(Bucket=parsed.netloc, Key=parsed.path.lstrip("/"))
return pd.read_csv(response["Body"])
### REGION dag_file
DAG_FILE = '''
import pendulum
from airflow.sdk import DAG, task

import s3_handoff

with DAG(
    dag_id="streamrec_handoff",
    schedule="@daily",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
):

    @task(task_id="extract_interactions")
    def extract(ds=None):
        from pipelinekit.streamrec import generate_interactions

        day = pendulum.parse(ds).date()
        return s3_handoff.write_partition(generate_interactions(day), "streamrec-handoff", "interactions", day)

    @task(task_id="summarize_interactions")
    def summarize(path):
        frame = s3_handoff.read_partition(path)
        days = sorted(set(frame["timestamp"].astype(str).str[:10]))
        return {"rows": int(frame.shape[0]), "days": days, "clicks": int(frame["clicked"].sum())}

    summarize(extract())
'''
