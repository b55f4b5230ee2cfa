/**
 * No lost update: the `.env` provider against Ceph RGW (which, unlike s3rver,
 * honours conditional writes), with a second writer (the cluster's
 * `/restart`) writing between the provider's read and its write.
 * Skipped, with the reason printed, where Ceph is not installed.
 */
import * as assert from "assert";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { EnvFileOutputs, envFileProvider } from "../components/envFile/provider";
import { envFileInputs as inputs } from "./support/envFileInputs";
import { interpose, Interposer } from "./support/interpose";
import { Rgw } from "./support/rgw";
import { rgwForFileOrSkip } from "./support/sharedRgw";
import { pointEnvironmentAt } from "./support/s3rver";

describe(".env provider against Ceph RGW: concurrent writers", function () {
    this.timeout(180000);
    let rgw: Rgw | undefined;
    let direct: S3Client;
    const proxies: Interposer[] = [];

    before(async function () {
        rgw = await rgwForFileOrSkip(this);
        direct = new S3Client({
            region: "us-east-1", endpoint: rgw.endpoint, forcePathStyle: true,
            credentials: { accessKeyId: rgw.accessKey, secretAccessKey: rgw.secretKey },
        });
        for (const bucket of ["rgw-create", "rgw-update", "rgw-busy", "rgw-stale", "rgw-foreign"]) await direct.send(new CreateBucketCommand({ Bucket: bucket }));
    });
    after(async () => {
        for (const proxy of proxies) await proxy.close();
        rgw?.stop();
    });

    async function read(bucket: string): Promise<string> {
        const answer = await direct.send(new GetObjectCommand({ Bucket: bucket, Key: ".env" }));
        return answer.Body!.transformToString();
    }
    async function write(bucket: string, text: string): Promise<void> {
        await direct.send(new PutObjectCommand({ Bucket: bucket, Key: ".env", Body: text }));
    }
    /** Routes the provider through a proxy that runs `competitor` before each conditional write. */
    async function withCompetitor<T>(competitor: (count: number) => Promise<void>, action: () => Promise<T>): Promise<T> {
        const proxy = await interpose(rgw!.endpoint, competitor);
        proxies.push(proxy);
        const restore = pointEnvironmentAt(proxy.endpoint, rgw!.accessKey, rgw!.secretKey);
        try {
            return await action();
        } finally {
            restore();
        }
    }

    it("RGW itself rejects a stale If-Match and an If-None-Match on an existing key (the witness is real)", async () => {
        await write("rgw-busy", "A=1\n");
        const stale = direct.send(new PutObjectCommand({ Bucket: "rgw-busy", Key: ".env", Body: "A=2\n", IfMatch: "0123456789abcdef0123456789abcdef" }));
        await assert.rejects(stale, (e: { $metadata?: { httpStatusCode?: number } }) => e.$metadata?.httpStatusCode === 412);
        const exists = direct.send(new PutObjectCommand({ Bucket: "rgw-busy", Key: ".env", Body: "A=3\n", IfNoneMatch: "*" }));
        await assert.rejects(exists, (e: { $metadata?: { httpStatusCode?: number } }) => e.$metadata?.httpStatusCode === 412);
        assert.strictEqual(await read("rgw-busy"), "A=1\n");
    });

    it("create: a file written between the provider's read and write is merged, not overwritten", async () => {
        await withCompetitor(async (count) => {
            if (count === 1) await write("rgw-create", "OPENVIDU_WEBHOOK=true\nOPENVIDU_RECORDING=false\n");
        }, () => envFileProvider.create!(inputs({}, "rgw-create")));
        const text = await read("rgw-create");
        assert.match(text, /^OPENVIDU_WEBHOOK=true$/m, "the other writer's key survives");
        assert.match(text, /^DOMAIN_OR_PUBLIC_IP=ov\.example\.com$/m, "the provider's keys landed");
    });

    it("create: another cluster's file written between the provider's read and write is refused on the re-read, not overwritten", async () => {
        const theirs = "RM_SQS_QUEUE=OpenViduHA-SQS.fifo\nRM_REDIS_IP=cfn.cache.amazonaws.com\nOPENVIDU_SECRET=theirs-in-use\n";
        const attempt = withCompetitor(async (count) => {
            if (count === 1) await write("rgw-foreign", theirs);
        }, () => envFileProvider.create!(inputs({ takeoverConfig: "openvidu:envTakeover" }, "rgw-foreign")));
        await assert.rejects(attempt, /belongs to another cluster: its RM_REDIS_IP, RM_SQS_QUEUE name resources .*openvidu:envTakeover/);
        assert.strictEqual(await read("rgw-foreign"), theirs, "the If-None-Match write failed and nothing else was written");
    });

    it("update: an operator's /restart between read and write is caught, re-read and kept", async () => {
        const first = (await withCompetitor(async () => undefined, () => envFileProvider.create!(inputs({}, "rgw-update")))).outs as EnvFileOutputs;
        const news = inputs({ settings: { ...inputs().settings, OPENVIDU_CDR: "true" } }, "rgw-update");
        let proxy = 0;
        await withCompetitor(async (count) => {
            proxy = count;
            if (count === 1) {
                // The cluster rewrites the file: recording turned off at run time.
                await write("rgw-update", (await read("rgw-update")).replace("OPENVIDU_RECORDING=true", "OPENVIDU_RECORDING=false"));
            }
        }, () => envFileProvider.update!(first.bucket, first, news));
        const text = await read("rgw-update");
        assert.match(text, /^OPENVIDU_RECORDING=false$/m, "the concurrent change is not lost");
        assert.match(text, /^OPENVIDU_CDR=true$/m, "the config's change landed");
        assert.ok(proxy >= 2, "the first conditional write was rejected and retried");
    });

    it("a writer that saves a stale copy over our write with a plain PUT is detected at the next diff, and our write is made again", async () => {
        const first = (await withCompetitor(async () => undefined, () => envFileProvider.create!(inputs({}, "rgw-stale")))).outs as EnvFileOutputs;
        const news = inputs({ settings: { ...inputs().settings, OPENVIDU_CDR: "true" } }, "rgw-stale");
        // The cluster's /restart reads the file just before our conditional write lands...
        let stale = "";
        const second = (await withCompetitor(async (count) => {
            if (count === 1) stale = await read("rgw-stale");
        }, () => envFileProvider.update!(first.bucket, first, news))).outs as EnvFileOutputs;
        assert.match(await read("rgw-stale"), /^OPENVIDU_CDR=true$/m, "our write landed");
        // ...and saves its copy, with its own change, after it: no condition, so S3 takes it.
        await write("rgw-stale", stale.replace("OPENVIDU_RECORDING=true", "OPENVIDU_RECORDING=false"));
        assert.match(await read("rgw-stale"), /^OPENVIDU_CDR=false$/m, "our write is lost");

        const warnings: string[] = [];
        const warn = console.warn;
        console.warn = (...args: unknown[]) => { warnings.push(args.join(" ")); };
        try {
            const restore = pointEnvironmentAt(rgw!.endpoint, rgw!.accessKey, rgw!.secretKey);
            try {
                assert.strictEqual((await envFileProvider.diff!(second.bucket, second, news)).changes, true, "never taken as an operator's change");
                await envFileProvider.update!(second.bucket, second, news);
            } finally {
                restore();
            }
        } finally {
            console.warn = warn;
        }
        assert.ok(warnings.some((w) => /overwritten since the last `pulumi up` by a writer that had not seen it: OPENVIDU_CDR/.test(w)), warnings.join("\n"));
        const text = await read("rgw-stale");
        assert.match(text, /^OPENVIDU_CDR=true$/m, "our write made again");
        assert.match(text, /^OPENVIDU_RECORDING=false$/m, "the other writer's own change kept");
    });

    it("gives up after exactly 5 attempts with a clear message, leaving the other writer's file whole", async () => {
        await write("rgw-busy", "OPENVIDU_RECORDING=true\n");
        const news = inputs({}, "rgw-busy");
        let competing = 0;
        await withCompetitor(async () => {
            competing++;
            await write("rgw-busy", `OPENVIDU_RECORDING=true\nBUSY=${competing}\n`);
        }, async () => {
            await assert.rejects(envFileProvider.create!(news), (error: Error) => {
                assert.match(error.message, /kept changing while it was being written \(5 attempts\); nothing was written/);
                return true;
            });
        });
        assert.strictEqual(competing, 5, "one conditional write per attempt, five attempts");
        assert.strictEqual(await read("rgw-busy"), `OPENVIDU_RECORDING=true\nBUSY=${competing}\n`);
    });
});
