/**
 * The guardrails (policy/policies.ts), called in-process: every policy passes
 * on what the program registers, and fires on a deliberately bad resource.
 * The PolicyPack module itself is never imported (it would start a server).
 */
import * as assert from "assert";
import type { PolicyResource, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs } from "@pulumi/policy";
import {
    alarmHasActions, albDropsInvalidHeaders, albHttpRedirectsToHttps, bucketGuards, bucketNotForceDestroyed, ENV_READ_ACTIONS, launchTemplateEncryptedVolumes,
    launchTemplateImdsv2, logGroupRetainedAndEncrypted, noIamWildcardAction, noWorldOpenPorts, resourcePolicies, snsTopicEncrypted, stackPolicies,
} from "../policy/policies";
import { ENV_READ_ACTIONS as STORAGE_ENV_READ_ACTIONS } from "../components/storage";
import { CapturedResource } from "../plan/capture";
import { MockRun } from "../plan/run";
import { inputsOf, runProgram, VALID_CONFIG } from "./harness";

function resourceArgs(type: string, props: Record<string, any>, name = "r"): ResourceValidationArgs {
    return {
        type, props, name, urn: `urn:pulumi:dev::openvidu::${type}::${name}`,
        opts: { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] },
        isType: () => false, asType: () => undefined, getConfig: () => ({}) as any,
    } as unknown as ResourceValidationArgs;
}

function violations(policy: ResourceValidationPolicy, args: ResourceValidationArgs): string[] {
    const found: string[] = [];
    for (const validate of [policy.validateResource ?? []].flat()) validate(args, (message) => found.push(message));
    return found;
}

function fromCapture(resource: CapturedResource): ResourceValidationArgs {
    return resourceArgs(resource.type, inputsOf(resource), resource.name);
}

function stackViolations(resources: ResourceValidationArgs[]): string[] {
    const found: string[] = [];
    const args = { resources: resources.map((r) => ({ type: r.type, props: r.props, urn: r.urn, name: r.name }) as PolicyResource), getConfig: () => ({}) } as unknown as StackValidationArgs;
    bucketGuards.validateStack(args, (message) => found.push(message));
    return found;
}

/**
 * The pack's resource policies and the types each checks, written out by hand: a policy
 * removed from (or renamed in) `resourcePolicies` fails here instead of losing its test.
 */
const EXPECTED_POLICIES: ReadonlyArray<[name: string, types: string[]]> = [
    ["launch-template-imdsv2", ["aws:ec2/launchTemplate:LaunchTemplate"]],
    ["launch-template-encrypted-volumes", ["aws:ec2/launchTemplate:LaunchTemplate"]],
    ["no-world-open-ports", ["aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"]],
    ["no-iam-wildcard-action", ["aws:iam/rolePolicy:RolePolicy"]],
    ["alb-drop-invalid-headers", ["aws:lb/loadBalancer:LoadBalancer"]],
    ["alb-http-redirects-to-https", ["aws:lb/listener:Listener"]],
    ["bucket-not-force-destroyed", ["aws:s3/bucket:Bucket"]],
    ["alarm-has-actions", ["aws:cloudwatch/metricAlarm:MetricAlarm"]],
    ["sns-topic-encrypted", ["aws:sns/topic:Topic"]],
    ["log-group-retention-and-encryption", ["aws:cloudwatch/logGroup:LogGroup"]],
];
/** Types a policy guards before the program declares any (none now: the boot log group is declared). */
const NOT_YET_DECLARED: string[] = [];

function policyNamed(name: string): ResourceValidationPolicy {
    const policy = resourcePolicies.find((p) => p.name === name);
    assert.ok(policy, `the pack has no policy ${name}`);
    return policy;
}

describe("guardrails on the program's own resources", () => {
    let run: MockRun;
    before(async () => { run = await runProgram({ ...VALID_CONFIG }); });

    it("the pack holds exactly the expected resource and stack policies, all mandatory", () => {
        assert.deepStrictEqual(resourcePolicies.map((p) => p.name), EXPECTED_POLICIES.map(([name]) => name));
        assert.deepStrictEqual(stackPolicies.map((p) => p.name), ["bucket-guards"]);
        for (const policy of [...resourcePolicies, ...stackPolicies]) assert.strictEqual(policy.enforcementLevel, "mandatory", policy.name);
    });

    for (const [name, types] of EXPECTED_POLICIES) {
        it(`${name} passes, having seen the resources it checks`, () => {
            const seen = run.resources.filter((r) => types.includes(r.type));
            assert.ok(seen.length > 0 || types.every((t) => NOT_YET_DECLARED.includes(t)), `the program registers ${types.join(", ")}`);
            const found = run.resources.filter((r) => r.custom).flatMap((r) => violations(policyNamed(name), fromCapture(r)));
            assert.deepStrictEqual(found, []);
        });
    }

    it("bucket-guards passes on the created bucket and its guards", () => {
        assert.deepStrictEqual(stackViolations(run.resources.filter((r) => r.custom).map(fromCapture)), []);
    });
});

describe("guardrails on deliberately bad resources", () => {
    const template = { metadataOptions: { httpTokens: "required" }, blockDeviceMappings: [{ deviceName: "/dev/sda1", ebs: { encrypted: "true" } }] };

    it("launch-template-imdsv2 fires on optional tokens", () => {
        assert.strictEqual(violations(launchTemplateImdsv2, resourceArgs("aws:ec2/launchTemplate:LaunchTemplate", { ...template, metadataOptions: { httpTokens: "optional" } })).length, 1);
    });

    it("launch-template-encrypted-volumes fires on an unencrypted volume", () => {
        const bad = { ...template, blockDeviceMappings: [{ deviceName: "/dev/sda1", ebs: { encrypted: "false" } }] };
        assert.strictEqual(violations(launchTemplateEncryptedVolumes, resourceArgs("aws:ec2/launchTemplate:LaunchTemplate", bad)).length, 1);
    });

    it("no-world-open-ports fires on SSH open to the world (rule resource and inline)", () => {
        assert.strictEqual(violations(noWorldOpenPorts, resourceArgs("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", { fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0" })).length, 1);
        assert.strictEqual(violations(noWorldOpenPorts, resourceArgs("aws:ec2/securityGroup:SecurityGroup", { ingress: [{ fromPort: 22, toPort: 22, ipv6CidrBlocks: ["::/0"] }] })).length, 1);
        assert.strictEqual(violations(noWorldOpenPorts, resourceArgs("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", { fromPort: 22, toPort: 22, cidrIpv4: "10.0.0.0/8" })).length, 0);
    });

    it("no-iam-wildcard-action fires on Action \"*\"", () => {
        const policy = JSON.stringify({ Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] });
        assert.strictEqual(violations(noIamWildcardAction, resourceArgs("aws:iam/rolePolicy:RolePolicy", { policy })).length, 1);
    });

    it("no-iam-wildcard-action fires on a whole service (\"s3:*\"), a prefix (\"s3:Get*\") and on Allow + NotAction, not on named actions", () => {
        const check = (statement: Record<string, unknown>): string[] =>
            violations(noIamWildcardAction, resourceArgs("aws:iam/policy:Policy", { policy: { Version: "2012-10-17", Statement: [statement] } }));
        const allowed = "(the only wildcards allowed: \"sqs:*\" on one queue's ARN, \"ec2:Describe*\" on \"*\").";
        assert.deepStrictEqual(check({ Effect: "Allow", Action: ["s3:GetObject", "ec2:*"], Resource: "*" }),
            [`an Allow statement grants "ec2:*"; list the actions it needs ${allowed}`]);
        assert.strictEqual(check({ Effect: "Allow", Action: "*:*", Resource: "*" }).length, 1);
        assert.deepStrictEqual(check({ Effect: "Allow", Action: ["s3:Get*", "ec2:DescribeInstances"], Resource: "*" }),
            [`an Allow statement grants "s3:Get*"; list the actions it needs ${allowed}`]);
        assert.deepStrictEqual(check({ Effect: "Allow", NotAction: "iam:*", Resource: "*" }),
            ["an Allow statement uses NotAction (it grants everything not listed); list the actions it needs."]);
        assert.deepStrictEqual(check({ Effect: "Allow", Action: ["s3:GetObject", "ec2:DescribeInstances"], Resource: "*" }), []);
        assert.deepStrictEqual(check({ Effect: "Deny", NotAction: "s3:GetObject", Resource: "*" }), [], "a Deny with NotAction narrows, it does not grant");
    });

    it("no-iam-wildcard-action allows exactly the reference master role's wildcards: sqs:* on one queue, ec2:Describe* on \"*\"", () => {
        const check = (statement: Record<string, unknown>): number =>
            violations(noIamWildcardAction, resourceArgs("aws:iam/rolePolicy:RolePolicy", { policy: JSON.stringify({ Statement: [statement] }) })).length;
        const queue = "arn:aws:sqs:eu-west-1:123456789012:prod-abf890-SQS.fifo";
        assert.strictEqual(check({ Effect: "Allow", Action: ["sqs:*"], Resource: queue }), 0);
        assert.strictEqual(check({ Effect: "Allow", Action: "sqs:*", Resource: [queue, "arn:aws-us-gov:sqs:us-gov-west-1:123456789012:q"] }), 0);
        assert.strictEqual(check({ Effect: "Allow", Action: ["ec2:Describe*", "autoscaling:DescribeAutoScalingGroups"], Resource: "*" }), 0);
        // The same wildcards anywhere broader, and any other wildcard, stay findings.
        assert.strictEqual(check({ Effect: "Allow", Action: "sqs:*", Resource: "*" }), 1, "sqs:* on every queue");
        assert.strictEqual(check({ Effect: "Allow", Action: "sqs:*", Resource: "arn:aws:sqs:eu-west-1:123456789012:*" }), 1, "sqs:* on a pattern");
        assert.strictEqual(check({ Effect: "Allow", Action: "sqs:*", Resource: [queue, "*"] }), 1, "one queue and everything");
        assert.strictEqual(check({ Effect: "Allow", Action: "sqs:*" }), 1, "no resource");
        assert.strictEqual(check({ Effect: "Allow", Action: "ec2:Describe*", Resource: "arn:aws:ec2:eu-west-1:123456789012:instance/*" }), 1,
            "ec2:Describe* is only ever granted on \"*\"");
        assert.strictEqual(check({ Effect: "Allow", Action: ["sqs:Send*", "autoscaling:Describe*"], Resource: "*" }), 1);
    });

    it("alb-drop-invalid-headers fires when headers are not dropped", () => {
        assert.strictEqual(violations(albDropsInvalidHeaders, resourceArgs("aws:lb/loadBalancer:LoadBalancer", { loadBalancerType: "application" })).length, 1);
    });

    it("alb-http-redirects-to-https fires on an HTTP listener that forwards", () => {
        const args = resourceArgs("aws:lb/listener:Listener", { protocol: "HTTP", port: 80, defaultActions: [{ type: "forward", targetGroupArn: "arn" }] });
        assert.strictEqual(violations(albHttpRedirectsToHttps, args).length, 1);
    });

    it("bucket-not-force-destroyed fires on forceDestroy", () => {
        assert.strictEqual(violations(bucketNotForceDestroyed, resourceArgs("aws:s3/bucket:Bucket", { forceDestroy: true })).length, 1);
    });

    it("alarm-has-actions fires on an alarm without actions or with its actions disabled, not on one that acts", () => {
        const alarm = (props: Record<string, unknown>) => violations(alarmHasActions, resourceArgs("aws:cloudwatch/metricAlarm:MetricAlarm", props));
        assert.strictEqual(alarm({ metricName: "HealthyHostCount" }).length, 1);
        assert.strictEqual(alarm({ alarmActions: [] }).length, 1);
        assert.strictEqual(alarm({ alarmActions: ["arn:aws:sns:eu-west-1:123456789012:t"], actionsEnabled: false }).length, 1);
        assert.deepStrictEqual(alarm({ alarmActions: ["arn:aws:sns:eu-west-1:123456789012:t"] }), []);
    });

    it("sns-topic-encrypted fires on a topic without a KMS key", () => {
        assert.strictEqual(violations(snsTopicEncrypted, resourceArgs("aws:sns/topic:Topic", { name: "alarms" })).length, 1);
        assert.deepStrictEqual(violations(snsTopicEncrypted, resourceArgs("aws:sns/topic:Topic", { kmsMasterKeyId: "alias/x" })), []);
    });

    it("log-group-retention-and-encryption fires on a log group kept forever or without a key, each named", () => {
        const group = (props: Record<string, unknown>) => violations(logGroupRetainedAndEncrypted, resourceArgs("aws:cloudwatch/logGroup:LogGroup", props));
        assert.deepStrictEqual(group({ kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/k" }).map((m) => m.split(" ")[0]), ["retentionInDays"]);
        assert.deepStrictEqual(group({ retentionInDays: 30 }).map((m) => m.split(" ")[0]), ["kmsKeyId"]);
        assert.strictEqual(group({ retentionInDays: 0 }).length, 2);
        assert.deepStrictEqual(group({ retentionInDays: 30, kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/k" }), []);
    });

    it("alarm-has-actions fires when a transform drops a scaling alarm's action", async () => {
        const { openviduProgram } = await import("../program");
        const run = await runProgram({ ...VALID_CONFIG }, {
            program: () => ({ ...openviduProgram({ transform: { media: { scaleUpAlarm: (args) => { args.alarmActions = []; } } } }) }),
        });
        const found = run.resources.filter((r) => r.custom).flatMap((r) => violations(alarmHasActions, fromCapture(r)));
        assert.strictEqual(found.length, 1);
    });

    it("bucket-guards fires for a bare bucket, naming each missing guard", () => {
        const found = stackViolations([resourceArgs("aws:s3/bucket:Bucket", {})]);
        assert.strictEqual(found.length, 6);
        assert.match(found.join("\n"), /encryption[\s\S]*versioning[\s\S]*public-access[\s\S]*TLS-only[\s\S]*\.env[\s\S]*lifecycle/);
    });

    it("bucket-guards fires when a transform drops the .env statement or the lifecycle's expiry", async () => {
        const run = await runProgram({ ...VALID_CONFIG });
        const resources = run.resources.filter((r) => r.custom).map(fromCapture);
        const weakened = resources.map((r) => {
            if (r.type === "aws:s3/bucketPolicy:BucketPolicy") {
                const document = JSON.parse(r.props.policy);
                document.Statement = document.Statement.filter((s: any) => s.Sid !== "EnvOnlyMastersAndDeployer");
                return { ...r, props: { ...r.props, policy: JSON.stringify(document) } } as ResourceValidationArgs;
            }
            if (r.type === "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration") {
                return { ...r, props: { ...r.props, rules: r.props.rules.map((rule: any) => ({ ...rule, noncurrentVersionExpiration: undefined })) } } as ResourceValidationArgs;
            }
            return r;
        });
        const found = stackViolations(weakened);
        assert.strictEqual(found.length, 2, found.join("\n"));
        assert.match(found.join("\n"), /\.env to named principals[\s\S]*lifecycle expiring/);
    });
});

describe("bucket-guards and the .env's read-only principals (openvidu:envReaderArns)", () => {
    const READERS = ["arn:aws:iam::123456789012:role/openvidu-preview", "arn:aws:iam::123456789012:user/auditor"];
    let resources: ResourceValidationArgs[];
    before(async () => {
        const run = await runProgram({ ...VALID_CONFIG, envReaderArns: JSON.stringify(READERS) });
        resources = run.resources.filter((r) => r.custom).map(fromCapture);
    });

    /** The stack's resources with the bucket policy's statements changed by `edit`. */
    const withStatements = (edit: (statements: any[]) => any[]): ResourceValidationArgs[] => resources.map((r) => {
        if (r.type !== "aws:s3/bucketPolicy:BucketPolicy") return r;
        const document = JSON.parse(r.props.policy);
        return { ...r, props: { ...r.props, policy: JSON.stringify({ ...document, Statement: edit(document.Statement) }) } } as ResourceValidationArgs;
    });

    it("knows the read actions the program leaves its readers", () => {
        assert.deepStrictEqual([...ENV_READ_ACTIONS], [...STORAGE_ENV_READ_ACTIONS]);
    });

    it("passes with readers exempted from the deny-all and kept to reading", () => {
        const statements = JSON.parse(resources.find((r) => r.type === "aws:s3/bucketPolicy:BucketPolicy")!.props.policy).Statement;
        assert.strictEqual(statements.find((st: any) => st.Sid === "EnvOnlyMastersAndDeployer").Condition.ArnNotEquals["aws:PrincipalArn"].length, 4);
        assert.deepStrictEqual(stackViolations(resources), []);
    });

    it("fails when the readers' read-only statement is missing: they could write the .env", () => {
        const found = stackViolations(withStatements((statements) => statements.filter((st) => st.Sid !== "EnvReadersReadOnly")));
        assert.strictEqual(found.length, 1, found.join("\n"));
        assert.match(found[0], /lets 4 principals write the \.env .*openvidu-preview.*auditor.*only the masters' role and the deployer may/);
    });

    it("fails when the read-only statement leaves a write, or keeps only some readers to reading", () => {
        const leaky = stackViolations(withStatements((statements) => statements.map((st) => st.Sid === "EnvReadersReadOnly"
            ? { ...st, NotAction: [...st.NotAction, "s3:PutObject"] } : st)));
        assert.strictEqual(leaky.length, 1, leaky.join("\n"));
        const partial = stackViolations(withStatements((statements) => statements.map((st) => st.Sid === "EnvReadersReadOnly"
            ? { ...st, Condition: { ArnEquals: { "aws:PrincipalArn": [READERS[0]] } } } : st)));
        assert.deepStrictEqual(partial.map((m) => /lets 3 principals write .*auditor/.test(m)), [true]);
    });
});

