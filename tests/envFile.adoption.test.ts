/**
 * Adopting a bucket that already holds a `.env` (docs/migrating-from-cloudformation.md):
 * another cluster's file (its RM_* keys name a Redis, queue, groups or stack this
 * stack never wrote) is refused before anything is written unless the stack takes
 * it over; a stack's own file never is, even when its names change; the file's
 * generated secrets stay. The provider runs against s3rver (started here);
 * tests/engine/envFile.test.ts plays the refusal through the real CLI.
 */
import * as assert from "assert";
import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import * as pulumi from "@pulumi/pulumi";
import { foreignClusterKeys } from "../components/envFile/adoption";
import { secretInUse } from "../components/envFile/content";
import { parseEnv } from "../components/envFile/dotenv";
import { mergeEnv } from "../components/envFile/merge";
import { EnvFileInputs, EnvFileOutputs, envFileProvider } from "../components/envFile/provider";
import { s3Client } from "../components/envFile/s3";
import { inputsOf, one, runProgram, VALID_CONFIG } from "./harness";
import { envFileInputs, SECRET_VALUES } from "./support/envFileInputs";
import { s3rverForSuite } from "./support/s3rver";
import { capturedWarnings } from "./support/warnings";

const BUCKETS = ["adopt-foreign", "adopt-takeover", "adopt-own", "adopt-again", "adopt-secrets", "adopt-explicit"];

/** This stack's RM_* values, as content.ts computes them. */
const OURS = {
    RM_REDIS_IP: "ours.cache.amazonaws.com",
    RM_REDIS_PORT: "6379",
    RM_SQS_QUEUE: "prod-a1b2c3-SQS.fifo",
    RM_CLOUDFORMATION_ARN: "arn:aws:cloudformation:us-east-1:123456789012:stack/prod-a1b2c3/11111111-2222-3333-4444-555555555555",
    RM_MEDIA_NODES_AUTOSCALING_GROUP_NAME: "prod-a1b2c3-ASGMediaNode",
    RM_MASTER_NODES_AUTOSCALING_GROUP_NAME: "prod-a1b2c3-ASGMasterNode",
};

/** The CloudFormation stack's file (values the messages must never carry). */
const CLOUDFORMATION_FILE = [
    "DOMAIN_OR_PUBLIC_IP=old.example.com",
    "OPENVIDU_PRO_LICENSE=cfn-license-41d2",
    "OPENVIDU_SECRET=cfn-secret-in-use-8e1f",
    "COTURN_SHARED_SECRET_KEY=cfn-coturn-77aa",
    "OPENVIDU_ENTERPRISE_S3_CONFIG_AUTORESTART=true",
    "RM_REDIS_IP=cfn.cache.amazonaws.com",
    "RM_REDIS_PORT=6379",
    "RM_SQS_QUEUE=OpenViduHA-SQS.fifo",
    "RM_CLOUDFORMATION_ARN=arn:aws:cloudformation:us-east-1:123456789012:stack/OpenViduHA/9b1c0d2e-0000-1111-2222-333344445555",
    "RM_MEDIA_NODES_AUTOSCALING_GROUP_NAME=OpenViduHA-ASGMediaNode",
    "RM_MASTER_NODES_AUTOSCALING_GROUP_NAME=OpenViduHA-ASGMasterNode",
    "OPENVIDU_WEBHOOK=true",
    "",
].join("\n");
const CLOUDFORMATION_VALUES = CLOUDFORMATION_FILE.split("\n").filter(Boolean).map((line) => line.slice(line.indexOf("=") + 1)).filter((v) => v.length > 4);

/** The stack's inputs: our RM_* keys and, like content.ts, generated secrets that yield to the file's. */
function inputs(bucket: string, overrides: Partial<EnvFileInputs> = {}): EnvFileInputs {
    const base = envFileInputs({}, bucket);
    return envFileInputs({
        settings: { ...base.settings, ...OURS },
        secretSettings: { ...base.secretSettings, COTURN_SHARED_SECRET_KEY: "generated-coturn-0f0f" },
        keyOrder: [...base.keyOrder, ...Object.keys(OURS), "COTURN_SHARED_SECRET_KEY"],
        keepExisting: ["OPENVIDU_SECRET", "COTURN_SHARED_SECRET_KEY"],
        takeoverConfig: "openvidu:envTakeover",
        ...overrides,
    }, bucket);
}

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

function assertNoValue(text: string): void {
    for (const value of [...CLOUDFORMATION_VALUES, ...SECRET_VALUES, ...Object.values(OURS).filter((v) => v.length > 4)]) {
        assert.ok(!text.includes(value), `a value in the message: ${value}`);
    }
}

describe("foreignClusterKeys (pure)", () => {
    const live = (text: string): Map<string, string> => new Map(parseEnv(text).lines.flatMap((l) => l.kind === "setting" ? [[l.key, l.value] as [string, string]] : []));

    it("names every RM_* key of another cluster, not those that match this stack's", () => {
        assert.deepStrictEqual(foreignClusterKeys(live(CLOUDFORMATION_FILE), OURS, {}),
            ["RM_REDIS_IP", "RM_SQS_QUEUE", "RM_CLOUDFORMATION_ARN", "RM_MEDIA_NODES_AUTOSCALING_GROUP_NAME", "RM_MASTER_NODES_AUTOSCALING_GROUP_NAME"]);
    });

    it("a file without RM_* keys (the stock .env, an empty one) is nobody's", () => {
        assert.deepStrictEqual(foreignClusterKeys(live("DOMAIN_OR_PUBLIC_IP=x\nRM_SQS_QUEUE=\n"), OURS, {}), []);
    });

    it("values this stack wrote before are its own, even when its names change now", () => {
        // The ARN's name part carries the stack's names too: it changes with them.
        const renamed = { ...OURS, RM_SQS_QUEUE: "prod-ffffff-SQS.fifo", RM_CLOUDFORMATION_ARN: OURS.RM_CLOUDFORMATION_ARN.replace("prod-a1b2c3", "prod-ffffff") };
        assert.deepStrictEqual(foreignClusterKeys(new Map(Object.entries(OURS)), renamed, OURS), []);
    });

    it("a file with this stack's ARN was written by an earlier life of the same stack", () => {
        const earlier = new Map(Object.entries({ ...OURS, RM_REDIS_IP: "gone.cache.amazonaws.com" }));
        assert.deepStrictEqual(foreignClusterKeys(earlier, OURS, {}), []);
        assert.deepStrictEqual(foreignClusterKeys(earlier, { ...OURS, RM_CLOUDFORMATION_ARN: "arn:other" }, {}), ["RM_REDIS_IP", "RM_CLOUDFORMATION_ARN"]);
    });
});

describe("mergeEnv keeps a file's existing value of a generated secret (pure)", () => {
    it("keeps the file's value, writes the generated one only where the file has none", () => {
        const result = mergeEnv({
            live: parseEnv("OPENVIDU_SECRET=in-use\nCOTURN_SHARED_SECRET_KEY=\n"), lastWritten: {},
            desired: { OPENVIDU_SECRET: "generated-1", COTURN_SHARED_SECRET_KEY: "generated-2", OPENVIDU_PRO_LICENSE: "stack-license" },
            header: [], keepExisting: ["OPENVIDU_SECRET", "COTURN_SHARED_SECRET_KEY"],
        });
        const text = result.document.lines.map((l) => l.kind === "setting" ? `${l.key}=${l.value}` : l.text).join("\n");
        assert.strictEqual(text, "OPENVIDU_SECRET=in-use\nCOTURN_SHARED_SECRET_KEY=generated-2\nOPENVIDU_PRO_LICENSE=stack-license");
        assert.deepStrictEqual(result.keptExisting, ["OPENVIDU_SECRET"]);
        assert.deepStrictEqual(result.changed.sort(), ["COTURN_SHARED_SECRET_KEY", "OPENVIDU_PRO_LICENSE"]);
    });
});

describe("mergeEnv writes a new generated secret over the stack's own earlier one (pure)", () => {
    it("a key this program wrote before is not adopted: its new generated value is written (a rotation)", () => {
        const result = mergeEnv({
            live: parseEnv("COTURN_SHARED_SECRET_KEY=old-generated\n"), lastWritten: { COTURN_SHARED_SECRET_KEY: "old-generated" },
            desired: { COTURN_SHARED_SECRET_KEY: "new-generated" }, header: [], keepExisting: ["COTURN_SHARED_SECRET_KEY"],
        });
        assert.deepStrictEqual([result.changed, result.keptExisting], [["COTURN_SHARED_SECRET_KEY"], []]);
    });
});

describe(".env provider adopting a bucket (s3rver)", function () {
    this.timeout(30000);
    s3rverForSuite(BUCKETS);

    it("refuses another cluster's file in check (so the preview fails), naming the keys and openvidu:envTakeover, never a value; create writes nothing", async () => {
        await writeText("adopt-foreign", CLOUDFORMATION_FILE);
        const checked = await envFileProvider.check!({} as EnvFileInputs, inputs("adopt-foreign"));
        assert.strictEqual(checked.failures?.length, 1);
        const reason = checked.failures![0].reason;
        assert.strictEqual(checked.failures![0].property, "bucket");
        assert.match(reason, /^s3:\/\/adopt-foreign\/\.env belongs to another cluster: its RM_REDIS_IP, RM_SQS_QUEUE, RM_CLOUDFORMATION_ARN, RM_MEDIA_NODES_AUTOSCALING_GROUP_NAME, RM_MASTER_NODES_AUTOSCALING_GROUP_NAME name resources/);
        assert.match(reason, /pulumi config set openvidu:envTakeover true/);
        assert.match(reason, /Nothing was written/);
        assertNoValue(reason);

        await assert.rejects(envFileProvider.create!(inputs("adopt-foreign")), (error: Error) => {
            assert.match(error.message, /belongs to another cluster: its RM_REDIS_IP/);
            assertNoValue(error.message);
            return true;
        });
        assert.strictEqual(await readText("adopt-foreign"), CLOUDFORMATION_FILE, "nothing written");
    });

    it("with the takeover set, check passes announcing the restart of the old masters, and create writes this stack's RM_* keys", async () => {
        await writeText("adopt-takeover", CLOUDFORMATION_FILE);
        const { result: checked, warnings } = await capturedWarnings(() => envFileProvider.check!({} as EnvFileInputs, inputs("adopt-takeover", { takeover: true })));
        assert.deepStrictEqual(checked.failures, []);
        assert.strictEqual(warnings.length, 1, warnings.join("\n"));
        assert.match(warnings[0], /^\.env: RESTARTS EVERY MASTER AT ONCE: applying this changes .*RM_SQS_QUEUE.* in s3:\/\/adopt-takeover\/\.env/);
        assertNoValue(warnings[0]);
        await envFileProvider.create!(inputs("adopt-takeover", { takeover: true }));
        const text = (await readText("adopt-takeover"))!;
        assert.match(text, /^RM_SQS_QUEUE=prod-a1b2c3-SQS\.fifo$/m);
        assert.match(text, /^OPENVIDU_WEBHOOK=true$/m, "the rest of the file is merged, not overwritten");
    });

    it("never refuses the stack's own file: an update whose RM_* names change (unique names) writes them", async () => {
        const created = (await envFileProvider.create!(inputs("adopt-own"))).outs as EnvFileOutputs;
        const renamed = inputs("adopt-own", { settings: { ...inputs("adopt-own").settings, RM_SQS_QUEUE: "prod-ffffff-SQS.fifo",
            RM_MEDIA_NODES_AUTOSCALING_GROUP_NAME: "prod-ffffff-ASGMediaNode", RM_CLOUDFORMATION_ARN: OURS.RM_CLOUDFORMATION_ARN.replace("prod-a1b2c3", "prod-ffffff") } });
        assert.deepStrictEqual((await envFileProvider.check!(envFileInputs({}, "adopt-own"), renamed)).failures, []);
        const { result: diff, warnings } = await capturedWarnings(() => envFileProvider.diff!("adopt-own/.env", created, renamed));
        assert.strictEqual(diff.changes, true);
        assert.match(warnings.join("\n"), /RESTARTS EVERY MASTER AT ONCE: applying this changes RM_CLOUDFORMATION_ARN, RM_MEDIA_NODES_AUTOSCALING_GROUP_NAME, RM_SQS_QUEUE in/);
        await envFileProvider.update!("adopt-own/.env", created, renamed);
        assert.match((await readText("adopt-own"))!, /^RM_SQS_QUEUE=prod-ffffff-SQS\.fifo$/m);
    });

    it("an update refuses a file another cluster took over since (its RM_* keys are neither written nor wanted by this stack)", async () => {
        const created = (await envFileProvider.create!(inputs("adopt-again"))).outs as EnvFileOutputs;
        await writeText("adopt-again", CLOUDFORMATION_FILE);
        await assert.rejects(envFileProvider.diff!("adopt-again/.env", created, inputs("adopt-again")), /belongs to another cluster: its RM_REDIS_IP, RM_SQS_QUEUE/);
        await assert.rejects(envFileProvider.update!("adopt-again/.env", created, inputs("adopt-again")), /belongs to another cluster/);
        assert.strictEqual(await readText("adopt-again"), CLOUDFORMATION_FILE);
    });

    it("keeps the adopted file's OpenVidu and coturn secrets (the clients' ones) and writes the stack's license; state and next diff agree", async () => {
        await writeText("adopt-secrets", CLOUDFORMATION_FILE);
        const news = inputs("adopt-secrets", { takeover: true });
        const outs = (await envFileProvider.create!(news)).outs as EnvFileOutputs;
        const text = (await readText("adopt-secrets"))!;
        assert.match(text, /^OPENVIDU_SECRET=cfn-secret-in-use-8e1f$/m, "a generated secret replaced the one every client uses");
        assert.match(text, /^COTURN_SHARED_SECRET_KEY=cfn-coturn-77aa$/m);
        assert.match(text, new RegExp(`^OPENVIDU_PRO_LICENSE=${SECRET_VALUES[0]}$`, "m"), "the license is the stack's (required config)");
        assert.strictEqual(outs.fileAtLastUp?.OPENVIDU_SECRET, "cfn-secret-in-use-8e1f", "the secret in use, for the stack output");
        const { result: diff, warnings } = await capturedWarnings(() => envFileProvider.diff!("adopt-secrets/.env", outs, news));
        assert.strictEqual(diff.changes, false, "the kept secret is not drift");
        assert.deepStrictEqual(warnings, []);
    });

    it("a secret the stack sets explicitly replaces the file's", async () => {
        await writeText("adopt-explicit", CLOUDFORMATION_FILE);
        await envFileProvider.create!(inputs("adopt-explicit", { takeover: true, keepExisting: ["COTURN_SHARED_SECRET_KEY"] }));
        assert.match((await readText("adopt-explicit"))!, new RegExp(`^OPENVIDU_SECRET=${SECRET_VALUES[1]}$`, "m"));
    });
});

describe("the openviduSecret stack output", () => {
    const value = (output: pulumi.Output<string>): Promise<string> => new Promise((resolve) => output.apply(resolve));

    it("is the secret in the file (an adopted bucket's), a Pulumi secret; the stack's own before a first up", async () => {
        const adopted = secretInUse(pulumi.secret({ OPENVIDU_SECRET: "cfn-secret-in-use-8e1f" }), pulumi.secret("generated-0000"));
        assert.strictEqual(await value(adopted), "cfn-secret-in-use-8e1f");
        assert.strictEqual(await pulumi.isSecret(adopted), true);
        assert.strictEqual(await value(secretInUse(undefined, pulumi.secret("generated-0000"))), "generated-0000");
    });
});

describe("the program hands the .env its adoption rules (mocks)", () => {
    const ENV_TYPE = "pulumi-nodejs:dynamic/openvidu:EnvFile";

    it("generated secrets yield to an adopted file's; a configured OpenVidu secret does not; the takeover follows openvidu:envTakeover", async () => {
        const generated = inputsOf(one(await runProgram({ ...VALID_CONFIG, bucketName: "acme-openvidu", envTakeover: "true" }, { cloud: { bucketRegions: { "acme-openvidu": "eu-west-1" } } }), ENV_TYPE));
        assert.deepStrictEqual([generated.keepExisting, generated.takeover, generated.takeoverConfig],
            [["COTURN_SHARED_SECRET_KEY", "OPENVIDU_SECRET"], true, "openvidu:envTakeover"]);
        const configured = inputsOf(one(await runProgram({ ...VALID_CONFIG, openviduSecret: "Configured_Secret-1" }), ENV_TYPE));
        assert.deepStrictEqual([configured.keepExisting, configured.takeover], [["COTURN_SHARED_SECRET_KEY"], false]);
    });
});
