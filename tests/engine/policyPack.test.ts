/**
 * `pulumi preview --policy-pack policy` with the real CLI: the engine starts
 * the pack (policy/, as shipped) and its mandatory policies fail a preview.
 * The AWS provider is a stand-in (tests/support/stand-in-aws-provider.js)
 * that accepts every resource as declared; the policies judge those inputs.
 */
import * as assert from "assert";
import * as path from "path";
import * as aws from "@pulumi/aws";
import * as automation from "@pulumi/pulumi/automation";
import { EngineSandbox, pulumiCommandOf, sandboxOrSkip, standInPlugins } from "../support/pulumiCli";

const root = path.join(__dirname, "..", "..");
const policyPack = path.join(root, "policy");

describe("the policy pack in the real Pulumi CLI", function () {
    this.timeout(300_000);
    let sandbox: EngineSandbox;
    let plugins: { dir: string; dispose(): void } | undefined;

    before(function () {
        sandbox = sandboxOrSkip(this);
        plugins = standInPlugins(["aws"]);
    });
    after(() => {
        plugins?.dispose();
        sandbox?.dispose();
    });

    const rolePolicy = (actions: string[]) => async () => {
        new aws.iam.RolePolicy("masters", {
            role: "openvidu-master",
            policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: actions, Resource: "*" }] }),
        });
        return {};
    };

    async function previewWithPack(stackName: string, program: automation.PulumiFn): Promise<{ ok: boolean; output: string }> {
        const pulumiCommand = await pulumiCommandOf(sandbox);
        const stack = await automation.LocalWorkspace.createOrSelectStack({
            projectName: "openvidu", stackName, program,
        }, {
            envVars: { ...sandbox.env, PATH: `${plugins?.dir}${path.delimiter}${sandbox.env.PATH}` },
            pulumiCommand,
            projectSettings: { name: "openvidu", runtime: "nodejs", main: root },
        });
        await stack.setConfig("aws:region", { value: "eu-west-1" });
        let output = "";
        try {
            await stack.preview({ policyPacks: [policyPack], onOutput: (line) => { output += line; } });
            return { ok: true, output };
        } catch (error) {
            return { ok: false, output: `${output}\n${(error as Error).message}` };
        }
    }

    it("loads the pack and passes a statement with named actions", async () => {
        const result = await previewWithPack("narrow", rolePolicy(["ec2:DescribeInstances", "s3:GetObject"]));
        assert.ok(result.ok, result.output);
        assert.match(result.output, /openvidu-guardrails/, "the pack ran");
    });

    it("fails the preview on a whole-service wildcard, naming the policy and the resource", async () => {
        const result = await previewWithPack("wide", rolePolicy(["s3:*"]));
        assert.ok(!result.ok, "a mandatory policy stops the preview");
        assert.match(result.output, /\[mandatory\]\s+no-iam-wildcard-action\s+\(aws:iam\/rolePolicy:RolePolicy: masters\)/);
        assert.match(result.output, /grants "s3:\*"/);
    });

    it("fails the preview on an alarm nobody hears, an unencrypted topic and a log group kept forever, naming each", async () => {
        const result = await previewWithPack("unheard", async () => {
            new aws.sns.Topic("alarms", {});
            new aws.cloudwatch.MetricAlarm("silent", {
                namespace: "AWS/SQS", metricName: "ApproximateAgeOfOldestMessage", statistic: "Maximum",
                period: 60, evaluationPeriods: 3, threshold: 20, comparisonOperator: "GreaterThanThreshold",
            });
            new aws.cloudwatch.LogGroup("boot", {});
            return {};
        });
        assert.ok(!result.ok, "mandatory policies stop the preview");
        assert.match(result.output, /\[mandatory\]\s+alarm-has-actions\s+\(aws:cloudwatch\/metricAlarm:MetricAlarm: silent\)/);
        assert.match(result.output, /\[mandatory\]\s+sns-topic-encrypted\s+\(aws:sns\/topic:Topic: alarms\)/);
        assert.match(result.output, /\[mandatory\]\s+log-group-retention-and-encryption\s+\(aws:cloudwatch\/logGroup:LogGroup: boot\)/);
    });
});
