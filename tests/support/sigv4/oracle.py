"""Compares the masters' SigV4 signer with botocore's (an independent implementation).

Usage: python3 oracle.py SIGNER_DIR CASES SEED
Imports aws_sigv4 from SIGNER_DIR, signs CASES generated requests (fixed clocks;
S3, EC2, CloudWatch Logs and STS; keys with special characters; query strings;
with and without a session token; empty, JSON, form and binary bodies; S3's
signed and unsigned payload header) with both, and prints a JSON report.
"""
import datetime
import json
import random
import sys
from types import SimpleNamespace
from unittest import mock

from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

sys.path.insert(0, sys.argv[1])
import aws_sigv4  # noqa: E402

SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="
# Object keys and query values as they appear in URLs: percent-encoded per RFC 3986.
PATHS = ["/.env", "/config/.env", "/a%20b/c%2Bd~e_f-g.h", "/%E2%82%AC/%3D%26", "/bucket.with.dots/.env", "/", "/dir/"]
QUERIES = ["", "list-type=2&prefix=a%2Fb&max-keys=5", "tagging=", "versionId=3%2Fx&partNumber=1",
           "b=2&a=1&a=0", "prefix=%E2%82%AC%20x", "Action=DescribeTags&Version=2016-11-15"]
HOSTS = ["prod-0123.s3.eu-west-1.amazonaws.com", "s3.eu-west-1.amazonaws.com", "127.0.0.1:7480",
         "ec2.us-east-1.amazonaws.com", "logs.ap-south-1.amazonaws.com", "sts.amazonaws.com"]
SERVICES = ["s3", "ec2", "logs", "sts"]
REGIONS = ["eu-west-1", "us-east-1", "cn-north-1", "ap-southeast-2"]
BODIES = [b"", b'{"logGroupName":"/openvidu/boot","logStreamName":"i-0123"}',
          b"Action=CreateTags&ResourceId.1=i-0123&Tag.1.Key=openvidu%3Aboot&Tag.1.Value=ok&Version=2016-11-15",
          bytes(range(256))]
EXTRA_HEADERS = [{}, {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Logs_20140328.PutLogEvents"},
                 {"content-type": "application/x-www-form-urlencoded; charset=utf-8"},
                 {"X-Custom": "  two   spaces  inside ", "User-Agent": "openvidu-boot"}, {"Range": "bytes=0-99"}]


def secret(rng, n):
    return "".join(rng.choice(SECRET_ALPHABET) for _ in range(n))


def case(rng):
    service = rng.choice(SERVICES)
    scheme = "http" if rng.random() < 0.3 else "https"
    query = rng.choice(QUERIES)
    url = "%s://%s%s%s" % (scheme, rng.choice(HOSTS), rng.choice(PATHS), "?" + query if query else "")
    token = None if rng.random() < 0.25 else secret(rng, rng.choice([20, 300, 800]))
    return {
        "service": service, "region": rng.choice(REGIONS), "method": rng.choice(["GET", "PUT", "POST", "HEAD", "DELETE"]),
        "url": url, "body": rng.choice(BODIES), "headers": dict(rng.choice(EXTRA_HEADERS)),
        "credentials": {"AccessKeyId": "ASIA" + secret(rng, 16).upper().replace("+", "X").replace("/", "Y").replace("=", "Z"),
                        "SecretAccessKey": secret(rng, 40), "Token": token},
        "now": datetime.datetime(2026, 1 + rng.randrange(12), 1 + rng.randrange(28), rng.randrange(24), rng.randrange(60),
                                 rng.randrange(60), tzinfo=datetime.timezone.utc),
        "unsigned": service == "s3" and scheme == "https" and rng.random() < 0.3,
    }


def botocore_headers(c):
    request = AWSRequest(method=c["method"], url=c["url"], data=c["body"], headers=dict(c["headers"]))
    credentials = Credentials(c["credentials"]["AccessKeyId"], c["credentials"]["SecretAccessKey"], c["credentials"]["Token"])
    auth_class = S3SigV4Auth if c["service"] == "s3" else SigV4Auth
    if c["unsigned"]:
        request.context["client_config"] = SimpleNamespace(s3={"payload_signing_enabled": False})
    with mock.patch("botocore.auth.get_current_datetime", return_value=c["now"].replace(tzinfo=None)):
        auth_class(credentials, c["service"], c["region"]).add_auth(request)
    return {k.lower(): v for k, v in request.headers.items()}


def ours(c):
    headers = dict(c["headers"])
    if c["unsigned"]:
        headers["x-amz-content-sha256"] = aws_sigv4.UNSIGNED_PAYLOAD
    return aws_sigv4.sign(c["method"], c["url"], headers, c["body"], c["service"], c["region"], c["credentials"], now=c["now"])


def main():
    count, seed = int(sys.argv[2]), int(sys.argv[3])
    rng = random.Random(seed)
    report = {"cases": 0, "mismatches": [], "withToken": 0, "unsigned": 0, "withQuery": 0, "withBody": 0, "signedHeaders": []}
    for _ in range(count):
        c = case(rng)
        expected, actual = botocore_headers(c), ours(c)
        report["cases"] += 1
        report["withToken"] += 1 if c["credentials"]["Token"] else 0
        report["unsigned"] += 1 if c["unsigned"] else 0
        report["withQuery"] += 1 if "?" in c["url"] else 0
        report["withBody"] += 1 if c["body"] else 0
        signed = expected["authorization"].split("SignedHeaders=")[1].split(",")[0]
        if signed not in report["signedHeaders"]:
            report["signedHeaders"].append(signed)
        if expected != actual:
            differing = sorted(k for k in set(expected) | set(actual) if expected.get(k) != actual.get(k))
            report["mismatches"].append({"service": c["service"], "method": c["method"], "url": c["url"], "headers": differing,
                                         "expected": expected.get("authorization"), "actual": actual.get("authorization")})
    print(json.dumps(report))


if __name__ == "__main__":
    main()
