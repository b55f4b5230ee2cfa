"""A stand-in AWS endpoint on loopback that checks SigV4 as AWS does, with botocore.

Usage: python3 standin.py CONFIG_JSON RECORD_FILE
CONFIG_JSON: {"accessKeyId", "secretAccessKey", "token" (or null), "objects": {"/bucket/key": "text"}}
Prints the port it listens on, then serves until killed. Each request is
appended to RECORD_FILE as one JSON line: method, path, service, signed headers,
the verdict. Checks, in S3's order: Authorization present; the x-amz-date is
the one signed; every x-amz-* header sent is signed (S3 answers 403 otherwise,
which is what curl < 7.86 runs into); the session token is the role's; S3 needs
x-amz-content-sha256 and it matches the body; the signature equals botocore's
for the signed headers. Answers: S3 GET of a configured object, or S3's error
XML; EC2 query-protocol POSTs (CreateTags) with an empty success.
Where the model stops: no clock-skew window, no IAM policy, no presigned URLs.
"""
import datetime
import hashlib
import json
import sys
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
        if failure:
            status, text = failure
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
                                     "sentHeaders": sorted(headers)}) + "\n")
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
