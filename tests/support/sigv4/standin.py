"""A stand-in AWS endpoint on loopback that checks SigV4 as AWS does, with botocore.

Usage: python3 standin.py CONFIG_JSON RECORD_FILE
CONFIG_JSON: {"accessKeyId", "secretAccessKey", "token" (or null), "objects": {"/bucket/key": "text"},
  "logGroups": ["name", ...] (CloudWatch Logs groups that exist), "logsFault": null | "500" | "hang"}
Prints the port it listens on, then serves until killed. Each request is
appended to RECORD_FILE as one JSON line: method, path, service, signed headers,
the verdict. Checks, in S3's order: Authorization present; the x-amz-date is
the one signed; every x-amz-* header sent is signed (S3 answers 403 otherwise,
which is what curl < 7.86 runs into); the session token is the role's; S3 needs
x-amz-content-sha256 and it matches the body; the signature equals botocore's
for the signed headers. Answers: S3 GET of a configured object, or S3's error
XML; EC2 query-protocol POSTs (CreateTags) with an empty success; CloudWatch
Logs' JSON protocol (X-Amz-Target Logs_20140328.*): CreateLogStream in an existing
group (ResourceAlreadyExistsException for an existing stream), PutLogEvents to an
existing stream, events in chronological order within the API's batch limits;
errors as its JSON `__type`. `logsFault` makes every Logs request fail with 500,
or never be answered.
Where the model stops: no clock-skew window, no IAM policy, no presigned URLs;
for Logs no KMS, no throttling, no 14-day / 2-hour timestamp window, no sequence tokens.
"""
import datetime
import hashlib
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest import mock

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

CONFIG = json.load(open(sys.argv[1]))
RECORD = sys.argv[2]


class AsSent(SigV4Auth):
    """botocore's SigV4 over the headers as received (S3: the path as sent)."""

    def __init__(self, credentials, service, region):
        super().__init__(credentials, service, region)
        self.service = service

    def _normalize_url_path(self, path):
        return path if self.service == "s3" else super()._normalize_url_path(path)

    def _modify_request_before_signing(self, request):
        pass


def error(code, status, message):
    return status, "<?xml version=\"1.0\"?><Error><Code>%s</Code><Message>%s</Message></Error>" % (code, message)


STREAMS = {}  # (group, stream) -> [events]
LOGS_LIMITS = {"events": 10000, "batchBytes": 1048576, "eventBytes": 262144}


def logs_error(code, status=400):
    return status, json.dumps({"__type": code, "message": code})


def logs_answer(headers, body):
    """CloudWatch Logs' JSON protocol, the two calls the masters make."""
    target = headers.get("x-amz-target", "")
    if headers.get("content-type") != "application/x-amz-json-1.1":
        return logs_error("SerializationException")
    try:
        request = json.loads(body)
    except ValueError:
        return logs_error("SerializationException")
    key = (request.get("logGroupName"), request.get("logStreamName"))
    if key[0] not in CONFIG.get("logGroups", []):
        return logs_error("ResourceNotFoundException")
    if target == "Logs_20140328.CreateLogStream":
        if key in STREAMS:
            return logs_error("ResourceAlreadyExistsException")
        STREAMS[key] = []
        return 200, "{}"
    if target == "Logs_20140328.PutLogEvents":
        if key not in STREAMS:
            return logs_error("ResourceNotFoundException")
        events = request.get("logEvents") or []
        stamps = [e.get("timestamp") for e in events]
        size = sum(len(e.get("message", "").encode("utf-8")) + 26 for e in events)
        if not events or len(events) > LOGS_LIMITS["events"] or size > LOGS_LIMITS["batchBytes"]:
            return logs_error("InvalidParameterException")
        if any(not isinstance(t, int) for t in stamps) or stamps != sorted(stamps):
            return logs_error("InvalidParameterException")
        if any(len(e.get("message", "").encode("utf-8")) > LOGS_LIMITS["eventBytes"] for e in events):
            return logs_error("InvalidParameterException")
        STREAMS[key].extend(events)
        return 200, json.dumps({"nextSequenceToken": str(len(STREAMS[key]))})
    return logs_error("UnknownOperationException")


def verify(method, path, headers, body):
    auth = headers.get("authorization", "")
    if not auth.startswith("AWS4-HMAC-SHA256 "):
        return None, error("AccessDenied", 403, "no SigV4 Authorization")
    fields = dict(part.strip().split("=", 1) for part in auth[len("AWS4-HMAC-SHA256 "):].split(","))
    key_id, date, region, service, _ = fields["Credential"].split("/")
    signed = fields["SignedHeaders"].split(";")
    meta = {"service": service, "signedHeaders": fields["SignedHeaders"]}
    if key_id != CONFIG["accessKeyId"]:
        return meta, error("InvalidAccessKeyId", 403, "unknown key")
    unsigned = [h for h in headers if h.startswith("x-amz-") and h not in signed]
    if unsigned or "host" not in signed or "x-amz-date" not in signed:
        return meta, error("AccessDenied", 403, "headers not signed: %s" % ",".join(unsigned or ["host/x-amz-date"]))
    if CONFIG.get("token") and headers.get("x-amz-security-token") != CONFIG["token"]:
        return meta, error("InvalidToken", 400, "session token missing or wrong")
    content = headers.get("x-amz-content-sha256")
    if service == "s3" and content is None:
        return meta, error("InvalidRequest", 400, "x-amz-content-sha256 missing")
    if content not in (None, "UNSIGNED-PAYLOAD") and content != hashlib.sha256(body).hexdigest():
        return meta, error("XAmzContentSHA256Mismatch", 400, "payload hash")
    request = AWSRequest(method=method, url="http://%s%s" % (headers["host"], path), data=body,
                         headers={h: headers[h] for h in signed})
    stamp = datetime.datetime.strptime(headers["x-amz-date"], "%Y%m%dT%H%M%SZ")
    credentials = Credentials(CONFIG["accessKeyId"], CONFIG["secretAccessKey"], CONFIG.get("token"))
    with mock.patch("botocore.auth.get_current_datetime", return_value=stamp):
        AsSent(credentials, service, region).add_auth(request)
    if request.headers["Authorization"] != auth:
        return meta, error("SignatureDoesNotMatch", 403, "signature")
    return meta, None


class Handler(BaseHTTPRequestHandler):
    def handle_any(self):
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        headers = {k.lower(): v for k, v in self.headers.items()}
        meta, failure = verify(self.command, self.path, headers, body)
        logs = (meta or {}).get("service") == "logs"
        if logs and CONFIG.get("logsFault") == "hang":
            time.sleep(3600)
        if logs and CONFIG.get("logsFault") == "500":
            status, text = logs_error("ServiceUnavailableException", 500)
        elif failure and logs:
            code = {"SignatureDoesNotMatch": "InvalidSignatureException", "InvalidAccessKeyId": "UnrecognizedClientException"}
            status, text = logs_error(code.get(failure[1].split("<Code>")[1].split("<")[0], "AccessDeniedException"), failure[0])
        elif failure:
            status, text = failure
        elif logs and self.command == "POST":
            status, text = logs_answer(headers, body)
        elif meta["service"] == "s3" and self.command == "GET":
            found = CONFIG["objects"].get(self.path.split("?")[0])
            status, text = (200, found) if found is not None else error("NoSuchKey", 404, "no such key")
        elif meta["service"] == "ec2" and self.command == "POST":
            status, text = 200, "<CreateTagsResponse><return>true</return></CreateTagsResponse>"
        else:
            status, text = error("NotImplemented", 501, "not modelled")
        with open(RECORD, "a") as record:
            record.write(json.dumps({"method": self.command, "path": self.path, "status": status, "body": body.decode("utf-8", "replace"),
                                     "service": (meta or {}).get("service"), "signedHeaders": (meta or {}).get("signedHeaders"),
                                     "sentHeaders": sorted(headers), "target": headers.get("x-amz-target")}) + "\n")
        data = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = handle_any

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
