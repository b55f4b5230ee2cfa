/**
 * AWS Signature Version 4 in Python 3.8's standard library, for code that runs
 * on the masters: the boot reads the `.env` with it (curl signs the session
 * token and content hash only from 7.86; the 2.x AMIs carry 7.68, 7.81, 8.5).
 * One module, written to the master by cloud-init, signs any AWS request (S3
 * REST, JSON and query-protocol POSTs) and sends it with urllib; `--log-events`
 * sends the boot's lines to CloudWatch Logs (CreateLogStream, PutLogEvents).
 *
 * As a program it reads the role credentials (IMDS's JSON) on stdin, never on
 * a command line, writes the answer's body to a file and prints the HTTP
 * status (000: no answer). Tested against botocore's signer
 * (tests/sigv4.test.ts) and a real S3 (tests/boot.test.ts).
 */

/** Where cloud-init writes the module on a master. */
export const AWS_SIGV4_PATH = "/usr/local/lib/openvidu/aws_sigv4.py";

export const AWS_SIGV4_PY = String.raw`"""AWS Signature Version 4 (Python 3.8 standard library only)."""
import argparse
import datetime
import hashlib
import hmac
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
# Headers a proxy or client may rewrite: never signed (as AWS's SDKs do).
UNSIGNED_HEADERS = ("expect", "user-agent", "x-amzn-trace-id")
DEFAULT_PORTS = {"http": 80, "https": 443}


def _hmac(key, text):
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


def _encode(text, safe):
    return urllib.parse.quote(urllib.parse.unquote(text), safe=safe)


def _canonical_path(path, service):
    if service == "s3":
        return path or "/"  # S3 signs the path as sent (already encoded)
    segments = [s for s in path.split("/") if s not in ("", ".")]
    kept = []
    for segment in segments:
        if segment == "..":
            if kept:
                kept.pop()
        else:
            kept.append(segment)
    trailing = "/" if path.endswith("/") and kept else ""
    return urllib.parse.quote("/" + "/".join(kept) + trailing, safe="/~")


def _canonical_query(query):
    pairs = []
    for pair in query.split("&") if query else []:
        key, _, value = pair.partition("=")
        pairs.append((_encode(key, "-_.~"), _encode(value, "-_.~")))
    return "&".join(k + "=" + v for k, v in sorted(pairs))


def _host(parts):
    port = parts.port
    if port is None or port == DEFAULT_PORTS.get(parts.scheme):
        return parts.hostname
    return "%s:%d" % (parts.hostname, port)


def sign(method, url, headers, body, service, region, credentials, now=None):
    """The headers to send: the given ones plus x-amz-date, x-amz-security-token,
    x-amz-content-sha256 (S3, or when given: its value is the payload hash) and
    Authorization. credentials: IMDS's JSON (AccessKeyId, SecretAccessKey, Token)."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    parts = urllib.parse.urlsplit(url)
    out = {k.lower(): v for k, v in headers.items() if k.lower() not in ("authorization", "x-amz-date", "x-amz-security-token")}
    out["x-amz-date"] = stamp
    if credentials.get("Token"):
        out["x-amz-security-token"] = credentials["Token"]
    payload_hash = out.get("x-amz-content-sha256") or hashlib.sha256(body or b"").hexdigest()
    if service == "s3":
        out["x-amz-content-sha256"] = payload_hash
    signed = dict((k, " ".join(str(v).split())) for k, v in out.items() if k not in UNSIGNED_HEADERS)
    signed.setdefault("host", _host(parts))
    names = sorted(signed)
    canonical = "\n".join([
        method.upper(),
        _canonical_path(parts.path, service),
        _canonical_query(parts.query),
        "".join(n + ":" + signed[n] + "\n" for n in names),
        ";".join(names),
        payload_hash,
    ])
    scope = "/".join([stamp[:8], region, service, "aws4_request"])
    to_sign = "\n".join(["AWS4-HMAC-SHA256", stamp, scope, hashlib.sha256(canonical.encode("utf-8")).hexdigest()])
    key = ("AWS4" + credentials["SecretAccessKey"]).encode("utf-8")
    for part in (stamp[:8], region, service, "aws4_request"):
        key = _hmac(key, part)
    signature = hmac.new(key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    out["authorization"] = "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s" % (
        credentials["AccessKeyId"], scope, ";".join(names), signature)
    return out


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a signed request (and its session token) never goes to another host


def send(method, url, headers, body, timeout):
    """(status, body): status 0 when nothing answered within timeout seconds."""
    request = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with urllib.request.build_opener(_NoRedirect).open(request, timeout=timeout) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except (urllib.error.URLError, OSError) as error:
        sys.stderr.write("no answer: %s\n" % getattr(error, "reason", error))
        return 0, b""


def put_log_events(url, region, credentials, group, stream, batch, timeout):
    """CloudWatch Logs: the stream (it may exist), then the batch file's lines ("<ms> <text>")."""
    def call(action, payload):
        body = json.dumps(dict(payload, logGroupName=group, logStreamName=stream)).encode("utf-8")
        headers = {"X-Amz-Target": "Logs_20140328." + action, "Content-Type": "application/x-amz-json-1.1"}
        return send("POST", url, sign("POST", url, headers, body, "logs", region, credentials), body, timeout)
    status, answer = call("CreateLogStream", {})
    if status != 200 and b"ResourceAlreadyExistsException" not in answer:
        return status, answer
    lines = [line.rstrip("\n").split(" ", 1) for line in open(batch, encoding="utf-8", errors="replace")]
    return call("PutLogEvents", {"logEvents": [{"timestamp": int(ms), "message": text} for ms, text in lines]})


def main():
    parser = argparse.ArgumentParser(description="Signs (SigV4) and sends one AWS request; credentials (IMDS JSON) on stdin.")
    parser.add_argument("--service", required=True)
    parser.add_argument("--region", required=True)
    parser.add_argument("--method", default="GET")
    parser.add_argument("--header", action="append", default=[], help="'Name: value'")
    parser.add_argument("--data", help="the request body (never a secret: it is on the command line)")
    parser.add_argument("--data-file", help="the request body, from a file")
    parser.add_argument("--timeout", type=float, default=15)
    parser.add_argument("--log-events", nargs=3, metavar=("GROUP", "STREAM", "FILE"))
    parser.add_argument("--output", required=True, help="where the answer's body goes")
    parser.add_argument("url")
    args = parser.parse_args()
    credentials = json.load(sys.stdin)
    headers = dict((h.partition(":")[0].strip(), h.partition(":")[2].strip()) for h in args.header)
    body = open(args.data_file, "rb").read() if args.data_file else (args.data.encode("utf-8") if args.data is not None else None)
    if args.log_events:
        status, answer = put_log_events(args.url, args.region, credentials, *args.log_events, timeout=args.timeout)
    else:
        status, answer = send(args.method, args.url, sign(args.method, args.url, headers, body, args.service, args.region, credentials), body, args.timeout)
    with open(args.output, "wb") as out:
        out.write(answer)
    print("%03d" % status)


if __name__ == "__main__":
    main()
`;
