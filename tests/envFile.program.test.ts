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
import * as pulumi from "@pulumi/pulumi";
import { validateConfig } from "../config";
import { cloudFormationStackArn, clusterEnv, masterUserData } from "../components/envFile/content";
import { bootScript, defaultObjectUrl, defaultServiceUrl, holdCommand, MASTER_BOOT, renderMasterUserData } from "../components/envFile/masterBoot";
import { clusterNames } from "../components/naming";
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

/** What a CloudFormation stack ARN looks like (region, account, stack name, a uuid). */
const CLOUDFORMATION_STACK_ARN = /^arn:aws(-cn|-us-gov)?:cloudformation:[a-z]{2}(-[a-z]+)+-\d:\d{12}:stack\/[A-Za-z][A-Za-z0-9-]{0,127}\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("RM_CLOUDFORMATION_ARN", () => {
    const parts = { partition: "aws", region: "eu-west-1", accountId: "123456789012", stackName: "prod-abf890", stackIdentity: "acme/openvidu/prod" };

    it("has the shape of a CloudFormation stack ARN, with a stable id per stack", () => {
        const arn = cloudFormationStackArn(parts);
        assert.match(arn, CLOUDFORMATION_STACK_ARN);
        assert.ok(arn.startsWith("arn:aws:cloudformation:eu-west-1:123456789012:stack/prod-abf890/"));
        assert.strictEqual(cloudFormationStackArn(parts), arn, "stable");
        assert.notStrictEqual(cloudFormationStackArn({ ...parts, stackIdentity: "acme/openvidu/dev" }).split("/")[2], arn.split("/")[2], "one id per stack");
    });

    it("makes a valid CloudFormation stack name of any stack name", () => {
        for (const stackName of ["7-prod", "my_stack.v2", "---", "a".repeat(200)]) {
            assert.match(cloudFormationStackArn({ ...parts, stackName }), CLOUDFORMATION_STACK_ARN, stackName);
        }
    });
});

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
        assert.strictEqual(values.RM_SQS_QUEUE, "prod-abf890-SQS.fifo");
        assert.strictEqual(values.RM_CLOUDFORMATION_ARN,
            cloudFormationStackArn({ partition: "aws", region: "eu-west-1", accountId: "123456789012", stackName: "prod-abf890", stackIdentity: "organization/openvidu/prod" }));
        assert.match(values.RM_CLOUDFORMATION_ARN, CLOUDFORMATION_STACK_ARN);
        assert.strictEqual(values.OPENVIDU_PRO_AWS_REGION, "eu-west-1", "the latest 2.x AMI seeds the region");
        assert.strictEqual(values.COTURN_INTERNAL_RELAY, "false", "the stock .env's value since March 2026");
        assert.strictEqual(values.RM_MASTER_NODES_AUTOSCALING_GROUP_NAME, "prod-abf890-ASGOpenViduProMasterNode");
        assert.strictEqual(values.RM_MEDIA_NODES_AUTOSCALING_GROUP_NAME, "prod-abf890-ASGMediaNode");
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
        assert.deepStrictEqual(env.options.additionalSecretOutputs, ["secretSettings", "lastWritten", "replacedByLastWrite", "fileAtLastUp"]);
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

describe("the .env's secret settings", () => {
    it("are each a secret, whatever their source hands in (license, OpenVidu and coturn secrets, Elasticsearch password, a --secret extraEnv)", async () => {
        const run = await runProgram({ ...VALID_CONFIG }, {
            program: () => {
                const config = validateConfig({ ...CONFIG, extraEnv: JSON.stringify({ OPENVIDU_WEBHOOK_ENDPOINT: "https://hooks.example.com" }) },
                    { stackName: "prod", region: "eu-west-1", secretKeys: "all" });
                config.extraEnvSecret = true;
                // Every source unmarked: clusterEnv must not rely on its callers to mark them.
                const plain = { ...config, license: pulumi.output("plain-license"), elasticsearch: { ...config.elasticsearch!, password: pulumi.output("plain-es-pw") } };
                return clusterEnv({
                    config: plain, openviduSecret: pulumi.output("plain-secret"), coturnSharedSecret: pulumi.output("plain-coturn"), bucketName: "prod-bucket",
                    redisAddress: "redis", redisPort: 6379, queueName: "queue", masterAsgName: "masters", mediaAsgName: "media", stackArn: "arn",
                }).secretSettings;
            },
        });
        const keys = ["OPENVIDU_PRO_LICENSE", "OPENVIDU_SECRET", "COTURN_SHARED_SECRET_KEY", "ELASTICSEARCH_PASSWORD", "OPENVIDU_WEBHOOK_ENDPOINT"];
        assert.deepStrictEqual(Object.keys(run.outputs).sort(), [...keys].sort());
        assert.deepStrictEqual(keys.filter((key) => !isSecret(run.outputs[key])), []);
    });
});

describe("masters' user data", () => {
    let userData: string;
    before(async () => {
        const run = await runProgram(CONFIG, { stackName: "prod" });
        userData = Buffer.from(inputsOf(one(run, "aws:ec2/launchTemplate:LaunchTemplate", "master-template")).userData, "base64").toString("utf8");
    });
    const target = { bucket: "prod-0123456789", key: ".env", region: "eu-west-1", logGroup: "/openvidu/prod-abf890/boot" };

    it("is a #cloud-config: a hold before cron (bootcmd) and a per-boot script (write_files)", () => {
        assert.match(userData, /^#cloud-config\n/);
        assert.ok(userData.includes(`  - path: ${MASTER_BOOT.bootScriptPath}\n`));
        assert.ok(userData.includes(`touch ${MASTER_BOOT.amiFirstRunMarker}`), "the AMI job's first-run marker, so it never edits .env");
    });

    it("only says where the configuration is: bucket, key and region", () => {
        const script = bootScript(target);
        assert.match(script, /^readonly CONFIG_BUCKET='prod-0123456789'$/m);
        assert.match(script, /^readonly CONFIG_KEY='\.env'$/m);
        assert.match(script, /^readonly CONFIG_REGION='eu-west-1'$/m);
        assert.ok(!/OPENVIDU_SECRET=|OPENVIDU_PRO_LICENSE=|COTURN_SHARED_SECRET_KEY=/.test(userData));
        assert.ok(!userData.includes(SECRETS.license) && !userData.includes(SECRETS.openviduSecret) && !userData.includes(SECRETS.elasticsearchPassword));
    });

    it("uses IMDSv2 tokens, no AWS CLI, and never follows OpenVidu's logs", () => {
        const script = bootScript(target);
        assert.match(script, /latest\/api\/token/);
        assert.match(script, /X-aws-ec2-metadata-token:/);
        assert.ok(!/\baws s3\b/.test(script), "the master AMI has no AWS CLI");
        // curl < 7.86 (the AMIs of 2.30 and older) signs neither the session token nor the content hash: S3 says 403.
        assert.ok(!/--aws-sigv4|\bcurl\b[^\n]*\$\{object_url\}/.test(script), "S3 is never signed or fetched by curl");
        assert.match(script, /python3 "\$\{SIGNER\}" --service s3/);
        assert.match(script, /export FOLLOW_OPENVIDU_LOGS=false\n(?:.*\n)*.*\.\/openvidu start/);
    });

    it("reads the regional endpoint unless AWS_ENDPOINT_URL_S3 is set; path style for a bucket name with dots", () => {
        assert.strictEqual(defaultObjectUrl(target), "https://prod-0123456789.s3.eu-west-1.amazonaws.com/.env");
        assert.strictEqual(defaultObjectUrl({ ...target, bucket: "my.bucket" }), "https://s3.eu-west-1.amazonaws.com/my.bucket/.env");
        assert.strictEqual(defaultObjectUrl({ ...target, region: "cn-north-1" }), "https://prod-0123456789.s3.cn-north-1.amazonaws.com.cn/.env");
        assert.strictEqual(defaultObjectUrl({ ...target, region: "us-gov-west-1" }), "https://prod-0123456789.s3.us-gov-west-1.amazonaws.com/.env");
    });

    it("tags its outcome and sends its lines at each partition's regional endpoints (amazonaws.com.cn in China)", () => {
        assert.strictEqual(defaultServiceUrl("ec2", "eu-west-1"), "https://ec2.eu-west-1.amazonaws.com/");
        assert.strictEqual(defaultServiceUrl("ec2", "cn-northwest-1"), "https://ec2.cn-northwest-1.amazonaws.com.cn/");
        assert.strictEqual(defaultServiceUrl("ec2", "us-gov-east-1"), "https://ec2.us-gov-east-1.amazonaws.com/");
        assert.strictEqual(defaultServiceUrl("logs", "cn-north-1"), "https://logs.cn-north-1.amazonaws.com.cn/");
        assert.match(bootScript({ ...target, region: "cn-north-1" }), /^readonly DEFAULT_EC2_URL='https:\/\/ec2\.cn-north-1\.amazonaws\.com\.cn\/'$/m);
    });

    it("passes shellcheck (the per-boot script as bash, the bootcmd as sh)", function () {
        if (!hasCommand("shellcheck")) {
            console.log("      skipped: shellcheck is not installed (apt-get install shellcheck; .ci/run installs it)");
            this.skip();
        }
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "userdata-"));
        for (const [name, text, shell] of [["boot.sh", bootScript(target), "bash"], ["hold.sh", holdCommand(), "sh"]]) {
            fs.writeFileSync(path.join(dir, name), text);
            const result = spawnSync("shellcheck", [`--shell=${shell}`, "--severity=style", path.join(dir, name)], { encoding: "utf8" });
            assert.strictEqual(result.status, 0, result.stdout + result.stderr);
        }
        assert.ok(userData.includes(indentBy(bootScript(target), 6)), "the checked script is the one in the user data");
        assert.ok(userData.includes(indentBy(holdCommand(), 4)), "the checked bootcmd is the one in the user data");
    });

    it("shellcheck would catch a broken script (the validator is real)", function () {
        if (!hasCommand("shellcheck")) this.skip();
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "userdata-")), "broken.sh");
        fs.writeFileSync(file, "#!/bin/bash\nrm -rf $DIR/*\n");
        assert.throws(() => execFileSync("shellcheck", ["--shell=bash", file], { stdio: "pipe" }));
    });

    it("is valid cloud-config for cloud-init's own schema check, which rejects a broken one", function () {
        if (!hasCommand("cloud-init")) {
            console.log("      skipped: cloud-init is not installed (apt-get install cloud-init; .ci/run installs it)");
            this.skip();
        }
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "userdata-"));
        fs.writeFileSync(path.join(dir, "good.yaml"), userData);
        const good = spawnSync("cloud-init", ["schema", "--config-file", path.join(dir, "good.yaml")], { encoding: "utf8" });
        assert.strictEqual(good.status, 0, good.stdout + good.stderr);
        fs.writeFileSync(path.join(dir, "bad.yaml"), userData.replace('permissions: "0755"', "permissions: 755").replace("bootcmd:", "bootcmd: 3\nnot_bootcmd:"));
        const bad = spawnSync("cloud-init", ["schema", "--config-file", path.join(dir, "bad.yaml")], { encoding: "utf8" });
        assert.notStrictEqual(bad.status, 0, "cloud-init schema accepted a broken cloud-config");
    });

    it("fits EC2's 16 KB user data limit (raw, before base64) with the longest bucket and log group names, with room to spare", () => {
        const logGroup = clusterNames("s".repeat(200), "acme", "openvidu").bootLogGroup;
        assert.strictEqual(logGroup.length, "/openvidu//boot".length + 40, "the longest group name naming.ts gives");
        const longest = renderMasterUserData({ bucket: "b".repeat(63), key: ".env", region: "ap-southeast-2", logGroup });
        const bytes = Buffer.byteLength(longest, "utf8");
        // At least 1 KiB left: EC2 refuses a launch template whose user data is over 16384 bytes.
        assert.ok(bytes <= 15 * 1024, `${bytes} bytes of user data; EC2 refuses more than 16384`);
        assert.ok(longest.includes(`  - path: ${MASTER_BOOT.signerPath}\n`), "the SigV4 signer is in it");
    });

    it("is the same text masterUserData renders for the bucket and region", async () => {
        const rendered = await new Promise<string>((resolve) => masterUserData({ bucketName: "prod-0123456789", region: "eu-west-1", logGroupName: "/openvidu/prod-abf890/boot" }).apply((s) => { resolve(s); return s; }));
        assert.strictEqual(rendered, userData);
        assert.strictEqual(renderMasterUserData(target), userData);
    });
});

function indentBy(text: string, spaces: number): string {
    return text.trimEnd().split("\n").map((line) => (line === "" ? "" : " ".repeat(spaces) + line)).join("\n");
}
