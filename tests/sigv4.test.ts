/**
 * The masters' SigV4 signer (components/envFile/awsSigV4.ts), which replaced
 * `curl --aws-sigv4` (curl signs x-amz-security-token and x-amz-content-sha256
 * only from 7.86; the 2.x AMIs carry 7.68, 7.81 and 8.5, and S3 answers 403):
 * - it agrees with botocore's signer, an independent implementation, on many
 *   generated requests (tests/support/sigv4/oracle.py), and the comparison
 *   notices a wrong signer;
 * - it and every other piece of Python in the user data need no more than
 *   Python 3.8 (vermin; and run under a real 3.8 where the machine has one);
 * - as a program it sends requests a botocore-checked stand-in endpoint
 *   accepts (signed token and content hash, S3 GET and EC2 POST), and that
 *   endpoint refuses what S3 refuses (an x-amz-* header left unsigned).
 * The real S3 check is the boot simulation against Ceph RGW (boot.test.ts).
 */
import * as assert from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as path from "path";
import * as YAML from "yaml";
import { gunzipSync } from "zlib";
import { AWS_SIGV4_PY } from "../components/envFile/awsSigV4";
import { bootScript, MASTER_BOOT, renderMasterUserData } from "../components/envFile/masterBoot";
import { python38, pythonToolsUnavailable, SIGV4_SUPPORT, Standin, startStandin, writeSigner } from "./support/sigv4/python";

const CASES = 600;
const SEED = 20260101;
/** A role's temporary credentials; the secret has the characters real ones have (+ / =). */
const ROLE = { AccessKeyId: "ASIAEXAMPLEROLE01234", SecretAccessKey: "wJalr+XUtnF/EMI/K7MDENG+bPxRfiCY=EXAMPLE", Token: "IQoJb3JpZ2luX2Vj/EXAMPLE+token==" };
const TARGET = { bucket: "prod-0123456789", key: ".env", region: "eu-west-1", logGroup: "/openvidu/prod-abf890/boot" };

interface OracleReport {
    cases: number;
    mismatches: Array<{ service: string; url: string; headers: string[] }>;
    withToken: number;
    unsigned: number;
    withQuery: number;
    withBody: number;
    signedHeaders: string[];
}

function oracle(signerText: string, cases = CASES): OracleReport {
    const { dir } = writeSigner(signerText);
    const result = spawnSync("python3", [path.join(SIGV4_SUPPORT, "oracle.py"), dir, String(cases), String(SEED)], { encoding: "utf8" });
    assert.strictEqual(result.status, 0, result.stderr);
    return JSON.parse(result.stdout) as OracleReport;
}

/** The Python of the user data: the signer, and each `python3 -c '…'` of the boot script. */
function embeddedPython(): Array<{ name: string; text: string }> {
    const inline = [...bootScript(TARGET).matchAll(/python3 -c '([^']+)'/g)].map((m, i) => ({ name: `boot script snippet ${i + 1}`, text: m[1] }));
    return [{ name: "aws_sigv4.py", text: AWS_SIGV4_PY }, ...inline];
}

function vermin(file: string): { status: number | null; output: string } {
    const result = spawnSync("vermin", ["--target=3.8-", "--violations", "--no-tips", "-q", file], { encoding: "utf8" });
    return { status: result.status, output: result.stdout + result.stderr };
}

describe("the masters' SigV4 signer (Python standard library, not curl)", function () {
    this.timeout(120000);
    before(function () {
        const missing = pythonToolsUnavailable();
        if (missing) {
            console.log(`      skipped: ${missing}`);
            this.skip();
        }
    });

    describe("against botocore's signer (the oracle)", () => {
        it(`signs ${CASES} generated requests exactly as botocore does (fixed clocks; S3, EC2, Logs, STS; tokens, queries, bodies, unsigned payloads)`, () => {
            const report = oracle(AWS_SIGV4_PY);
            assert.strictEqual(report.cases, CASES);
            assert.deepStrictEqual(report.mismatches.slice(0, 5), []);
            // The cases cover what the masters send and will send.
            assert.ok(report.withToken > CASES / 2 && report.withToken < CASES, `session token in ${report.withToken}`);
            assert.ok(report.unsigned >= 20, `S3 unsigned payloads: ${report.unsigned}`);
            assert.ok(report.withQuery > CASES / 2 && report.withBody > CASES / 2);
            assert.ok(report.signedHeaders.includes("host;x-amz-content-sha256;x-amz-date;x-amz-security-token"), "an S3 GET with a session token");
            assert.ok(report.signedHeaders.includes("content-type;host;x-amz-date;x-amz-security-token;x-amz-target"), "a JSON-protocol POST (CloudWatch Logs)");
        });

        // The comparison is real: each of these wrong signers disagrees with botocore.
        const wrong: Array<[string, string, string]> = [
            ["the session token not signed", `out["x-amz-security-token"] = credentials["Token"]`, `pass`],
            ["the content hash not signed for S3", `if service == "s3":\n        out["x-amz-content-sha256"] = payload_hash`, `if False:\n        pass`],
            ["header values not trimmed", `" ".join(str(v).split())`, `str(v)`],
            ["the query not sorted", `for k, v in sorted(pairs))`, `for k, v in pairs)`],
            ["S3's path normalised like other services'", `if service == "s3":\n        return path or "/"`, `if False:\n        return path`],
            ["the date's day not in the key", `for part in (stamp[:8], region`, `for part in (stamp[:6], region`],
        ];
        for (const [what, from, to] of wrong) {
            it(`notices a signer with ${what}`, () => {
                assert.strictEqual(AWS_SIGV4_PY.split(from).length, 2, `"${from}" is not in the signer once`);
                const report = oracle(AWS_SIGV4_PY.replace(from, to), 150);
                assert.ok(report.mismatches.length > 0, "botocore agreed with a wrong signer");
            });
        }
    });

    describe("runs on Python 3.8 (Ubuntu 20.04: the 2.29 and older AMIs)", () => {
        for (const { name, text } of embeddedPython()) {
            it(`vermin: ${name} needs no more than Python 3.8`, () => {
                const { file } = writeSigner(text);
                const result = vermin(file);
                assert.strictEqual(result.status, 0, result.output);
            });
        }

        it("checks the Python the user data carries: cloud-init writes exactly this signer, and the boot script's snippets", () => {
            const userData = renderMasterUserData(TARGET);
            const files = (YAML.parse(userData) as { write_files: Array<{ path: string; encoding?: string; content: string }> }).write_files;
            const signer = files.find((f) => f.path === MASTER_BOOT.signerPath)!;
            assert.strictEqual(signer.encoding, "gz+b64");
            assert.strictEqual(gunzipSync(Buffer.from(signer.content, "base64")).toString("utf8"), AWS_SIGV4_PY,
                "the stored blob is not the signer: run `npx ts-node scripts/signer-blob.ts`");
            const pieces = embeddedPython();
            assert.ok(pieces.length >= 2, "the boot script's python3 -c snippets were not found");
            for (const { text } of pieces.slice(1)) assert.ok(userData.includes(text.split("\n")[0]));
        });

        it("vermin refuses what 3.8 lacks (the check is real)", () => {
            const { file } = writeSigner("import math\nprint(math.lcm(4, 6), 'x'.removeprefix('a'))\n");
            assert.notStrictEqual(vermin(file).status, 0);
        });
    });

    describe("as a program, against a stand-in endpoint that checks signatures with botocore", () => {
        let standin: Standin;
        const signer = writeSigner();
        before(async () => {
            standin = await startStandin({ accessKeyId: ROLE.AccessKeyId, secretAccessKey: ROLE.SecretAccessKey, token: ROLE.Token },
                { "/prod-0123456789/.env": "DOMAIN_OR_PUBLIC_IP=openvidu.example.com\n" }, { logGroups: [TARGET.logGroup] });
        });
        after(() => standin?.stop());

        /** Runs the signer's command line; credentials (IMDS JSON) on stdin. */
        function run(interpreter: string, args: string[], credentials: object = ROLE): { status: string; body: string; stderr: string } {
            const output = path.join(signer.dir, `answer-${Math.random().toString(36).slice(2)}`);
            const result = spawnSync(interpreter, [signer.file, ...args, "--output", output], { input: JSON.stringify(credentials), encoding: "utf8", timeout: 30000 });
            assert.strictEqual(result.status, 0, result.stderr);
            return { status: result.stdout.trim(), body: fs.existsSync(output) ? fs.readFileSync(output, "utf8") : "", stderr: result.stderr };
        }
        const s3Get = ["--service", "s3", "--region", "eu-west-1"];
        const interpreters = (): string[] => [...new Set(["python3", python38()].filter((p): p is string => Boolean(p)))];

        it("a GET with a session token signs x-amz-security-token and x-amz-content-sha256 (what curl < 7.86 does not), and S3 accepts it", function () {
            if (!python38()) console.log("      (no Python 3.8 on this machine: vermin alone vouches for 3.8)");
            for (const interpreter of interpreters()) {
                const before = standin.records().length;
                const answer = run(interpreter, [...s3Get, `${standin.endpoint}/prod-0123456789/.env`]);
                assert.deepStrictEqual({ status: answer.status, body: answer.body }, { status: "200", body: "DOMAIN_OR_PUBLIC_IP=openvidu.example.com\n" }, `${interpreter}: ${answer.stderr}`);
                const request = standin.records()[before];
                assert.deepStrictEqual(request.signedHeaders!.split(";"), ["host", "x-amz-content-sha256", "x-amz-date", "x-amz-security-token"]);
            }
        });

        it("the same signer sends an EC2 query-protocol POST (CreateTags) the endpoint accepts", () => {
            const body = path.join(signer.dir, "create-tags");
            fs.writeFileSync(body, "Action=CreateTags&ResourceId.1=i-0123456789abcdef0&Tag.1.Key=openvidu%3Aboot&Tag.1.Value=ok&Version=2016-11-15");
            for (const interpreter of interpreters()) {
                const answer = run(interpreter, ["--service", "ec2", "--region", "eu-west-1", "--method", "POST", "--data-file", body,
                    "--header", "Content-Type: application/x-www-form-urlencoded; charset=utf-8", `${standin.endpoint}/`]);
                assert.strictEqual(answer.status, "200", `${interpreter}: ${answer.body}`);
            }
            assert.strictEqual(standin.records().at(-1)!.signedHeaders, "content-type;host;x-amz-date;x-amz-security-token");
        });

        it("--log-events sends a batch file to CloudWatch Logs (JSON protocol): the stream once, then its lines in order; a second batch appends", () => {
            const batch = path.join(signer.dir, "batch");
            const logs = (stream: string, group = TARGET.logGroup, credentials: object = ROLE): string => run("python3", ["--service", "logs", "--region", "eu-west-1",
                "--timeout", "5", "--log-events", group, stream, batch, `${standin.endpoint}/`], credentials).status;
            fs.writeFileSync(batch, "1767225600000 2026-01-01T00:00:00Z openvidu-boot: first line\n1767225600001 2026-01-01T00:00:00Z openvidu-boot: second, with \"quotes\" and ünïcode\n");
            assert.strictEqual(logs("i-0123456789abcdef0"), "200");
            fs.writeFileSync(batch, "1767225700000 2026-01-01T00:01:40Z openvidu-boot: after a reboot\n");
            assert.strictEqual(logs("i-0123456789abcdef0"), "200", "the stream exists: ResourceAlreadyExistsException is not a failure");
            assert.deepStrictEqual(standin.logEvents(TARGET.logGroup, "i-0123456789abcdef0"), [
                { timestamp: 1767225600000, message: "2026-01-01T00:00:00Z openvidu-boot: first line" },
                { timestamp: 1767225600001, message: "2026-01-01T00:00:00Z openvidu-boot: second, with \"quotes\" and ünïcode" },
                { timestamp: 1767225700000, message: "2026-01-01T00:01:40Z openvidu-boot: after a reboot" },
            ]);
            const targets = standin.records().filter((r) => r.service === "logs").map((r) => `${r.target} ${r.status}`);
            assert.deepStrictEqual(targets, ["Logs_20140328.CreateLogStream 200", "Logs_20140328.PutLogEvents 200",
                "Logs_20140328.CreateLogStream 400", "Logs_20140328.PutLogEvents 200"]);
            assert.strictEqual(standin.records().at(-1)!.signedHeaders, "content-type;host;x-amz-date;x-amz-security-token;x-amz-target");
            assert.strictEqual(logs("i-0123456789abcdef0", "/openvidu/another-cluster/boot"), "400", "a group that does not exist");
            assert.strictEqual(logs("i-0fedcba987654321", TARGET.logGroup, { ...ROLE, SecretAccessKey: `x${ROLE.SecretAccessKey.slice(1)}` }), "403");
            assert.deepStrictEqual(standin.logEvents(TARGET.logGroup, "i-0fedcba987654321"), []);
        });

        it("a wrong secret, a missing token, a missing object and no answer give the status the boot script logs", () => {
            const wrongSecret = run("python3", [...s3Get, `${standin.endpoint}/prod-0123456789/.env`], { ...ROLE, SecretAccessKey: `x${ROLE.SecretAccessKey.slice(1)}` });
            assert.strictEqual(wrongSecret.status, "403");
            assert.match(wrongSecret.body, /<Code>SignatureDoesNotMatch<\/Code>/);
            const noToken = run("python3", [...s3Get, `${standin.endpoint}/prod-0123456789/.env`], { ...ROLE, Token: "" });
            assert.match(noToken.body, /<Code>InvalidToken<\/Code>/);
            const missing = run("python3", [...s3Get, `${standin.endpoint}/prod-0123456789/other`]);
            assert.deepStrictEqual([missing.status, /<Code>NoSuchKey<\/Code>/.test(missing.body)], ["404", true]);
            const nobody = run("python3", [...s3Get, "--timeout", "2", "http://127.0.0.1:9/prod-0123456789/.env"]);
            assert.strictEqual(nobody.status, "000");
            assert.match(nobody.stderr, /no answer/);
        });

        it("never follows a redirect: the session token is not sent to another host", async () => {
            const elsewhere: string[] = [];
            const other = http.createServer((request, response) => { elsewhere.push(request.url ?? ""); response.end("ok"); });
            const redirecting = http.createServer((_, response) => {
                response.writeHead(307, { Location: `http://127.0.0.1:${(other.address() as AddressInfo).port}/stolen` });
                response.end();
            });
            await Promise.all([other, redirecting].map((server) => new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))));
            try {
                const url = `http://127.0.0.1:${(redirecting.address() as AddressInfo).port}/prod-0123456789/.env`;
                const child = spawn("python3", [signer.file, ...s3Get, "--output", path.join(signer.dir, "redirected"), url]);
                child.stdin.end(JSON.stringify(ROLE));
                let status = "";
                child.stdout.on("data", (chunk) => { status += chunk; });
                await new Promise((resolve) => child.on("close", resolve));
                assert.strictEqual(status.trim(), "307");
                assert.deepStrictEqual(elsewhere, []);
            } finally {
                redirecting.close();
                other.close();
            }
        });

        it("the endpoint refuses a request whose session token is sent but not signed, as S3 does for curl < 7.86", () => {
            const program = [
                "import sys, json, urllib.request",
                "sys.path.insert(0, sys.argv[1])",
                "import aws_sigv4",
                "creds = json.loads(sys.argv[3])",
                "url = sys.argv[2]",
                "headers = aws_sigv4.sign('GET', url, {}, b'', 's3', 'eu-west-1', dict(creds, Token=''))",
                "headers['x-amz-security-token'] = creds['Token']",
                "print(aws_sigv4.send('GET', url, headers, None, 10)[0])",
            ].join("\n");
            const result = spawnSync("python3", ["-c", program, signer.dir, `${standin.endpoint}/prod-0123456789/.env`, JSON.stringify(ROLE)], { encoding: "utf8" });
            assert.strictEqual(result.stdout.trim(), "403", result.stderr);
            assert.match(standin.records().at(-1)!.sentHeaders.join(","), /x-amz-security-token/);
        });
    });
});
