/**
 * The boot logs as the program declares them, through Pulumi's mocks: one
 * CloudWatch Logs group per cluster (named per project and stack), its
 * retention from openvidu:bootLogRetentionDays, encrypted with a key of its
 * own whose policy lets only CloudWatch Logs of the stack's region use it for
 * this group; deleted on destroy, the key with KMS's window; the masters'
 * user data naming it (so none boots before it exists) and the stack output.
 * The key policy is compared as a document: the IAM evaluator
 * (support/iamSimulator.ts) ignores `kms:EncryptionContext:*` keys, so it
 * cannot decide it. What the masters send: boot.test.ts; their role: masterPermissions.test.ts.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { BOOT_LOGS } from "../components/bootLogs";
import { ConfigError } from "../config/errors";
import { LOG_RETENTION_DAYS } from "../config/rules";
import { BOOT_TIMELINE } from "../models/bootTimeline";
import { MockRun } from "../plan/run";
import { all, failProgram, inputsOf, one, runProgram, VALID_CONFIG } from "./harness";

const GROUP = "aws:cloudwatch/logGroup:LogGroup";
const KEY = "aws:kms/key:Key";
const ACCOUNT = "123456789012";

describe("boot logs: the cluster's CloudWatch Logs group (mocks)", function () {
    this.timeout(120_000);
    let run: MockRun;
    before(async () => { run = await runProgram({ ...VALID_CONFIG }, { stackName: "prod" }); });

    it("one group per cluster, named per project and stack, kept 90 days by default, encrypted with its own key", () => {
        const group = one(run, GROUP);
        const inputs = inputsOf(group);
        assert.strictEqual(group.name, "openvidu-boot-logs-group");
        assert.strictEqual(inputs.name, "/openvidu/prod-abf890/boot");
        assert.strictEqual(inputs.retentionInDays, 90);
        assert.strictEqual(inputs.kmsKeyId, `arn:aws:kms:eu-west-1:${ACCOUNT}:openvidu-boot-logs-key`, "the boot logs' key (the mocks' ARN)");
        assert.ok(group.dependencies.includes("openvidu-boot-logs-key"), "the key (and its policy) exists before the group");
        assert.notStrictEqual(inputs.skipDestroy, true, "deleted on destroy (docs/operations.md)");
        assert.notStrictEqual(group.options?.retainOnDelete, true, "deleted on destroy (docs/operations.md)");
    });

    it("the key: rotated, 7-day deletion window, tagged for the deploy role, usable by CloudWatch Logs of the region for this group only", () => {
        const key = inputsOf(one(run, KEY, "boot-logs-key"));
        assert.strictEqual(key.enableKeyRotation, true);
        assert.strictEqual(key.deletionWindowInDays, 7);
        assert.deepStrictEqual(key.tags, { "openvidu:purpose": "boot-logs" });
        const policy = JSON.parse(key.policy);
        assert.deepStrictEqual(policy.Statement, [
            { Sid: "Account", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" },
            {
                Sid: "BootLogGroup", Effect: "Allow", Principal: { Service: "logs.eu-west-1.amazonaws.com" },
                Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"], Resource: "*",
                Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/openvidu/prod-abf890/boot` } },
            },
        ]);
    });

    it("the masters' user data names the group (so the launch template waits for it); the stack output gives it", () => {
        const template = one(run, "aws:ec2/launchTemplate:LaunchTemplate", "master-template");
        const userData = Buffer.from(inputsOf(template).userData, "base64").toString("utf8");
        assert.match(userData, /--log-events '\/openvidu\/prod-abf890\/boot' "\$\{instance_id\}"/);
        assert.ok(template.dependencies.includes("openvidu-boot-logs-group"), "no master boots before its group exists");
        assert.strictEqual(run.outputs.bootLogGroupName, "/openvidu/prod-abf890/boot");
        const role = JSON.parse(inputsOf(one(run, "aws:iam/rolePolicy:RolePolicy", "master-policy")).policy);
        const statement = role.Statement.find((s: { Sid: string }) => s.Sid === "BootLogStreams");
        assert.strictEqual(statement.Resource, `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/openvidu/prod-abf890/boot:log-stream:*`);
    });

    it("two stacks never share a group (two projects: masterPermissions.test.ts)", async () => {
        const dev = await runProgram({ ...VALID_CONFIG }, { stackName: "dev" });
        const names = [inputsOf(one(run, GROUP)).name, inputsOf(one(dev, GROUP)).name];
        assert.strictEqual(new Set(names).size, 2, names.join(", "));
        assert.match(names[1], /^\/openvidu\/dev-[0-9a-f]{6}\/boot$/);
    });

    it("openvidu:bootLogRetentionDays sets the retention; the group is declared with alarms off too", async () => {
        const year = await runProgram({ ...VALID_CONFIG, bootLogRetentionDays: "365", alarmsEnabled: "false" });
        assert.strictEqual(inputsOf(one(year, GROUP)).retentionInDays, 365);
        assert.strictEqual(all(year, KEY).length, 1);
    });

    it("a retention CloudWatch Logs refuses is a config error naming the key and every allowed value, before anything is declared", async () => {
        for (const bad of ["45", "0", "5000"]) {
            const { error, resources } = await failProgram({ ...VALID_CONFIG, bootLogRetentionDays: bad });
            assert.ok(error instanceof ConfigError, String(error));
            const message = (error as Error).message;
            assert.match(message, /openvidu:bootLogRetentionDays/);
            assert.ok(message.includes(`(got ${bad})`) &&
                message.includes("one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653"),
                `the allowed values: ${message}`);
            assert.deepStrictEqual(resources.filter((r) => r.custom), [], `${bad}: nothing declared`);
        }
    });
});

describe("boot logs: the docs quote the program", () => {
    const operations = fs.readFileSync(path.join(__dirname, "..", "docs", "operations.md"), "utf8");

    it("docs/operations.md: the group, the command that reads a master's stream, the retention, the timing, destroy", () => {
        assert.ok(operations.includes("**`/openvidu/<stack>-<suffix>/boot`**"));
        assert.ok(operations.includes('aws logs tail "$(pulumi stack output bootLogGroupName)" --log-stream-names i-0123456789abcdef0 --since 1d'));
        assert.ok(operations.includes(`\`openvidu:bootLogRetentionDays\` (default 90), one of the\n  periods CloudWatch Logs accepts (${LOG_RETENTION_DAYS.slice(0, 11).join(", ")},\n  ${LOG_RETENTION_DAYS.slice(11).join(", ")})`),
            "the allowed retentions, as config/rules.ts has them");
        assert.ok(operations.includes(`each given ${BOOT_TIMELINE.budget.logsTimeoutSeconds} s (by ${BOOT_TIMELINE.lastLogsAtSeconds} s after\nlaunch at the latest`));
        assert.ok(operations.includes(`after KMS's ${BOOT_LOGS.keyDeletionWindowDays}-day window`));
        assert.ok(operations.includes("The masters' **boot log group is deleted** with its events"));
    });
});
