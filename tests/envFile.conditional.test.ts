/**
 * The `.env` provider's conditional writes as they go on the wire, checked
 * without Ceph: s3rver (which ignores conditions) behind a recording proxy
 * that shows the exact If-None-Match / If-Match headers, and that refuses
 * conditional writes itself to drive the retry loop. The RGW tests show the
 * same behaviour against a server that enforces the conditions; these keep
 * the guarantee tested where Ceph is not installed. Also: which input changes
 * `diff` reports.
 */
import * as assert from "assert";
import { createHash } from "crypto";
import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { EnvFileOutputs, envFileProvider } from "../components/envFile/provider";
import { s3Client } from "../components/envFile/s3";
import { envFileInputs as inputs } from "./support/envFileInputs";
import { record, Recorder } from "./support/recorder";
import { pointEnvironmentAt, s3rverForSuite } from "./support/s3rver";

async function readText(bucket: string): Promise<string | undefined> {
    try {
        return await (await s3Client("us-east-1").send(new GetObjectCommand({ Bucket: bucket, Key: ".env" }))).Body!.transformToString();
    } catch (error) {
        if ((error as { name?: string }).name === "NoSuchKey") return undefined;
        throw error;
    }
}

async function writeText(bucket: string, text: string): Promise<void> {
    await s3Client("us-east-1").send(new PutObjectCommand({ Bucket: bucket, Key: ".env", Body: text }));
}

describe(".env provider's conditional writes on the wire (s3rver behind a recording proxy)", function () {
    this.timeout(30000);
    const s3 = s3rverForSuite(["cond-create", "cond-update", "cond-busy"]);

    /** Runs `action` with the provider going through a recording proxy. */
    async function recorded<T>(action: () => Promise<T>, answer?: Parameters<typeof record>[1]): Promise<{ recorder: Recorder; result?: T; error?: Error }> {
        const recorder = await record(s3().endpoint, answer);
        const restore = pointEnvironmentAt(recorder.endpoint, "S3RVER", "S3RVER");
        try {
            return { recorder, result: await action() };
        } catch (error) {
            return { recorder, error: error as Error };
        } finally {
            restore();
            await recorder.close();
        }
    }

    it("writes a new .env with If-None-Match: * (never over a file created meanwhile), and no If-Match", async () => {
        const { recorder, error } = await recorded(() => envFileProvider.create!(inputs({}, "cond-create")));
        assert.strictEqual(error, undefined);
        const puts = recorder.of("PUT", "/cond-create/.env");
        assert.deepStrictEqual(puts.map((p) => [p.ifNoneMatch, p.ifMatch, p.status]), [["*", undefined, 200]]);
    });

    it("updates with If-Match: the quoted MD5 ETag of exactly the version it read", async () => {
        const first = (await envFileProvider.create!(inputs({}, "cond-update"))).outs as EnvFileOutputs;
        // Someone (the cluster's /restart) rewrote the file since: the update must be conditional on *this* version.
        const live = (await readText("cond-update"))!.replace("OPENVIDU_RECORDING=true", "OPENVIDU_RECORDING=false");
        await writeText("cond-update", live);
        const news = inputs({ settings: { ...inputs().settings, OPENVIDU_CDR: "true" } }, "cond-update");
        const { recorder, error } = await recorded(() => envFileProvider.update!(first.bucket, first, news));
        assert.strictEqual(error, undefined);
        const puts = recorder.of("PUT", "/cond-update/.env");
        assert.strictEqual(puts.length, 1);
        assert.strictEqual(puts[0].ifMatch, `"${createHash("md5").update(live).digest("hex")}"`);
        assert.strictEqual(puts[0].ifNoneMatch, undefined);
    });

    it("gives up after exactly 5 refused writes, re-reading before each, saying so and writing nothing", async () => {
        const refuseConditional = (r: { method?: string; headers: Record<string, unknown> }): number | undefined =>
            r.method === "PUT" && (r.headers["if-match"] !== undefined || r.headers["if-none-match"] !== undefined) ? 412 : undefined;
        const { recorder, error } = await recorded(() => envFileProvider.create!(inputs({}, "cond-busy")), refuseConditional);
        assert.match(error?.message ?? "", /^s3:\/\/cond-busy\/\.env kept changing while it was being written \(5 attempts\); nothing was written/);
        assert.deepStrictEqual(recorder.of("PUT", "/cond-busy/.env").map((p) => p.ifNoneMatch), ["*", "*", "*", "*", "*"]);
        assert.strictEqual(recorder.of("GET", "/cond-busy/.env").length, 5, "a fresh read and merge before each attempt");
        assert.strictEqual(await readText("cond-busy"), undefined);
    });
});

describe(".env provider's diff: what counts as a change", () => {
    const olds: EnvFileOutputs = {
        ...inputs(),
        lastWritten: {
            DOMAIN_OR_PUBLIC_IP: "ov.example.com", OPENVIDU_PRO_LICENSE: "license-Zq8", OPENVIDU_SECRET: "secret-Yx7",
            OPENVIDU_RECORDING: "true", OPENVIDU_CDR: "false",
        },
        unmanagedKeys: [],
    };

    it("nothing changed: no update", async () => {
        assert.deepStrictEqual(await envFileProvider.diff!("cluster-bucket/.env", olds, inputs()), { changes: false, replaces: [], deleteBeforeReplace: false });
    });

    it("deleteOnDestroy turned on: an in-place update, so a later destroy deletes the object", async () => {
        const diff = await envFileProvider.diff!("cluster-bucket/.env", olds, inputs({ deleteOnDestroy: true }));
        assert.deepStrictEqual([diff.changes, diff.replaces], [true, []]);
    });

    it("another region: an in-place update", async () => {
        const diff = await envFileProvider.diff!("cluster-bucket/.env", olds, inputs({ region: "eu-west-1" }));
        assert.deepStrictEqual([diff.changes, diff.replaces], [true, []]);
    });

    it("another bucket or key: a replacement", async () => {
        assert.deepStrictEqual((await envFileProvider.diff!("cluster-bucket/.env", olds, inputs({ key: "config/.env" }))).replaces, ["key"]);
        assert.deepStrictEqual((await envFileProvider.diff!("cluster-bucket/.env", olds, inputs({}, "other-bucket"))).replaces, ["bucket"]);
    });
});
