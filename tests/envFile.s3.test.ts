/**
 * The `.env` provider against a real S3-compatible server (s3rver, started
 * and stopped here): create, update keeping an operator's change, refresh
 * showing drift, delete, and clear errors when S3 cannot be used.
 */
import * as assert from "assert";
import { EnvFileOutputs, envFileProvider } from "../components/envFile/provider";
import { envFileInputs as inputs, SECRET_VALUES } from "./support/envFileInputs";
import { pointEnvironmentAt, readText, s3rverForSuite, writeText } from "./support/s3rver";

const BUCKET = "cluster-bucket";

async function expectError(action: () => Promise<unknown>, pattern: RegExp): Promise<Error> {
    try {
        await action();
    } catch (error) {
        assert.match((error as Error).message, pattern);
        for (const secret of SECRET_VALUES) assert.ok(!(error as Error).message.includes(secret), "no secret in the message");
        return error as Error;
    }
    throw new Error("expected an error");
}

describe(".env provider against s3rver", function () {
    this.timeout(30000);
    const s3 = s3rverForSuite([BUCKET, "other-bucket"]);

    let created: EnvFileOutputs;
    it("create seeds a new .env: header, managed keys in order, secrets in the file only", async () => {
        const result = await envFileProvider.create!(inputs());
        created = result.outs as EnvFileOutputs;
        assert.strictEqual(result.id, `${BUCKET}/.env`);
        assert.strictEqual(await readText(BUCKET), [
            "# seeded by the program",
            "DOMAIN_OR_PUBLIC_IP=ov.example.com",
            `OPENVIDU_PRO_LICENSE=${SECRET_VALUES[0]}`,
            `OPENVIDU_SECRET=${SECRET_VALUES[1]}`,
            "OPENVIDU_RECORDING=true",
            "OPENVIDU_CDR=false",
            "",
        ].join("\n"));
        assert.strictEqual(created.lastWritten.OPENVIDU_RECORDING, "true");
    });

    it("update keeps an operator's change made between two `pulumi up`s, and writes what the config changed", async () => {
        // The cluster's /restart rewrote the file: recording off, and a key of its own.
        const live = (await readText(BUCKET))!.replace("OPENVIDU_RECORDING=true", "OPENVIDU_RECORDING=false") + "OPENVIDU_WEBHOOK=true\n";
        await writeText(BUCKET, live);
        const news = inputs({ settings: { ...inputs().settings, OPENVIDU_CDR: "true" } });
        const diff = await envFileProvider.diff!(created.bucket, created, news);
        assert.strictEqual(diff.changes, true);
        assert.deepStrictEqual(diff.replaces, []);
        const result = await envFileProvider.update!(created.bucket, created, news);
        const text = (await readText(BUCKET))!;
        assert.match(text, /^OPENVIDU_RECORDING=false$/m, "the operator's value survives");
        assert.match(text, /^OPENVIDU_CDR=true$/m, "the config's change lands");
        assert.match(text, /^OPENVIDU_WEBHOOK=true$/m, "an unmanaged key stays");
        assert.deepStrictEqual((result.outs as EnvFileOutputs).unmanagedKeys, ["OPENVIDU_WEBHOOK"]);
        created = result.outs as EnvFileOutputs;
    });

    it("when config and operator changed the same key, the config wins, and the preview says so without values", async () => {
        await writeText(BUCKET, (await readText(BUCKET))!.replace("OPENVIDU_CDR=true", "OPENVIDU_CDR=operator"));
        const news = inputs({ settings: { ...inputs().settings, OPENVIDU_CDR: "config" } });
        const warnings: string[] = [];
        const warn = console.warn;
        console.warn = (...args: unknown[]) => { warnings.push(args.join(" ")); };
        try {
            assert.strictEqual((await envFileProvider.diff!(created.bucket, created, news)).changes, true);
        } finally {
            console.warn = warn;
        }
        assert.strictEqual(warnings.length, 2, warnings.join("\n"));
        assert.match(warnings[0], /OPENVIDU_CDR was changed at run time and is also changed by the stack config/);
        assert.match(warnings[1], /^\.env: RESTARTS EVERY MASTER AT ONCE: applying this changes OPENVIDU_CDR in s3:\/\/cluster-bucket\/\.env /);
        for (const warning of warnings) assert.ok(!/operator|=config/.test(warning.replace("by the stack config", "")), "no value in the warning");
        await envFileProvider.update!(created.bucket, created, news);
        assert.match((await readText(BUCKET))!, /^OPENVIDU_CDR=config$/m);
        created = (await envFileProvider.update!(created.bucket, created, news)).outs as EnvFileOutputs;
    });

    it("reports no change when neither the config nor anything managed changed", async () => {
        const diff = await envFileProvider.diff!(created.bucket, created, inputs({ settings: { ...inputs().settings, OPENVIDU_CDR: "config" } }));
        assert.strictEqual(diff.changes, false);
        const moved = await envFileProvider.diff!(created.bucket, created, inputs({ bucket: "other-bucket" }, "other-bucket"));
        assert.deepStrictEqual(moved.replaces, ["bucket"]);
    });

    it("read (pulumi refresh) reports the live values of managed keys, so drift shows", async () => {
        await writeText(BUCKET, (await readText(BUCKET))!.replace("DOMAIN_OR_PUBLIC_IP=ov.example.com", "DOMAIN_OR_PUBLIC_IP=edited.example.com"));
        const read = await envFileProvider.read!(created.bucket, created);
        const props = read.props as EnvFileOutputs;
        assert.strictEqual(props.settings.DOMAIN_OR_PUBLIC_IP, "edited.example.com");
        assert.strictEqual(props.lastWritten.DOMAIN_OR_PUBLIC_IP, "ov.example.com", "the merge base is what the program wrote");
    });

    it("read reports a deleted object as gone, so refresh drops it and the next up seeds it again", async () => {
        const copy = { ...created, bucket: "other-bucket" };
        assert.deepStrictEqual(await envFileProvider.read!("other-bucket/.env", copy), {});
    });

    it("create adopts an existing .env (e.g. from the CloudFormation stack) instead of overwriting it", async () => {
        await writeText("other-bucket", "DOMAIN_OR_PUBLIC_IP=cf.example.com\nOPENVIDU_WEBHOOK_ENDPOINT=https://hooks.example.com\n");
        await envFileProvider.create!(inputs({}, "other-bucket"));
        const text = (await readText("other-bucket"))!;
        assert.match(text, /^DOMAIN_OR_PUBLIC_IP=ov\.example\.com$/m);
        assert.match(text, /^OPENVIDU_WEBHOOK_ENDPOINT=https:\/\/hooks\.example\.com$/m);
    });

    it("delete leaves the object in place by default, and removes it when the stack config says so", async () => {
        await envFileProvider.delete!(created.bucket, created);
        assert.ok(await readText(BUCKET), "kept");
        await envFileProvider.delete!(created.bucket, { ...created, deleteOnDestroy: true });
        assert.strictEqual(await readText(BUCKET), undefined);
    });

    it("a missing bucket fails clearly, naming the bucket, and writes nothing", async () => {
        await expectError(() => envFileProvider.create!(inputs({}, "no-such-bucket")), /bucket no-such-bucket does not exist/);
    });

    it("access denied fails clearly, and writes nothing", async () => {
        const back = pointEnvironmentAt(s3().endpoint, "NOT-A-KEY", "wrong-secret");
        try {
            await expectError(() => envFileProvider.create!(inputs({}, "other-bucket")), /access denied|SignatureDoesNotMatch|HTTP 403/);
        } finally {
            back();
        }
    });

    it("an unreachable S3 fails clearly, and writes nothing", async () => {
        const back = pointEnvironmentAt("http://127.0.0.1:9", "S3RVER", "S3RVER");
        try {
            await expectError(() => envFileProvider.create!(inputs()), /unreachable|ECONNREFUSED/);
        } finally {
            back();
        }
    });

    it("check rejects keys and values that would corrupt the file, naming the key only", async () => {
        const checked = await envFileProvider.check!(inputs(), inputs({ settings: { "BAD KEY": "x", GOOD: "a\nb" } }));
        assert.deepStrictEqual(checked.failures?.map((f) => f.reason), ["BAD KEY is not a valid .env key", "the value of GOOD spans several lines"]);
    });
});
