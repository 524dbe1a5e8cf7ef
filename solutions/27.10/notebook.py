# %% [markdown]
# Section 27.6 wrote `idempotent_write` (in `pipelinekit`) for files on a local disk: the bytes go
# to a hidden temporary file next to the target, and `os.replace` renames it over the target in one
# atomic step, so a reader sees the old complete file or the new complete file, never half of one,
# and a rerun simply replaces the file again.
#
# Object stores such as Amazon S3 have **no rename**. An object cannot be moved: "renaming" it
# means copying it to the new key and deleting the old one. (A single `PutObject` is all-or-nothing
# on its own, and S3 reads are strongly consistent since December 2020; the staging pattern below
# earns its keep when an output is produced in several steps, such as a multipart upload, a file a
# library streams out, or a check that must pass before the object is published.) The usual
# substitute for the rename is:
#
# 1. write the data to a **temporary key** that no reader looks at;
# 2. **copy** the temporary key to the final key (the publish step);
# 3. **delete** the temporary key.
#
# In this exercise you write that pattern with `boto3`, and make it safe to rerun and safe to crash
# in the middle. The signature keeps the chapter's three parameters and adds a fourth, the S3
# client, so that the behaviour can be checked with a client that fails on purpose.

# %% [markdown]
# ## Where S3 is
#
# The code talks to S3 through a `boto3` client. When this notebook is graded, the grader starts an
# S3-compatible server (moto) and sets `AWS_ENDPOINT_URL` and test credentials in the environment,
# so `boto3.client("s3")` reaches it with no further arguments. On your own machine the next cell
# starts such a server for you if none is configured; nothing is sent to AWS.

# %%
import os
import socket

import boto3

if "AWS_ENDPOINT_URL" not in os.environ:  # on your laptop: a local moto S3 server for this notebook
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request

    with socket.socket() as probe_socket:
        probe_socket.bind(("127.0.0.1", 0))
        port = probe_socket.getsockname()[1]
    local_s3 = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    local_s3.start()
    os.environ.update(AWS_ENDPOINT_URL=f"http://127.0.0.1:{port}", AWS_ACCESS_KEY_ID="testing",
                      AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")

s3 = boto3.client("s3")
s3.create_bucket(Bucket="streamrec-demo")


def keys_in(bucket: str) -> list[str]:
    """Every key in a bucket, sorted: what a reader listing the bucket would find."""
    return sorted(item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", []))


print("S3 endpoint:", os.environ["AWS_ENDPOINT_URL"])

# %% [markdown]
# ## What to write
#
# Write `idempotent_s3_write(data, bucket, final_key, client=None) -> str`. The first three
# parameters are the ones of the chapter's signature; the fourth is the S3 client to use. When it
# is `None`, the function makes its own with `boto3.client("s3")`. The tests pass a client of
# their own that records your calls and can make one of them fail, so:
#
# - do the three steps with the client's **`put_object`**, **`copy_object`** and
#   **`delete_object`** methods, called with keyword arguments as boto3 requires (other read-only
#   calls such as `head_object` or `list_objects_v2` are allowed too);
# - keep the temporary key in the **same bucket**, under a key different from `final_key`;
# - the bucket already exists: do not create it.
#
# The function must behave like this:
#
# **(a)** It writes `data` (bytes) to a temporary key, copies that key to `final_key`, and deletes
# the temporary key, in that order. Afterwards the bucket holds `final_key` with exactly `data`,
# and no temporary object is left.
#
# **(b)** It returns the URI of the object it wrote, `s3://<bucket>/<final_key>`, for example
# `s3://streamrec-features/user_features/ds=2024-06-01/part-0.parquet`.
#
# **(c)** Reruns are harmless. Calling it again with the same arguments leaves the bucket exactly
# as one call does: one object at `final_key` holding `data`. An object that already exists at
# `final_key` is **replaced** (a rerun after a bug fix must publish the new bytes; skipping the
# write because "the object is already there" is not idempotency, it is a stale result).
#
# **(d)** It survives a crash between the steps. If a step fails and your function does not
# recover from it, the call raises the error (it never reports a success it did not achieve), and the object a reader finds at `final_key` is
# still a complete version: the previous one, or the new one, never a missing or partial object.
# When the function is then called again and succeeds, the bucket holds the final object and
# **no temporary key** left over from the failed attempt, whichever step failed.

# %% part="a"
def idempotent_s3_write(data: bytes, bucket: str, final_key: str, client=None) -> str:
    """Publish `data` at s3://bucket/final_key through a temporary key: write, copy, delete.

    Safe to rerun (the final object is replaced) and safe to crash between steps (the next
    successful call leaves no temporary key behind).
    """
    ### BEGIN SOLUTION idempotent_s3_write
    if client is None:
        client = boto3.client("s3")
    # One temporary key per final key: a rerun after a crash writes the same temporary key again,
    # so whatever a failed attempt left there is overwritten, published and deleted this time.
    temporary_key = f"{final_key}.tmp"
    client.put_object(Bucket=bucket, Key=temporary_key, Body=data)
    client.copy_object(Bucket=bucket, Key=final_key, CopySource={"Bucket": bucket, "Key": temporary_key})
    client.delete_object(Bucket=bucket, Key=temporary_key)
    return f"s3://{bucket}/{final_key}"
    ### END SOLUTION
    ### BEGIN STARTER
    # if client is None:
    #     client = boto3.client("s3")
    # # 1. write data to a temporary key, 2. copy it to final_key, 3. delete the temporary key
    # raise NotImplementedError("write, copy, delete; then return the s3:// URI")
    ### END STARTER


# %% [markdown] part="b"
# Try it: write a small payload, look at the bucket, and run the same write again.

# %% part="b"
uri = idempotent_s3_write(b"user_id,score\n1,0.25\n2,0.75\n", "streamrec-demo", "scores/ds=2024-06-01/data.csv")
print("returned:", uri)
print("bucket after one write: ", keys_in("streamrec-demo"))

# %% part="c"
again = idempotent_s3_write(b"user_id,score\n1,0.25\n2,0.75\n", "streamrec-demo", "scores/ds=2024-06-01/data.csv")
print("bucket after a rerun:   ", keys_in("streamrec-demo"), "same URI:", again == uri)

# %% [markdown] part="d"
# To see (d) at work, the cell below wraps a real client so that one chosen method fails once, the
# way a network error or a killed worker would interrupt the write. The tests use a client like it.

# %% part="d"
class FailsOnce:
    """A boto3 client whose method `method` raises the first time it is called."""

    def __init__(self, client, method: str):
        self._client, self._method, self.failed = client, method, False

    def __getattr__(self, name):
        real = getattr(self._client, name)
        if name != self._method or self.failed:
            return real

        def broken(**kwargs):
            self.failed = True
            raise ConnectionError(f"injected failure in {name}")

        return broken


for step in ("copy_object", "delete_object"):
    try:
        idempotent_s3_write(b"new version\n", "streamrec-demo", "scores/ds=2024-06-02/data.csv",
                            client=FailsOnce(s3, step))
    except ConnectionError as error:
        print(f"{step} failed ({error}); bucket now:", keys_in("streamrec-demo"))
    idempotent_s3_write(b"new version\n", "streamrec-demo", "scores/ds=2024-06-02/data.csv")
    print("after the next run:", keys_in("streamrec-demo"))
