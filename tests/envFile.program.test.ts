/**
 * The `.env` in the program (under mocks): what it carries, that its secrets
 * stay secret, that masters wait for it, and that no secret reaches user
 * data or a non-secret output. The user data is checked by shellcheck.
 */
import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { masterUserData } from "../components/envFile/content";
import { MockRun } from "../plan/run";
import { all, inputsOf, isSecret, one, runProgram, VALID_CONFIG } from "./harness";
import { hasCommand } from "./support/commands";

const ENV_TYPE = "pulumi-nodejs:dynamic/openvidu:EnvFile";
const SECRETS = {
    license: "LICENSE-4f9c2e",
    openviduSecret: "Open_Vidu-Secret-77",
    elasticsearchPassword: "es-Pass-91",
};
const CONFIG = {
    ...VALID_CONFIG,
    ...SECRETS,
    elasticsearchEnabled: "true",
    elasticsearchUrl: "https://es.example.com:443",
    kibanaUrl: "https://kibana.example.com:443",
    extraEnv: JSON.stringify({ OPENVIDU_WEBHOOK: "true" }),
};

/** Set in the environment while the program runs: the serialized provider must not capture it. */
const CREDENTIAL = "test-credential-7f3a91";

describe(".env in the program", () => {
    let run: MockRun;
    before(async () => {
        const saved = process.env.AWS_SECRET_ACCESS_KEY;
        process.env.AWS_SECRET_ACCESS_KEY = CREDENTIAL;
        try {
            run = await runProgram(CONFIG, { stackName: "prod" });
        } finally {
            if (saved === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
            else process.env.AWS_SECRET_ACCESS_KEY = saved;
        }
    });

    it("is one resource of its own type (not the generic dynamic one)", () => {
        const env = one(run, ENV_TYPE);
        assert.strictEqual(env.name, "openvidu-env");
        assert.deepStrictEqual(all(run, "pulumi-nodejs:dynamic:Resource"), []);
    });

    it("carries every key of the reference from the config and the other components, never AWS_INSTANCE_ID", () => {
        const env = inputsOf(one(run, ENV_TYPE));
        const values = { ...env.settings, ...env.secretSettings };
        assert.strictEqual(values.DOMAIN_OR_PUBLIC_IP, VALID_CONFIG.domainName);
        assert.strictEqual(values.OPENVIDU_EDITION, "enterprise");
        assert.strictEqual(values.OPENVIDU_PRO_CLUSTER_ENVIRONMENT, "aws");
        assert.strictEqual(values.OPENVIDU_PRO_RECORDING_STORAGE, "s3");
        assert.strictEqual(values.OPENVIDU_PRO_AWS_S3_BUCKET, `${env.bucket}/recordings`);
        assert.strictEqual(values.RM_S3_CONFIGURATION_BUCKET, env.bucket);
        assert.strictEqual(values.RM_S3_CONFIGURATION_BUCKET_REGION, "eu-west-1");
        assert.match(values.RM_REDIS_IP, /cache\.amazonaws\.com$/);
        assert.strictEqual(values.RM_REDIS_PORT, "6379");
        assert.strictEqual(values.RM_SQS_QUEUE, "prod-SQS.fifo");
        assert.strictEqual(values.RM_CLOUDFORMATION_ARN, "organization/openvidu/prod");
        assert.strictEqual(values.RM_MASTER_NODES_AUTOSCALING_GROUP_NAME, "prod-ASGOpenViduProMasterNode");
        assert.strictEqual(values.RM_MEDIA_NODES_AUTOSCALING_GROUP_NAME, "prod-ASGMediaNode");
        assert.strictEqual(values.OPENVIDU_PRO_ELASTICSEARCH_HOST, "https://es.example.com:443");
        assert.strictEqual(values.OPENVIDU_PRO_CLUSTER_MODE, "manual", "stock defaults");
        assert.strictEqual(values.OPENVIDU_WEBHOOK, "true", "extraEnv");
        assert.match(values.COTURN_SHARED_SECRET_KEY, /^[0-9a-f]{32}$/);
        assert.ok(!("AWS_INSTANCE_ID" in values));
        assert.deepStrictEqual([...env.keyOrder].sort(), Object.keys(values).sort(), "every key has its place in the file");
    });

    it("keeps the license, OpenVidu secret, Elasticsearch password and coturn secret secret", () => {
        const env = one(run, ENV_TYPE);
        assert.ok(isSecret(env.inputs.secretSettings));
        const secretKeys = Object.keys(inputsOf(env).secretSettings).sort();
        assert.deepStrictEqual(secretKeys, ["COTURN_SHARED_SECRET_KEY", "ELASTICSEARCH_PASSWORD", "OPENVIDU_PRO_LICENSE", "OPENVIDU_SECRET"]);
        for (const value of Object.values(SECRETS)) {
            assert.ok(!JSON.stringify(env.inputs.settings).includes(value), "no secret among the plain settings");
        }
        assert.deepStrictEqual(env.options.additionalSecretOutputs, ["secretSettings", "lastWritten", "replacedByLastWrite"]);
    });

    it("keeps extraEnv secret when it was set with --secret: its keys go with the secret settings, none among the plain ones", async () => {
        const token = "hook-token-5d21c9";
        const extraEnv = JSON.stringify({ OPENVIDU_WEBHOOK: "true", OPENVIDU_WEBHOOK_ENDPOINT: `https://hooks.example.com/${token}` });
        const secretRun = await runProgram({ ...CONFIG, extraEnv }, { stackName: "prod", secret: ["extraEnv"] });
        const env = one(secretRun, ENV_TYPE);
        const secretSettings = env.wire.secretSettings as Record<string, unknown>;
        assert.ok(isSecret(secretSettings.OPENVIDU_WEBHOOK_ENDPOINT), "each value a secret of its own");
        assert.ok(isSecret(secretSettings.OPENVIDU_WEBHOOK), "a stock default overridden by a secret extraEnv is secret too");
        const settings = env.wire.settings as Record<string, unknown>;
        assert.ok(!("OPENVIDU_WEBHOOK" in settings) && !("OPENVIDU_WEBHOOK_ENDPOINT" in settings));
        assert.ok(!JSON.stringify(settings).includes(token));
        assert.ok(inputsOf(env).keyOrder.includes("OPENVIDU_WEBHOOK_ENDPOINT"), "still written to the file");
        // Set in plain text, the same keys are plain settings (nothing hidden that need not be).
        assert.strictEqual(inputsOf(one(run, ENV_TYPE)).settings.OPENVIDU_WEBHOOK, "true");
    });

    it("sends every secret value as a secret of its own (one unknown value cannot hide the others)", () => {
        const secretSettings = one(run, ENV_TYPE).wire.secretSettings as Record<string, unknown>;
        assert.ok(!isSecret(secretSettings), "not one secret map");
        for (const [key, value] of Object.entries(secretSettings)) assert.ok(isSecret(value), `${key} is a secret`);
    });

    it("depends on the bucket and on the components whose values it carries", () => {
        const env = inputsOf(one(run, ENV_TYPE));
        assert.strictEqual(env.bucket, inputsOf(one(run, "aws:s3/bucket:Bucket")).bucketPrefix + "0123456789");
        assert.match(env.settings.RM_REDIS_IP, /openvidu-state-redis/, "the Redis endpoint, an output of the replication group");
    });

    it("is waited for by the master group: no master boots before its configuration exists", () => {
        assert.deepStrictEqual(one(run, "aws:autoscaling/group:Group", "master-asg").options.dependsOn, ["openvidu-env"]);
    });

    it("hides the provider's serialized code from plans, and that code captures no secret or credential", () => {
        const env = one(run, ENV_TYPE);
        assert.match(String(env.inputs.__provider), /^\[serialized provider code, \d+ characters\]$/);
        const code = env.providerCode ?? "";
        assert.match(code, /mergeEnv/, "the real serialized provider");
        for (const value of [...Object.values(SECRETS), CREDENTIAL]) assert.ok(!code.includes(value), "a secret in the serialized provider");
        assert.ok(!code.includes("AKIA"), "no access key");
    });

    it("does not touch the masters' launch template when only the .env content changes", async () => {
        const other = await runProgram({ ...CONFIG, recording: "false", extraEnv: JSON.stringify({ OPENVIDU_WEBHOOK: "false" }) }, { stackName: "prod" });
        const template = (r: MockRun) => JSON.stringify(inputsOf(one(r, "aws:ec2/launchTemplate:LaunchTemplate", "master-template")));
        assert.strictEqual(template(other), template(run), "same launch template: no instance is replaced");
        assert.notDeepStrictEqual(inputsOf(one(other, ENV_TYPE)).settings, inputsOf(one(run, ENV_TYPE)).settings);
    });

    it("leaves no secret in any launch template's user data or any non-secret output", () => {
        const secrets = [...Object.values(SECRETS), "ab".repeat(16), "x".repeat(32)];
        for (const lt of all(run, "aws:ec2/launchTemplate:LaunchTemplate").map(inputsOf)) {
            const userData = lt.userData ? Buffer.from(lt.userData, "base64").toString("utf8") : "";
            for (const secret of secrets) assert.ok(!userData.includes(secret), "a secret in user data");
        }
        for (const [name, value] of Object.entries(run.outputs)) {
            if (isSecret(value)) continue;
            for (const secret of secrets) assert.ok(!JSON.stringify(value).includes(secret), `a secret in output ${name}`);
        }
        assert.ok(isSecret(run.outputs.openviduSecret));
    });
});

describe("masters' user data", () => {
    let script: string;
    before(async () => {
        const run = await runProgram(CONFIG, { stackName: "prod" });
        script = Buffer.from(inputsOf(one(run, "aws:ec2/launchTemplate:LaunchTemplate", "master-template")).userData, "base64").toString("utf8");
    });

    it("only says where the configuration is: bucket, key and region", () => {
        assert.match(script, /^readonly CONFIG_BUCKET='prod-0123456789'$/m);
        assert.match(script, /^readonly CONFIG_KEY='\.env'$/m);
        assert.match(script, /^readonly CONFIG_REGION='eu-west-1'$/m);
        assert.ok(!/OPENVIDU_SECRET|OPENVIDU_PRO_LICENSE|ELASTICSEARCH_PASSWORD|COTURN_SHARED_SECRET_KEY/.test(script));
    });

    it("uses IMDSv2 tokens and writes AWS_INSTANCE_ID locally, never to the shared file", () => {
        assert.match(script, /latest\/api\/token/);
        assert.match(script, /X-aws-ec2-metadata-token:/);
        assert.match(script, /AWS_INSTANCE_ID=%s/);
        assert.ok(!/aws s3 cp [^\n]*\/opt\/openvidu\/\.env" *"?s3:/.test(script), "never uploads");
    });

    it("passes shellcheck", function () {
        if (!hasCommand("shellcheck")) {
            console.log("      skipped: shellcheck is not installed (apt-get install shellcheck; .ci/run installs it)");
            this.skip();
        }
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "userdata-")), "master.sh");
        fs.writeFileSync(file, script);
        const result = spawnSync("shellcheck", ["--shell=bash", "--severity=style", file], { encoding: "utf8" });
        assert.strictEqual(result.status, 0, result.stdout + result.stderr);
    });

    it("shellcheck would catch a broken script (the validator is real)", function () {
        if (!hasCommand("shellcheck")) this.skip();
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "userdata-")), "broken.sh");
        fs.writeFileSync(file, "#!/bin/bash\nrm -rf $DIR/*\n");
        assert.throws(() => execFileSync("shellcheck", ["--shell=bash", file], { stdio: "pipe" }));
    });

    it("is the same script masterUserData renders for the bucket and region", async () => {
        const rendered = await new Promise<string>((resolve) => masterUserData({ bucketName: "prod-0123456789", region: "eu-west-1" }).apply((s) => { resolve(s); return s; }));
        assert.strictEqual(rendered, script);
    });
});
