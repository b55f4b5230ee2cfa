/**
 * The masters' role never grants fewer actions than OpenVidu's own master role
 * (the replication manager is closed source: a missing action fails only at
 * run time, in its logs), and narrows only resources. Decided by an IAM
 * evaluator over every action each of the reference's patterns stands for in
 * AWS's service reference (tests/support/iamSimulator.ts says where that
 * model stops).
 */
import * as assert from "assert";
import { masterPolicyStatements } from "../components/masterPermissions";
import { clusterNames } from "../components/naming";
import { ACCOUNT, decide, expand, Policy } from "./support/iamSimulator";

const REGION = "eu-west-1";
const names = clusterNames("prod", "acme", "openvidu");
const BUCKET = "arn:aws:s3:::acme-0123456789";
const QUEUE = `arn:aws:sqs:${REGION}:${ACCOUNT}:${names.queue}`;
const group = (name: string): string => `arn:aws:autoscaling:${REGION}:${ACCOUNT}:autoScalingGroup:0b5e2a5c-1d0e-4c47-9b7e-3c7f0a1d2e3f:autoScalingGroupName/${name}`;
const INSTANCE = `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0123456789abcdef0`;

const policy: Policy = {
    Version: "2012-10-17",
    Statement: masterPolicyStatements({
        partition: "aws", region: REGION, accountId: ACCOUNT, bucketArn: BUCKET, queueArn: QUEUE,
        masterAsgName: names.masterAsg, mediaAsgName: names.mediaAsg, bootLogGroupName: names.bootLogGroup,
    }) as unknown as Policy["Statement"],
};

/** One request to try: on this stack's own resource, with the tags AWS would see. */
interface Target { resource: string; context?: Record<string, string> }

/**
 * The reference template's master role (anchor-cloudformation.md, "Master
 * nodes"), written out by hand, each with the stack's own resources it
 * applies to here (the reference has "*" for all but SQS and S3).
 */
const REFERENCE_GRANTS: Array<{ actions: string[]; targets: Target[] }> = [
    { actions: ["ec2:Describe*", "ec2:DescribeTags"], targets: [{ resource: "*" }] },
    {
        actions: ["ec2:CreateTags"],
        targets: [names.masterAsg, names.mediaAsg].map((name) => ({ resource: INSTANCE, context: { "ec2:ResourceTag/aws:autoscaling:groupName": name } })),
    },
    { actions: ["sqs:*"], targets: [{ resource: QUEUE }] },
    { actions: ["autoscaling:DescribeAutoScalingInstances", "autoscaling:DescribeAutoScalingGroups"], targets: [{ resource: "*" }] },
    {
        actions: ["autoscaling:SetInstanceHealth", "autoscaling:SetInstanceProtection"],
        targets: [{ resource: group(names.masterAsg) }, { resource: group(names.mediaAsg) }],
    },
    { actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], targets: [{ resource: `${BUCKET}/.env` }, { resource: `${BUCKET}/recordings/ses_1/ses_1.mp4` }] },
    { actions: ["s3:ListBucket", "s3:GetBucketLocation"], targets: [{ resource: BUCKET }] },
];

describe("masters' role: never fewer actions than the reference's", () => {
    it("allows every action each reference grant stands for, on this stack's resources", async function () {
        this.timeout(120_000);
        const denied: string[] = [];
        let checked = 0;
        for (const grant of REFERENCE_GRANTS) {
            const actions = (await Promise.all(grant.actions.map(expand))).flat();
            assert.ok(actions.length >= grant.actions.length, `${grant.actions.join(", ")} expand to real actions`);
            for (const action of actions) {
                for (const target of grant.targets) {
                    const decision = await decide(policy, action, target.resource, target.context).catch((error: Error) => {
                        // An action that has no resource (sqs:ListQueues): the reference's grant on one queue never covered it either.
                        if (target.resource !== "*" && error.message.includes("must.use.wildcard")) return "not granted by the reference either";
                        throw error;
                    });
                    checked += 1;
                    if (decision !== "Allowed" && decision !== "not granted by the reference either") denied.push(`${action} on ${target.resource}`);
                }
            }
        }
        assert.deepStrictEqual(denied, [], "the replication manager could call these under the reference's role, not under ours");
        // ec2:Describe* alone is well over a hundred actions, sqs:* about twenty.
        assert.ok(checked > 150, `${checked} decisions`);
    });

    it("narrows resources: another cluster's queue, groups, instances and bucket stay out of reach", async () => {
        const other = clusterNames("prod", "acme", "acme-video");
        const refused: Array<[string, string, Record<string, string>?]> = [
            ["sqs:ReceiveMessage", `arn:aws:sqs:${REGION}:${ACCOUNT}:${other.queue}`],
            ["sqs:DeleteQueue", `arn:aws:sqs:${REGION}:${ACCOUNT}:${other.queue}`],
            ["autoscaling:SetInstanceProtection", group(other.mediaAsg)],
            ["autoscaling:SetInstanceHealth", group(other.masterAsg)],
            ["ec2:CreateTags", INSTANCE, { "ec2:ResourceTag/aws:autoscaling:groupName": other.mediaAsg }],
            ["s3:GetObject", "arn:aws:s3:::someone-else/.env"],
            ["s3:DeleteBucket", BUCKET],
            ["ec2:TerminateInstances", INSTANCE, { "ec2:ResourceTag/aws:autoscaling:groupName": names.mediaAsg }],
            ["iam:PassRole", `arn:aws:iam::${ACCOUNT}:role/Admin`],
        ];
        for (const [action, resource, context] of refused) {
            assert.strictEqual(await decide(policy, action, resource, context), "ImplicitlyDenied", `${action} on ${resource}`);
        }
    });

    describe("the boot's lines (CloudWatch Logs): its own cluster's group only", () => {
        const stream = (group: string, instance = "i-0123456789abcdef0"): string => `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${group}:log-stream:${instance}`;

        it("creates a stream named by any of its instances in its own group and writes to it", async () => {
            assert.strictEqual(names.bootLogGroup, "/openvidu/prod-abf890/boot", "components/naming.ts");
            for (const action of ["logs:CreateLogStream", "logs:PutLogEvents"]) {
                for (const instance of ["i-0123456789abcdef0", "i-0fedcba9876543210"]) {
                    assert.strictEqual(await decide(policy, action, stream(names.bootLogGroup, instance)), "Allowed", `${action} ${instance}`);
                }
            }
        });

        it("cannot write to another cluster's group, nor manage, read or delete groups and streams", async () => {
            const other = clusterNames("prod", "acme", "acme-video");
            const refused: Array<[string, string]> = [
                ["logs:PutLogEvents", stream(other.bootLogGroup)],
                ["logs:CreateLogStream", stream(other.bootLogGroup)],
                ["logs:PutLogEvents", stream("/aws/lambda/payments")],
                ["logs:PutLogEvents", `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:${names.bootLogGroup}:log-stream:i-0123456789abcdef0`],
                ["logs:CreateLogGroup", `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${names.bootLogGroup}`],
                ["logs:DeleteLogGroup", `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${names.bootLogGroup}`],
                ["logs:DeleteLogStream", stream(names.bootLogGroup)],
                ["logs:PutRetentionPolicy", `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${names.bootLogGroup}`],
                ["logs:GetLogEvents", stream(names.bootLogGroup)],
                ["logs:DisassociateKmsKey", `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${names.bootLogGroup}`],
            ];
            assert.notStrictEqual(other.bootLogGroup, names.bootLogGroup, "two projects' stacks named alike get two groups");
            for (const [action, resource] of refused) {
                assert.strictEqual(await decide(policy, action, resource), "ImplicitlyDenied", `${action} on ${resource}`);
            }
        });
    });
});
