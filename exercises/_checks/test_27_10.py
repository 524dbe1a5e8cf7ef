# Generated from solutions/ by `autograder generate`: do not edit.
"""Visible tests for exercise 27.10: they check the form of your answer, not its behaviour."""
from autograder.testing import expect, graded


def returned(ns):
    import boto3

    boto3.client("s3").create_bucket(Bucket="t10-visible")
    uri = ns.idempotent_s3_write(b"hello\n", "t10-visible", "check/hello.txt")
    return {"type": type(uri).__name__}


@graded("b", points=0, hint="idempotent_s3_write(data, bucket, final_key) returns the URI as a string.")
def test_idempotent_s3_write_returns_a_string(sub):
    got = sub.run(returned)
    expect(got["type"] == "str", f"idempotent_s3_write returned a {got['type']}, not a str")
