"""Hidden tests for exercise 27.10 (write, copy, delete on S3), against the grader's moto server."""
import functools
import hashlib

import boto3

from autograder.testing import expect, graded

KEY = "features/ds=2024-06-01/part-0.csv"
DATA = b"user_id,clicks\n1,3\n2,0\n3,7\n"
OLD = b"user_id,clicks\n1,1\n"
BINARY = bytes(range(256)) * 4


# ---- trusted side: the grader's own view of the buckets ----------------------------------------
@functools.cache
def _client(endpoint):
    return boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="testing",
                        aws_secret_access_key="testing", region_name="us-east-1")


def bucket(services, name, preload=None):
    """A fresh, empty bucket for one test (optionally with an old version of KEY in it)."""
    s3 = _client(services["s3_endpoint"])
    s3.create_bucket(Bucket=name)
    if preload is not None:
        s3.put_object(Bucket=name, Key=KEY, Body=preload)
    return name


def keys(services, name):
    listing = _client(services["s3_endpoint"]).list_objects_v2(Bucket=name)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def content(services, name, key=KEY):
    s3 = _client(services["s3_endpoint"])
    try:
        return s3.get_object(Bucket=name, Key=key)["Body"].read()
    except s3.exceptions.NoSuchKey:
        return None


def sha(data):
    return hashlib.sha256(data).hexdigest()


# ---- the probe: runs the learner's function with a client that records calls and may fail one ---
def write_watched(ns, bucket, key, data_hex, fail=None, default_client=False):
    """Call idempotent_s3_write; record every client call; make `fail` fail once if asked.

    fail="copy_object": the first copy to the final key raises; fail="delete_object": the first
    delete (delete_object or delete_objects) after a successful copy to the final key raises.
    """
    import hashlib
    import io
    import urllib.parse

    import boto3
    import botocore.exceptions

    data = bytes.fromhex(data_hex)
    real = boto3.client("s3")
    calls, state = [], {"injected": False, "copied": False}

    def source_of(value):
        if isinstance(value, dict):
            return [str(value.get("Bucket")), str(value.get("Key"))]
        text = urllib.parse.unquote(str(value).split("?versionId=")[0]).lstrip("/")
        name, _, rest = text.partition("/")
        return [name, rest]

    def record(name, kwargs):
        entry = {"method": name, "bucket": str(kwargs.get("Bucket")), "key": str(kwargs.get("Key"))}
        if "CopySource" in kwargs:
            entry["source"] = source_of(kwargs["CopySource"])
        if "Body" in kwargs:
            body = kwargs["Body"]
            if hasattr(body, "read"):
                body = body.read()
                kwargs["Body"] = body
            if isinstance(body, str):
                body = body.encode()
            entry["body_sha"] = hashlib.sha256(bytes(body)).hexdigest()
        if name == "delete_objects":
            entry["keys"] = [str(o.get("Key")) for o in kwargs.get("Delete", {}).get("Objects", [])]
        calls.append(entry)
        return entry

    class Watched:
        def __getattr__(self, name):
            attr = getattr(real, name)
            if name.startswith("_") or not callable(attr):
                return attr

            def call(*args, **kwargs):
                entry = record(name, kwargs)
                if not state["injected"]:
                    if fail == "copy_object" and name == "copy_object" and entry.get("key") == key:
                        state["injected"] = True
                        entry["failed"] = True
                        raise botocore.exceptions.EndpointConnectionError(endpoint_url="injected-failure")
                    if (fail == "delete_object" and state["copied"] and name in ("delete_object", "delete_objects")
                            and entry.get("key") != key):
                        state["injected"] = True
                        entry["failed"] = True
                        raise botocore.exceptions.EndpointConnectionError(endpoint_url="injected-failure")
                result = attr(*args, **kwargs)
                if name == "copy_object" and entry.get("key") == key:
                    state["copied"] = True
                return result

            return call

    outcome = {"uri": None, "raised": None}
    try:
        if default_client:
            uri = ns.idempotent_s3_write(data, bucket, key)
        else:
            uri = ns.idempotent_s3_write(data, bucket, key, client=Watched())
        outcome["uri"] = uri if isinstance(uri, str) else repr(uri)
    except Exception as error:  # noqa: BLE001
        if fail is None:
            raise
        outcome["raised"] = type(error).__name__
    outcome.update(calls=calls, injected=state["injected"])
    return outcome


def not_injected(got, step):
    if got["raised"]:
        return f"your function raised {got['raised']} before it {step}, so the failure could not be injected"
    return f"your function never {step}, so the failure could not be injected"


def run(sub, bucket_name, data=DATA, fail=None, default_client=False, key=KEY):
    return sub.run(write_watched, bucket_name, key, data.hex(), fail, default_client)


def data_puts(calls, data):
    return [c for c in calls if c["method"] == "put_object" and c.get("body_sha") == sha(data)]


def temporary_keys(calls, data):
    return [c["key"] for c in data_puts(calls, data) if c["key"] != KEY]


def copies_to_final(calls, bucket_name):
    return [(i, c) for i, c in enumerate(calls)
            if c["method"] == "copy_object" and c.get("key") == KEY and c["bucket"] == bucket_name]


# ---- (a) ----------------------------------------------------------------------------------------
@graded("a", points=1, hint="Step 1 writes the bytes with put_object to a key other than the final key.")
def test_data_goes_to_a_temporary_key_first(sub, services):
    name = bucket(services, "t10-temporary-first")
    got = run(sub, name)
    puts = data_puts(got["calls"], DATA)
    expect(puts, "no put_object call of your function wrote the data (use the client's put_object)")
    expect(all(c["key"] != KEY for c in puts),
           "your function writes the data straight to the final key; write it to a temporary key first")
    expect(all(c["bucket"] == name for c in puts), "write the temporary key in the same bucket as the final key")


@graded("a", points=1, hint="Step 2 copies the temporary key to the final key with copy_object.")
def test_the_temporary_key_is_copied_to_the_final_key(sub, services):
    name = bucket(services, "t10-copy")
    got = run(sub, name)
    temporaries = temporary_keys(got["calls"], DATA)
    copies = copies_to_final(got["calls"], name)
    expect(copies, "your function never calls copy_object with the final key as its destination")
    expect(any(c.get("source") == [name, t] for _, c in copies for t in temporaries),
           "the copy to the final key does not take the temporary key you wrote as its source")
    first_put = min(i for i, c in enumerate(got["calls"]) if c["method"] == "put_object" and c["key"] in temporaries)
    expect(copies[-1][0] > first_put, "the copy to the final key happens before the temporary key is written")
    expect(content(services, name) == DATA, "after your function returns, the final object does not hold the data")


@graded("a", points=1, hint="Step 3 deletes the temporary key, after the copy.")
def test_the_temporary_key_is_deleted_after_the_copy(sub, services):
    name = bucket(services, "t10-delete")
    got = run(sub, name)
    temporaries = set(temporary_keys(got["calls"], DATA))
    copies = copies_to_final(got["calls"], name)
    expect(copies and temporaries, "your function does not write a temporary key and copy it to the final key")
    deletes = [i for i, c in enumerate(got["calls"])
               if (c["method"] == "delete_object" and c.get("key") in temporaries)
               or (c["method"] == "delete_objects" and temporaries & set(c.get("keys", [])))]
    expect(deletes, "your function never deletes the temporary key")
    expect(max(deletes) > copies[-1][0], "the temporary key is deleted before it is copied to the final key")
    left = [k for k in keys(services, name) if k != KEY]
    expect(not left, f"after a successful call the bucket still holds {len(left)} object(s) besides the final one")


# ---- (b) ----------------------------------------------------------------------------------------
@graded("b", points=1, hint="Return 's3://' + bucket + '/' + final_key; with no client, use boto3.client('s3').")
def test_returns_the_s3_uri_of_the_final_object(sub, services):
    for name, key in [("t10-uri", KEY), ("t10-uri-flat", "model.bin")]:
        bucket(services, name)
        got = run(sub, name, default_client=True, key=key)
        expect(isinstance(got["uri"], str), "return the URI as a string")
        expect(got["uri"] == f"s3://{name}/{key}",
               f"for bucket {name!r} and key {key!r} your function returns {got['uri']!r}")
        expect(content(services, name, key) == DATA, "called without a client, your function did not write the object")


# ---- (c) ----------------------------------------------------------------------------------------
@graded("c", points=1, hint="A second identical call must leave exactly what one call leaves.")
def test_a_rerun_leaves_one_identical_object(sub, services):
    name = bucket(services, "t10-rerun")
    first = run(sub, name, data=BINARY)
    second = run(sub, name, data=BINARY)
    expect(first["uri"] == second["uri"], "two identical calls return different URIs")
    expect(keys(services, name) == [KEY],
           f"after two identical calls the bucket holds {len(keys(services, name))} objects; one is expected")
    expect(content(services, name) == BINARY, "after a rerun the final object does not hold exactly the data written")


@graded("c", points=1, hint="An existing object at the final key is replaced, never kept.")
def test_a_rerun_with_new_data_replaces_the_object(sub, services):
    name = bucket(services, "t10-replace", preload=OLD)
    run(sub, name)
    expect(content(services, name) != OLD, "the old object at the final key is still there: replace it")
    expect(content(services, name) == DATA, "the final object does not hold the new data")
    expect(keys(services, name) == [KEY], "besides the final object, the bucket holds leftovers of your write")


# ---- (d) ----------------------------------------------------------------------------------------
@graded("d", points=1, hint="If the copy fails, readers must still find a complete version, and a failure must not look like a success.")
def test_a_failed_copy_keeps_a_complete_version(sub, services):
    name = bucket(services, "t10-failed-copy", preload=OLD)
    got = run(sub, name, fail="copy_object")
    expect(got["injected"], not_injected(got, "copied to the final key"))
    now = content(services, name)
    expect(now is not None, "after a failed copy there is no object at the final key any more: the old version is lost")
    expect(now in (OLD, DATA), "after a failed copy the final object is neither the old nor the new version")
    if got["raised"] is None:
        expect(now == DATA, "the copy failed, yet your function returned normally as if the object were published")


@graded("d", points=1, hint="Whatever a failed copy left behind, the next successful call must clean up.")
def test_the_run_after_a_failed_copy_leaves_no_temporary_key(sub, services):
    name = bucket(services, "t10-after-copy")
    got = run(sub, name, fail="copy_object")
    expect(got["injected"], not_injected(got, "copied to the final key"))
    run(sub, name)
    left = [k for k in keys(services, name) if k != KEY]
    expect(not left, f"after a failed copy and a successful rerun, {len(left)} temporary object(s) remain in the bucket")
    expect(content(services, name) == DATA, "after the successful rerun the final object does not hold the data")


@graded("d", points=1, hint="If the delete fails, the temporary key stays; the next successful call must remove it.")
def test_the_run_after_a_failed_delete_leaves_no_temporary_key(sub, services):
    name = bucket(services, "t10-after-delete")
    got = run(sub, name, fail="delete_object")
    expect(got["injected"], not_injected(got, "deleted the temporary key after the copy"))
    run(sub, name)
    left = [k for k in keys(services, name) if k != KEY]
    expect(not left, f"after a failed delete and a successful rerun, {len(left)} temporary object(s) remain in the bucket")
    expect(content(services, name) == DATA, "after the successful rerun the final object does not hold the data")
