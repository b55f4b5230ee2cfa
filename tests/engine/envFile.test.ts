/**
 * The `.env` resource under the real Pulumi engine, against a real S3 server
 * (Ceph RGW when installed, s3rver otherwise): what mocks cannot show.
 * - The first preview of a new stack: a generated secret is still unknown,
 *   and the engine sends it as its unknown sentinel to check and diff.
 * - The state file (`pulumi stack export`) holds no secret in plain text:
 *   license, OpenVidu secret, a generated secret, extraEnv set with --secret.
 * - A provider upgrade reaches the state (read and delete run the code kept
 *   there), without rewriting the file.
 * - `pulumi destroy --run-program` follows `openvidu:deleteEnvOnDestroy` as
 *   set now; a plain `pulumi destroy` hands the provider the configuration of
 *   the last `up` (engine behaviour, documented in docs/env-file.md).
 * - Adopting a bucket whose `.env` is another cluster's: preview and up fail
 *   with the provider's refusal, writing nothing; with openvidu:envTakeover the
 *   preview announces the restart (and the pull-request workflow's step posts
 *   it), and up keeps the file's OpenVidu secret, which the output then is.
 * - The drift workflow's step, as written, names every `.env` key changed at
 *   run time (kept by `up` or overwritten by the config), never a value, and
 *   passes again once an `up` has recorded the file.
 * The program is the project's own config loader, `.env` content and EnvFile,
 * inline through the Automation API (no language host, no AWS plugin here);
 * the generated secret comes from a small dynamic resource standing in for
 * @pulumi/random (no plugin either), with its output secret as RandomBytes's.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CreateBucketCommand, GetObjectCommand, ListObjectVersionsCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import * as pulumi from "@pulumi/pulumi";
import * as automation from "@pulumi/pulumi/automation";
import { parse } from "yaml";
import { loadConfig } from "../../config";
import { EnvFile } from "../../components/envFile";
import { clusterEnv, ENV_HEADER, secretInUse } from "../../components/envFile/content";
import { envFileProvider } from "../../components/envFile/provider";
import { hasCommand } from "../support/commands";
import { runDriftStep } from "../support/driftStep";
import { Rgw, rgwUnavailable } from "../support/rgw";
import { rgwForFile } from "../support/sharedRgw";
import { LocalS3, startS3rver } from "../support/s3rver";
import { EngineSandbox, pulumiCommandOf, sandboxOrSkip } from "../support/pulumiCli";

const repoRoot = path.join(__dirname, "..", "..");
const BUCKETS = ["engine-adopt", "engine-secrets", "engine-upgrade", "engine-destroy-on", "engine-destroy-off", "engine-destroy-plain", "engine-drift", "engine-drift-conflict", "engine-drift-unreadable"];
/** Versioned, to count writes. Only this one: RGW (Ceph 16) answers 412 to every If-Match on a versioned bucket (S3 does not). */
const VERSIONED_BUCKET = "engine-upgrade";

const SECRETS = {
    license: "license-engine-5a7d21",
    openviduSecret: "Open_Vidu-engine-9c41",
    hookToken: "hook-token-engine-e07b",
};

/** Stands in for random.RandomBytes: a value generated at create, unknown in a preview, secret in state. */
const generator: pulumi.dynamic.ResourceProvider = {
    async create() {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { randomBytes } = require("crypto");
        return { id: "generated", outs: { hex: randomBytes(16).toString("hex") } };
    },
};

class GeneratedSecret extends pulumi.dynamic.Resource {
    declare readonly hex: pulumi.Output<string>;
    constructor(name: string) {
        super(generator, name, { hex: undefined }, { additionalSecretOutputs: ["hex"] });
    }
}

/** A later release of the provider: the same behaviour, other code. */
const nextRelease: pulumi.dynamic.ResourceProvider = {
    ...envFileProvider,
    async read(id, props) {
        const release = "envfile-provider-next-release";
        return { ...(await envFileProvider.read!(id, props)), ...(release ? {} : {}) };
    },
};

/** The `.env` of the program, with the project's own config loader and content. */
function envProgram(bucket: string, provider: pulumi.dynamic.ResourceProvider = envFileProvider): automation.PulumiFn {
    return async () => {
        const config = loadConfig();
        const coturn = new GeneratedSecret("coturn");
        const openviduSecret = config.openviduSecret ?? new GeneratedSecret("openvidu-secret").hex;
        const env = clusterEnv({
            config,
            openviduSecret,
            coturnSharedSecret: coturn.hex,
            bucketName: bucket,
            redisAddress: "redis.internal",
            redisPort: 6379,
            queueName: "engine-SQS.fifo",
            masterAsgName: "engine-masters",
            mediaAsgName: "engine-media",
            stackArn: "arn:aws:cloudformation:eu-west-1:123456789012:stack/engine/00000000-0000-4000-8000-000000000000",
        });
        const file = new EnvFile("openvidu-env", {
            bucket, region: config.region, ...env, header: ENV_HEADER,
            deleteOnDestroy: config.deleteEnvOnDestroy, deleteOnDestroyConfig: "openvidu:deleteEnvOnDestroy",
            takeover: config.envTakeover, takeoverConfig: "openvidu:envTakeover",
        }, {}, provider);
        return { unmanagedKeys: file.unmanagedKeys, openviduSecret: secretInUse(file.fileAtLastUp, openviduSecret) };
    };
}

/** Runs preview.yml's notice step on `noticesFile` with a `gh` that keeps the comment's body. */
function runPreviewNoticeStep(noticesFile: string): { status: number | null; comment: string; output: string } {
    const step = parse(fs.readFileSync(path.join(repoRoot, ".github", "workflows", "preview.yml"), "utf8")).jobs.preview.steps
        .find((s: { name?: string }) => s.name === "Announce what the .env change does to the masters");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "notice-step-"));
    fs.mkdirSync(path.join(dir, "bin"));
    fs.writeFileSync(path.join(dir, "bin", "gh"), `#!/bin/bash\nwhile [ $# -gt 0 ]; do if [ "$1" = --body-file ]; then cp "$2" "${dir}/gh-body"; fi; shift; done\n`, { mode: 0o755 });
    const result = spawnSync("bash", ["-e", "-c", step.run], {
        cwd: dir, encoding: "utf8",
        env: { ...process.env, PATH: `${path.join(dir, "bin")}:${process.env.PATH}`, NOTICES_FILE: noticesFile, STACK: "prod", PR_NUMBER: "7", GITHUB_STEP_SUMMARY: path.join(dir, "summary.md") },
    });
    const body = path.join(dir, "gh-body");
    const comment = fs.existsSync(body) ? fs.readFileSync(body, "utf8") : "";
    fs.rmSync(dir, { recursive: true, force: true });
    return { status: result.status, comment, output: result.stdout + result.stderr };
}

describe("the .env resource under the real Pulumi engine", function () {
    this.timeout(600_000);
    let sandbox: EngineSandbox;
    let server: { endpoint: string; accessKey: string; secretKey: string; versioned: boolean; admin?: Rgw["admin"]; stop(): Promise<void> | void };
    let direct: S3Client;
    /** Credentials S3 refuses (403) for the buckets of this test. */
    let notReader: Record<string, string>;
    let pulumiCommand: automation.PulumiCommand;
    let workDir: string;

    before(async function () {
        sandbox = sandboxOrSkip(this);
        pulumiCommand = await pulumiCommandOf(sandbox);
        workDir = fs.mkdtempSync(path.join(os.tmpdir(), "openvidu-envfile-engine-"));
        if (rgwUnavailable() === undefined) {
            const rgw: Rgw = await rgwForFile();
            server = { ...rgw, versioned: true };
        } else {
            console.log(`      (s3rver instead of Ceph RGW: ${rgwUnavailable()})`);
            const s3: LocalS3 = await startS3rver([]);
            server = { endpoint: s3.endpoint, accessKey: "S3RVER", secretKey: "S3RVER", versioned: false, stop: () => s3.stop() };
        }
        // Credentials the server knows but that own none of the buckets: S3 answers 403, as to a read-only role.
        if (server.admin) {
            const reader = { accessKeyId: "OVTESTNOTREADER0", secretAccessKey: "not-a-reader-secret" };
            server.admin(["user", "create", "--uid=engine-not-reader", "--display-name=engine-not-reader",
                `--access-key=${reader.accessKeyId}`, `--secret=${reader.secretAccessKey}`]);
            notReader = { AWS_ACCESS_KEY_ID: reader.accessKeyId, AWS_SECRET_ACCESS_KEY: reader.secretAccessKey };
        } else {
            notReader = { AWS_ACCESS_KEY_ID: "NOT-A-READER", AWS_SECRET_ACCESS_KEY: "not-a-reader-secret" };
        }
        direct = new S3Client({
            region: "us-east-1", endpoint: server.endpoint, forcePathStyle: true,
            credentials: { accessKeyId: server.accessKey, secretAccessKey: server.secretKey },
        });
        for (const bucket of BUCKETS) {
            await direct.send(new CreateBucketCommand({ Bucket: bucket }));
            if (server.versioned && bucket === VERSIONED_BUCKET) await direct.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }));
        }
    });
    after(async () => {
        await server?.stop();
        if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
        sandbox?.dispose();
    });

    /** A stack of project `openvidu` running `program`; the provider host reaches the S3 server through its environment. */
    async function stackOf(stackName: string, program: automation.PulumiFn, env: Record<string, string> = {}): Promise<automation.Stack> {
        return automation.LocalWorkspace.createOrSelectStack({ stackName, projectName: "openvidu", program }, {
            workDir,
            pulumiCommand,
            // The CLI starts the dynamic provider in `main`: this package, with its node_modules.
            projectSettings: { name: "openvidu", runtime: "nodejs", main: repoRoot },
            envVars: { ...sandbox.env, ...s3Environment(), ...env },
        });
    }

    /** How the provider host reaches the S3 server. */
    function s3Environment(): Record<string, string> {
        return {
            AWS_ENDPOINT_URL_S3: server.endpoint,
            AWS_ACCESS_KEY_ID: server.accessKey,
            AWS_SECRET_ACCESS_KEY: server.secretKey,
            AWS_REGION: "us-east-1",
        };
    }

    async function configure(stack: automation.Stack, extra: automation.ConfigMap = {}): Promise<void> {
        await stack.setAllConfig({
            "aws:region": { value: "us-east-1" },
            "openvidu:domainName": { value: "openvidu.example.com" },
            "openvidu:masterAmiId": { value: "ami-0123456789abcdef0" },
            "openvidu:mediaAmiId": { value: "ami-0fedcba9876543210" },
            "openvidu:certificateArn": { value: "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666" },
            "openvidu:elasticsearchEnabled": { value: "false" },
            "openvidu:license": { value: SECRETS.license, secret: true },
            "openvidu:openviduSecret": { value: SECRETS.openviduSecret, secret: true },
            ...extra,
        });
    }

    async function writeEnv(bucket: string, text: string): Promise<void> {
        await direct.send(new PutObjectCommand({ Bucket: bucket, Key: ".env", Body: text }));
    }

    async function readEnv(bucket: string): Promise<string | undefined> {
        try {
            return await (await direct.send(new GetObjectCommand({ Bucket: bucket, Key: ".env" }))).Body!.transformToString();
        } catch (error) {
            if ((error as { name?: string }).name === "NoSuchKey") return undefined;
            throw error;
        }
    }

    /**
     * What a reader of the state sees: `pulumi stack export` (without --show-secrets, which the
     * Automation API's exportStack adds) and every file the backend keeps (checkpoints, history, backups).
     */
    function stateText(stack: automation.Stack): string {
        const exported = sandbox.run(["stack", "export", "--stack", `organization/openvidu/${stack.name}`], { cwd: workDir });
        const files = (fs.readdirSync(sandbox.stateDir, { recursive: true }) as string[])
            .map((file) => path.join(sandbox.stateDir, file))
            .filter((file) => fs.statSync(file).isFile());
        assert.ok(files.some((file) => file.endsWith(`${stack.name}.json`)), "the stack's checkpoint is among the files");
        return [exported, ...files.map((file) => fs.readFileSync(file, "utf8"))].join("\n");
    }

    function envResource(state: automation.Deployment): { inputs: Record<string, unknown>; outputs: Record<string, unknown> } {
        const resource = (state.deployment.resources as Array<{ type: string; inputs: Record<string, unknown>; outputs: Record<string, unknown> }>)
            .find((r) => r.type === "pulumi-nodejs:dynamic/openvidu:EnvFile");
        assert.ok(resource, "the .env resource is in the state");
        return resource;
    }

    describe("adopting a bucket whose .env is another cluster's (docs/migrating-from-cloudformation.md)", () => {
        const bucket = "engine-adopt";
        const CFN_SECRET = "cfn-secret-in-use-3b8e";
        const CFN_FILE = [
            "DOMAIN_OR_PUBLIC_IP=old.example.com",
            "OPENVIDU_PRO_LICENSE=cfn-license-6c1a",
            `OPENVIDU_SECRET=${CFN_SECRET}`,
            "OPENVIDU_ENTERPRISE_S3_CONFIG_AUTORESTART=true",
            "RM_REDIS_IP=cfn.abc.ng.0001.use1.cache.amazonaws.com",
            "RM_REDIS_PORT=6379",
            "RM_SQS_QUEUE=OpenViduHA-SQS.fifo",
            "RM_CLOUDFORMATION_ARN=arn:aws:cloudformation:us-east-1:123456789012:stack/OpenViduHA/9b1c0d2e-0000-1111-2222-333344445555",
            "RM_MEDIA_NODES_AUTOSCALING_GROUP_NAME=OpenViduHA-ASGMediaNode",
            "RM_MASTER_NODES_AUTOSCALING_GROUP_NAME=OpenViduHA-ASGMasterNode",
            "",
        ].join("\n");

        it("preview and up fail naming the RM_* keys and openvidu:envTakeover, writing nothing; with the takeover the preview announces the restart and up keeps the file's secret", async function () {
            await writeEnv(bucket, CFN_FILE);
            const notices = path.join(workDir, "adopt-notices.txt");
            const stack = await stackOf("adopt", envProgram(bucket), { OPENVIDU_ENV_NOTICES_FILE: notices });
            await configure(stack, { "openvidu:bucketName": { value: bucket } });
            await stack.removeConfig("openvidu:openviduSecret");

            for (const run of [() => stack.preview(), () => stack.up()]) {
                const error = await run().then(() => undefined, (e: unknown) => e as Error);
                assert.ok(error, "the adoption was not refused");
                assert.match(error.message, /s3:\/\/engine-adopt\/\.env belongs to another cluster: its RM_REDIS_IP, RM_SQS_QUEUE, RM_CLOUDFORMATION_ARN, RM_MEDIA_NODES_AUTOSCALING_GROUP_NAME, RM_MASTER_NODES_AUTOSCALING_GROUP_NAME name resources/);
                assert.match(error.message, /pulumi config set openvidu:envTakeover true/);
                assert.ok(!error.message.includes(CFN_SECRET) && !error.message.includes("OpenViduHA-SQS"), "a value in the error");
            }
            assert.strictEqual(await readEnv(bucket), CFN_FILE, "nothing written");

            await stack.setConfig("openvidu:envTakeover", { value: "true" });
            const preview = await stack.preview();
            assert.match(preview.stdout, /^ *\.env: RESTARTS EVERY MASTER AT ONCE: applying this changes .*RM_SQS_QUEUE.* in s3:\/\/engine-adopt\/\.env/m);
            assert.ok(!preview.stdout.includes(CFN_SECRET));
            const up = await stack.up();
            const file = (await readEnv(bucket))!;
            assert.match(file, new RegExp(`^OPENVIDU_SECRET=${CFN_SECRET}$`, "m"), "the generated secret replaced the one the clients use");
            assert.match(file, /^RM_SQS_QUEUE=engine-SQS\.fifo$/m, "taken over");
            assert.strictEqual(up.outputs.openviduSecret.value, CFN_SECRET, "the output is the secret in use");
            assert.strictEqual(up.outputs.openviduSecret.secret, true);

            // The pull-request workflow's step, on what the real provider wrote for the preview (and the up).
            if (!hasCommand("bash")) this.skip();
            const step = runPreviewNoticeStep(notices);
            assert.strictEqual(step.status, 0, step.output);
            assert.match(step.comment, /^## :warning: Merging this restarts every OpenVidu master of `prod` at once$/m);
            assert.match(step.comment, /^> \.env: RESTARTS EVERY MASTER AT ONCE: applying this changes .*RM_SQS_QUEUE/m);
            assert.ok(!step.comment.includes(CFN_SECRET));

            // The stack's own file from now on: a later up is no refusal, and no write.
            await stack.setConfig("openvidu:envTakeover", { value: "false" });
            const again = await stack.preview();
            assert.strictEqual(again.changeSummary.update ?? 0, 0, JSON.stringify(again.changeSummary));
            assert.ok(!/RESTARTS EVERY MASTER/.test(again.stdout));
        });
    });

    it("previews a new stack while a generated secret is unknown, then keeps every secret out of the state file in plain text", async () => {
        const stack = await stackOf("secrets", envProgram("engine-secrets"));
        const extraEnv = JSON.stringify({ OPENVIDU_WEBHOOK: "true", OPENVIDU_WEBHOOK_ENDPOINT: `https://hooks.example.com/${SECRETS.hookToken}` });
        await configure(stack, { "openvidu:extraEnv": { value: extraEnv, secret: true } });

        // The first preview: the engine hands check/diff the unknown sentinel for the generated secret.
        const events: automation.EngineEvent[] = [];
        const preview = await stack.preview({ onEvent: (event) => events.push(event) });
        assert.strictEqual(preview.changeSummary.create, 3, "the stack, the generated secret and the .env");
        const planned = events.map((e) => e.resourcePreEvent?.metadata).find((m) => m?.type === "pulumi-nodejs:dynamic/openvidu:EnvFile");
        const plannedSecrets = planned?.new?.inputs.secretSettings as Record<string, unknown> | string | undefined;
        assert.ok(plannedSecrets !== null && typeof plannedSecrets === "object", `secretSettings is a map while the generated secret is unknown: ${JSON.stringify(plannedSecrets)}`);
        assert.ok("OPENVIDU_PRO_LICENSE" in plannedSecrets && "COTURN_SHARED_SECRET_KEY" in plannedSecrets);
        assert.ok(!JSON.stringify(events).includes(SECRETS.license), "no secret in the engine's events");

        await stack.up();
        const file = (await readEnv("engine-secrets"))!;
        const coturn = /^COTURN_SHARED_SECRET_KEY=([0-9a-f]{32})$/m.exec(file)?.[1];
        assert.ok(coturn, "the generated secret was written");
        const written = [SECRETS.license, SECRETS.openviduSecret, SECRETS.hookToken, coturn];
        for (const value of written) assert.ok(file.includes(value), "the .env holds the values");

        const state = stateText(stack);
        for (const value of written) assert.ok(!state.includes(value), `a secret in plain text in the state file (${written.indexOf(value)})`);
        const env = envResource(await stack.exportStack());
        assert.ok(!("OPENVIDU_WEBHOOK_ENDPOINT" in (env.inputs.settings as object)), "secret extraEnv is not among the plain settings");

        // Refresh reads the live file back into the state: still nothing in plain text.
        await stack.refresh();
        const refreshed = stateText(stack);
        for (const value of written) assert.ok(!refreshed.includes(value), "a secret in plain text after refresh");

        // The same program again: the serialized provider is stable from run to run, so no change.
        const again = await stack.preview();
        assert.strictEqual(again.changeSummary.update ?? 0, 0, JSON.stringify(again.changeSummary));
    });

    it("reports a provider upgrade in the diff and records it in the state, without rewriting the file", async () => {
        const bucket = "engine-upgrade";
        const stack = await stackOf("upgrade", envProgram(bucket));
        await configure(stack);
        await stack.up();
        const versions = async (): Promise<number> => server.versioned
            ? ((await direct.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: ".env" }))).Versions ?? []).length
            : 1;
        const before = { text: await readEnv(bucket), versions: await versions() };
        assert.ok(!stateText(stack).includes("envfile-provider-next-release"));

        const upgraded = await stackOf("upgrade", envProgram(bucket, nextRelease));
        const preview = await upgraded.preview();
        assert.strictEqual(preview.changeSummary.update, 1, `the new provider is a change: ${JSON.stringify(preview.changeSummary)}`);
        await upgraded.up();
        const env = envResource(await upgraded.exportStack());
        assert.match(String(env.outputs.__provider), /envfile-provider-next-release/, "read and delete will run the new code");
        assert.strictEqual(await readEnv(bucket), before.text);
        assert.strictEqual(await versions(), before.versions, "no new object version: nothing written");
    });

    it("destroy --run-program deletes the .env when openvidu:deleteEnvOnDestroy was set to true after the last up", async () => {
        const stack = await stackOf("destroy-on", envProgram("engine-destroy-on"));
        await configure(stack);
        await stack.up();
        assert.ok(await readEnv("engine-destroy-on"));
        await stack.setConfig("openvidu:deleteEnvOnDestroy", { value: "true" });
        await stack.destroy({ runProgram: true });
        assert.ok(await readEnv("engine-destroy-on") === undefined, "deleted as configured now");
    });

    it("destroy --run-program keeps the .env when openvidu:deleteEnvOnDestroy was set to false after an up with true", async () => {
        const stack = await stackOf("destroy-off", envProgram("engine-destroy-off"));
        await configure(stack, { "openvidu:deleteEnvOnDestroy": { value: "true" } });
        await stack.up();
        await stack.setConfig("openvidu:deleteEnvOnDestroy", { value: "false" });
        await stack.destroy({ runProgram: true });
        assert.ok(await readEnv("engine-destroy-off"), "kept as configured now");
    });

    it("a plain destroy runs with the configuration of the last up (what docs/env-file.md tells operators); an up first records the change", async () => {
        const bucket = "engine-destroy-plain";
        const stack = await stackOf("destroy-plain", envProgram(bucket));
        await configure(stack);
        await stack.up();
        await stack.setConfig("openvidu:deleteEnvOnDestroy", { value: "true" });
        await stack.destroy();
        assert.ok(await readEnv(bucket), "the engine handed the provider the last up's configuration: kept");

        // The documented way without --run-program: an up records the setting (nothing written), then destroy.
        await stack.up();
        await stack.destroy();
        assert.ok(await readEnv(bucket) === undefined, "recorded by the last up: deleted");
    });

    describe("the drift workflow's step with the real provider", () => {
        /** A value an operator sets at run time: it must never leave the bucket or the encrypted state. */
        const OPERATOR_TOKEN = "operator-token-2c9d";

        before(function () {
            if (!hasCommand("jq")) {
                console.log("      skipped: jq is not installed (apt-get install jq; .ci/run installs it)");
                this.skip();
            }
        });

        function driftStep(stackName: string, program: automation.PulumiFn) {
            return runDriftStep({ sandbox, projectDir: workDir, stackName, program, env: s3Environment(), dir: path.join(workDir, `drift-${stackName}-${Date.now()}`) });
        }

        it("names every .env key changed at run time and what up does with it, never a value; up keeps them and the next check passes", async () => {
            const bucket = "engine-drift";
            const program = envProgram(bucket);
            const stack = await stackOf("drift", program);
            await configure(stack);
            await stack.up();
            const clean = await driftStep("drift", program);
            assert.strictEqual(clean.status, 0, clean.summary + clean.log);
            assert.match(clean.summary, /No drift/);

            // The cluster's /restart: recording (a key the config leaves alone) off, a webhook with a token added.
            const seeded = (await readEnv(bucket))!;
            assert.match(seeded, /^OPENVIDU_RECORDING=true$/m);
            assert.match(seeded, /^OPENVIDU_WEBHOOK=false$/m, "a stock default the config leaves to the operator");
            const restarted = seeded.replace("OPENVIDU_RECORDING=true", "OPENVIDU_RECORDING=false").replace("OPENVIDU_WEBHOOK=false", "OPENVIDU_WEBHOOK=true") +
                `OPENVIDU_WEBHOOK_HEADERS=["Authorization: Basic ${OPERATOR_TOKEN}"]\n`;
            await writeEnv(bucket, restarted);

            const drifted = await driftStep("drift", program);
            assert.notStrictEqual(drifted.status, 0, drifted.summary + drifted.log);
            assert.match(drifted.summary, /^update openvidu-env:/m);
            for (const [key, how] of [["OPENVIDU_RECORDING", "changed"], ["OPENVIDU_WEBHOOK", "changed"], ["OPENVIDU_WEBHOOK_HEADERS", "added"]]) {
                assert.match(drifted.summary, new RegExp(`^\\.env: ${key} was ${how} at run time; \`pulumi up\` keeps it`, "m"), drifted.summary);
            }
            assert.ok(!(drifted.summary + drifted.log).includes(OPERATOR_TOKEN), "a run-time value reached the summary or the log");
            assert.ok(!/=false|=true/.test(drifted.summary), "no value in the summary");

            // `pulumi up` keeps every run-time change, writes nothing, and records the file as the stack's.
            await stack.up();
            assert.strictEqual(await readEnv(bucket), restarted, "up kept the run-time changes and wrote nothing");
            assert.ok(!stateText(stack).includes(OPERATOR_TOKEN), "the recorded file is encrypted in the state");
            const recorded = await driftStep("drift", program);
            assert.strictEqual(recorded.status, 0, recorded.summary + recorded.log);
        });

        it("with credentials that may not read the .env (a read-only role), compares the rest and says the .env was not checked", async () => {
            const bucket = "engine-drift-unreadable";
            const program = envProgram(bucket);
            const stack = await stackOf("drift-unreadable", program);
            await configure(stack);
            await stack.up();
            await writeEnv(bucket, (await readEnv(bucket))!.replace("OPENVIDU_WEBHOOK=false", "OPENVIDU_WEBHOOK=true"));

            const result = await runDriftStep({
                sandbox, projectDir: workDir, stackName: "drift-unreadable", program, dir: path.join(workDir, "drift-unreadable-step"),
                env: { ...s3Environment(), ...notReader },
            });
            // Before, the refresh failed on the .env's read, and with it the whole check, every day.
            assert.strictEqual(result.status, 0, result.summary + result.log);
            assert.match(result.summary, /No drift/);
            assert.match(result.summary, /^\.env: cannot read s3:\/\/engine-drift-unreadable\/\.env: access denied .*its run-time changes were not checked/m, result.summary);
        });

        it("names a key that the code changes and an operator changed too, as overwritten by the config", async () => {
            const bucket = "engine-drift-conflict";
            const program = envProgram(bucket);
            const stack = await stackOf("drift-conflict", program);
            await configure(stack);
            await stack.up();
            await writeEnv(bucket, (await readEnv(bucket))!.replace("OPENVIDU_RECORDING=true", `OPENVIDU_RECORDING=${OPERATOR_TOKEN}`));
            await stack.setConfig("openvidu:recording", { value: "false" });

            const result = await driftStep("drift-conflict", program);
            assert.notStrictEqual(result.status, 0, result.summary + result.log);
            assert.match(result.summary, /^\.env: OPENVIDU_RECORDING was changed at run time and is also changed by the stack config; the config value will be written$/m, result.summary);
            assert.ok(!(result.summary + result.log).includes(OPERATOR_TOKEN), "a run-time value reached the summary or the log");
        });
    });
});
