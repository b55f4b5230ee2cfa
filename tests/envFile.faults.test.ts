/**
 * The `.env` provider under the S3 faults that once broke it, one test per
 * hole (s3rver behind a fault proxy that also enforces If-Match /
 * If-None-Match): a truncated body that looks complete, a write whose answer
 * was lost, a write or delete reported as failed when it landed, errors
 * without their cause, a request never answered. The seeded campaign over
 * every fault is envFile.faultCampaign.test.ts.
 */
import * as assert from "assert";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { EnvFileOutputs, envFileProvider } from "../components/envFile/provider";
import { s3Client } from "../components/envFile/s3";
import { S3_TIME_BOUNDS } from "../components/envFile/s3Faults";
import { envFileInputs as inputs, SECRET_VALUES } from "./support/envFileInputs";
import { Fault, Seen } from "./support/faultProxy";
import { FaultFixture, faultFixtureOverS3rver } from "./support/faultFixture";

const OPERATOR_FILE = [
    "# operator's notes: keep",
    "DOMAIN_OR_PUBLIC_IP=ov.example.com",
    `OPENVIDU_PRO_LICENSE=${SECRET_VALUES[0]}`,
    `OPENVIDU_SECRET=${SECRET_VALUES[1]}`,
    "OPENVIDU_RECORDING=true",
    "OPENVIDU_CDR=false",
    "OPENVIDU_WEBHOOK=true",
    "# the coturn secret, set by hand",
    "COTURN_SHARED_SECRET_KEY=coturn-Hv3x9Qw2",
    "OPENVIDU_PRO_CLUSTER_LOAD_STRATEGY=streams",
    "",
].join("\n");
const NEW_SECRET = "secret-Nw4";

function noSecretIn(message: string): void {
    for (const secret of [...SECRET_VALUES, NEW_SECRET, "coturn-Hv3x9Qw2", "secret-Op1"]) assert.ok(!message.includes(secret), `no secret in: ${message}`);
}

/** The fault for the n-th request of a method (1-based), none for the others. */
function nth(method: string, faults: Record<number, Fault>, otherwise: Fault = "none"): (seen: Seen) => Fault {
    const counts = new Map<string, number>();
    return (seen) => {
        const n = (counts.get(seen.method) ?? 0) + 1;
        counts.set(seen.method, n);
        return seen.method === method ? faults[n] ?? otherwise : "none";
    };
}

describe(".env provider under S3 faults: the five holes", function () {
    this.timeout(60000);
    let f: FaultFixture;
    let bucketCount = 0;
    async function bucket(): Promise<string> {
        const name = `holes-${++bucketCount}`;
        await f.createBucket(name);
        return name;
    }
    const fixture = faultFixtureOverS3rver();
    before(() => { f = fixture(); });

    describe("1. a truncated body whose length header matches is never merged", () => {
        it("is read again, and the write keeps every operator key and comment", async () => {
            const b = await bucket();
            await f.write(b, OPERATOR_FILE);
            const run = await f.through({ plan: nth("GET", { 1: "truncate" }) }, () => envFileProvider.create!(inputs({ settings: { ...inputs().settings, OPENVIDU_CDR: "true" } }, b)));
            assert.strictEqual(run.error, undefined, run.error?.message);
            assert.strictEqual(await f.read(b), OPERATOR_FILE.replace("OPENVIDU_CDR=false", "OPENVIDU_CDR=true"));
            assert.ok(run.proxy.log.filter((r) => r.method === "GET").length >= 2, "the cut body was read again");
        });

        it("a refresh on a truncated body still sees every key", async () => {
            const b = await bucket();
            const outs = (await envFileProvider.create!(inputs({}, b))).outs as EnvFileOutputs;
            await f.write(b, OPERATOR_FILE);
            const run = await f.through({ plan: nth("GET", { 1: "truncate" }) }, () => envFileProvider.read!(`${b}/.env`, outs));
            const props = run.result?.props as EnvFileOutputs;
            assert.deepStrictEqual(props.unmanagedKeys, ["OPENVIDU_WEBHOOK", "COTURN_SHARED_SECRET_KEY", "OPENVIDU_PRO_CLUSTER_LOAD_STRATEGY"]);
            assert.strictEqual(props.settings.OPENVIDU_CDR, "false");
        });

        it("a body cut on every read fails, saying so, and writes nothing", async () => {
            const b = await bucket();
            await f.write(b, OPERATOR_FILE);
            const run = await f.through({ plan: nth("GET", {}, "truncate") }, () => envFileProvider.create!(inputs({ settings: { ...inputs().settings, OPENVIDU_CDR: "true" } }, b)));
            assert.match(run.error?.message ?? "", /^cannot read s3:\/\/holes-\d+\/\.env: the body S3 sent was not the whole object in 3 reads \(MD5 of the ETag mismatch\); nothing was used$/);
            assert.strictEqual(await f.read(b), OPERATOR_FILE);
            assert.strictEqual(run.proxy.log.filter((r) => r.method === "PUT").length, 0);
        });

        it("every write carries Content-MD5 and a SHA-256 checksum of exactly its body; every read asks for S3's checksum", async () => {
            const b = await bucket();
            const run = await f.through({ plan: () => "none" }, () => envFileProvider.create!(inputs({}, b)));
            const body = Buffer.from((await f.read(b))!);
            const [put] = run.proxy.log.filter((r) => r.method === "PUT");
            assert.strictEqual(put.headers["content-md5"], createHash("md5").update(body).digest("base64"));
            assert.strictEqual(put.headers["x-amz-checksum-sha256"], createHash("sha256").update(body).digest("base64"));
            for (const get of run.proxy.log.filter((r) => r.method === "GET")) assert.strictEqual(get.headers["x-amz-checksum-mode"], "ENABLED");
        });
    });

    describe("2. a write whose answer was lost keeps the record lost-write detection needs", () => {
        it("the retry's 412 meets our own write: replacedByLastWrite is kept, and a stale copy saved over it later is undone", async () => {
            const b = await bucket();
            const first = (await envFileProvider.create!(inputs({}, b))).outs as EnvFileOutputs;
            // An operator changed the secret at run time; the config changes it too (and wins).
            await f.write(b, (await f.read(b))!.replace(`OPENVIDU_SECRET=${SECRET_VALUES[1]}`, "OPENVIDU_SECRET=secret-Op1"));
            const before = (await f.read(b))!;
            const news = inputs({ secretSettings: { ...inputs().secretSettings, OPENVIDU_SECRET: NEW_SECRET } }, b);
            // The PUT lands, its answer is lost; the SDK sends it again and gets 412 (the object changed: by us).
            const run = await f.through({ plan: nth("PUT", { 1: "reset-after" }) }, () => envFileProvider.update!(`${b}/.env`, first, news));
            assert.strictEqual(run.error, undefined, run.error?.message);
            assert.deepStrictEqual(run.proxy.log.filter((r) => r.method === "PUT").map((r) => r.status), [200, 412]);
            const second = run.result!.outs as EnvFileOutputs;
            assert.deepStrictEqual(second.replacedByLastWrite, { OPENVIDU_SECRET: "secret-Op1" }, "the value this write replaced, read before it");
            // A writer that read the file before that write saves its copy (with a key of its own) after it.
            await f.write(b, `${before}OPENVIDU_WEBHOOK=true\n`);
            const third = await envFileProvider.update!(`${b}/.env`, second, news);
            assert.match((await f.read(b))!, new RegExp(`^OPENVIDU_SECRET=${NEW_SECRET}$`, "m"), "the lost write is made again");
            assert.match((await f.read(b))!, /^OPENVIDU_WEBHOOK=true$/m);
            assert.strictEqual((third.outs as EnvFileOutputs).writtenEtag !== second.writtenEtag, true);
        });
    });

    describe("3. a write or delete that may have landed is not reported as a plain failure", () => {
        it("a delete applied whose every answer was lost succeeds: the object is gone", async () => {
            const b = await bucket();
            const outs = (await envFileProvider.create!(inputs({ deleteOnDestroy: true }, b))).outs as EnvFileOutputs;
            const run = await f.through({ plan: nth("DELETE", {}, "reset-after") }, () => envFileProvider.delete!(`${b}/.env`, outs));
            assert.strictEqual(run.error, undefined, run.error?.message);
            assert.strictEqual(await f.read(b), undefined);
        });

        it("a write applied, then S3 unreachable: 'may have been applied', with the cause", async () => {
            const b = await bucket();
            const first = (await envFileProvider.create!(inputs({}, b))).outs as EnvFileOutputs;
            let applied = false;
            const plan = (seen: Seen): Fault => {
                if (applied) return "reset-before";
                if (seen.method === "PUT") {
                    applied = true;
                    return "reset-after";
                }
                return "none";
            };
            const news = inputs({ settings: { ...inputs().settings, OPENVIDU_CDR: "true" } }, b);
            const run = await f.through({ plan }, () => envFileProvider.update!(`${b}/.env`, first, news));
            assert.match(run.error?.message ?? "", /^cannot write s3:\/\/holes-\d+\/\.env: .*(ECONNRESET|socket hang up).*; the write may have been applied \(reading the object back failed too: .*(ECONNRESET|socket hang up).*\)$/);
            assert.match((await f.read(b))!, /^OPENVIDU_CDR=true$/m, "it was applied");
            noSecretIn(run.error!.message);
        });

        it("after 'may have been applied', the next up finds the write landed and keeps its record: a stale copy saved later is undone", async () => {
            const b = await bucket();
            const first = (await envFileProvider.create!(inputs({}, b))).outs as EnvFileOutputs;
            const before = (await f.read(b))!;
            let applied = false;
            const plan = (seen: Seen): Fault => {
                if (applied) return "reset-before";
                applied = seen.method === "PUT";
                return applied ? "reset-after" : "none";
            };
            const news = inputs({ secretSettings: { ...inputs().secretSettings, OPENVIDU_SECRET: NEW_SECRET } }, b);
            const failed = await f.through({ plan }, () => envFileProvider.update!(`${b}/.env`, first, news));
            assert.match(failed.error?.message ?? "", /may have been applied/);
            // The engine kept the state of the last successful up: the next up starts from it.
            const again = (await envFileProvider.update!(`${b}/.env`, first, news)).outs as EnvFileOutputs;
            assert.deepStrictEqual(again.replacedByLastWrite, { OPENVIDU_SECRET: SECRET_VALUES[1] });
            await f.write(b, `${before}OPENVIDU_WEBHOOK=true\n`);
            const warnings = (await f.through({ plan: () => "none" }, () => envFileProvider.update!(`${b}/.env`, again, news))).warnings;
            assert.match((await f.read(b))!, new RegExp(`^OPENVIDU_SECRET=${NEW_SECRET}$`, "m"), "the lost write is made again");
            assert.match(warnings.join("\n"), /OPENVIDU_SECRET is back to the value before that write/);
        });

        it("a write that never reached S3 says it was not applied, and the object is as it was", async () => {
            const b = await bucket();
            const first = (await envFileProvider.create!(inputs({}, b))).outs as EnvFileOutputs;
            const before = await f.read(b);
            const run = await f.through({ plan: nth("PUT", {}, "reset-before") }, () => envFileProvider.update!(`${b}/.env`, first, inputs({ settings: { ...inputs().settings, OPENVIDU_CDR: "true" } }, b)));
            assert.match(run.error?.message ?? "", /^cannot write s3:\/\/holes-\d+\/\.env: .*(ECONNRESET|socket hang up).*; the write was not applied \(the object was unchanged when read back\)$/);
            assert.strictEqual(await f.read(b), before);
        });
    });

    describe("4. every error names its cause", () => {
        it("a body aborted mid-way on every read: the errno, not the error's class", async () => {
            const b = await bucket();
            await f.write(b, OPERATOR_FILE);
            const run = await f.through({ plan: nth("GET", {}, "abort-body") }, () => envFileProvider.create!(inputs({}, b)));
            assert.match(run.error?.message ?? "", /^cannot read s3:\/\/holes-\d+\/\.env: [^\n]*(ECONNRESET|aborted)[^\n]*$/);
            assert.doesNotMatch(run.error!.message, /: Error$/);
            assert.strictEqual(await f.read(b), OPERATOR_FILE);
        });

        it("S3's own error code and status (503 SlowDown on every attempt)", async () => {
            const b = await bucket();
            const run = await f.through({ plan: nth("GET", {}, "503") }, () => envFileProvider.create!(inputs({}, b)));
            assert.strictEqual(run.error?.message, `cannot read s3://${b}/.env: SlowDown (HTTP 503)`);
            assert.strictEqual(run.proxy.log.length, S3_TIME_BOUNDS.maxAttempts, "the SDK's retries, then no more");
        });
    });

    describe("5. a request never answered ends at the bound, naming S3 and the bound", () => {
        /** The action, or a note that it was still pending after a real 5 s (the code before the bound hangs forever). */
        async function bounded<T>(action: () => Promise<T>): Promise<T> {
            let timer: NodeJS.Timeout | undefined;
            const pending = new Promise<never>((_resolve, reject) => {
                timer = setTimeout(() => reject(new Error("still pending after 5 s")), 5000);
            });
            try {
                return await Promise.race([action(), pending]);
            } finally {
                clearTimeout(timer);
            }
        }

        it("a read: fails at the operation's bound", async () => {
            const b = await bucket();
            await f.write(b, OPERATOR_FILE);
            const started = Date.now();
            const run = await bounded(() => f.through({ plan: nth("GET", { 1: "hang" }) }, () => envFileProvider.read!(`${b}/.env`, { ...inputs({}, b), lastWritten: {}, unmanagedKeys: [] })));
            assert.strictEqual(run.error?.message, `cannot read s3://${b}/.env: S3 did not finish within 60 s (the bound of one S3 operation)`);
            assert.strictEqual(run.hangs, 1);
            assert.ok(Date.now() - started < 5000, "no real wait");
        });

        it("a write: the bound, and what became of the write, settled by reading the object", async () => {
            const b = await bucket();
            const first = (await envFileProvider.create!(inputs({}, b))).outs as EnvFileOutputs;
            const before = await f.read(b);
            const run = await bounded(() => f.through({ plan: nth("PUT", { 1: "hang" }) }, () => envFileProvider.update!(`${b}/.env`, first, inputs({ settings: { ...inputs().settings, OPENVIDU_CDR: "true" } }, b))));
            assert.strictEqual(run.error?.message,
                `cannot write s3://${b}/.env: S3 did not finish within 60 s (the bound of one S3 operation); the write was not applied (the object was unchanged when read back)`);
            assert.strictEqual(await f.read(b), before);
        });

        it("the S3 client times out connections (5 s) and requests (15 s, an error, not a warning), 3 requests at most", async () => {
            const client = s3Client("us-east-1");
            const handler = client.config.requestHandler as unknown as { configProvider: Promise<Record<string, unknown>> };
            const config = await handler.configProvider;
            assert.deepStrictEqual([config.connectionTimeout, config.requestTimeout, config.socketTimeout, config.throwOnRequestTimeout], [5000, 15000, 15000, true]);
            assert.strictEqual(await client.config.maxAttempts(), 3);
        });

        it("docs/env-file.md gives every bound as the code sets it", () => {
            const docs = fs.readFileSync(path.join(__dirname, "../docs/env-file.md"), "utf8");
            const seconds = (ms: number): string => `${ms / 1000} s`;
            const figures = [S3_TIME_BOUNDS.connectionMs, S3_TIME_BOUNDS.requestMs, S3_TIME_BOUNDS.socketIdleMs, S3_TIME_BOUNDS.operationMs].map(seconds);
            for (const figure of [...figures, `${S3_TIME_BOUNDS.rereadDelayMs} ms`, `${2 * S3_TIME_BOUNDS.rereadDelayMs} ms`]) {
                assert.ok(docs.includes(figure), `docs/env-file.md quotes ${figure}`);
            }
            assert.match(docs, new RegExp(`${S3_TIME_BOUNDS.maxAttempts} requests`));
        });
    });
});
