/**
 * The program's security defaults, checked across everything it registers
 * (not component by component), so a new resource cannot slip past them.
 */
import * as assert from "assert";
import { MockRun } from "../plan/run";
import { all, inputsOf, runProgram, VALID_CONFIG } from "./harness";

const WORLD = new Set(["0.0.0.0/0", "::/0"]);

/** The public ports the reference opens to the world, by security group role. */
const PUBLIC_PORTS: Record<string, Array<[number, number]>> = {
    loadBalancer: [[80, 80], [443, 443]],
    node: [[3478, 3478], [443, 443], [40000, 65535]],
};

interface Ingress { group: string; from: number; to: number; cidr: string; protocol: string }

/** Every ingress rule (the program declares each as its own resource; see the test on inline rules). */
function ingressRules(run: MockRun): Ingress[] {
    const rules: Ingress[] = [];
    for (const r of all(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")) {
        const i = inputsOf(r);
        for (const cidr of [i.cidrIpv4, i.cidrIpv6].filter(Boolean)) {
            rules.push({ group: String(i.securityGroupId), from: i.fromPort, to: i.toPort, cidr, protocol: String(i.ipProtocol) });
        }
    }
    return rules;
}

function isAllowedPublic(rule: Ingress, loadBalancerGroup: (group: string) => boolean): boolean {
    const allowed = loadBalancerGroup(rule.group) ? PUBLIC_PORTS.loadBalancer : PUBLIC_PORTS.node;
    return allowed.some(([from, to]) => rule.from === from && rule.to === to);
}

describe("security defaults", () => {
    let run: MockRun;
    before(async () => { run = await runProgram({ ...VALID_CONFIG }); });

    it("requires IMDSv2 on every launch template", () => {
        const templates = all(run, "aws:ec2/launchTemplate:LaunchTemplate").map(inputsOf);
        assert.strictEqual(templates.length, 2);
        for (const lt of templates) assert.strictEqual(lt.metadataOptions?.httpTokens, "required");
    });

    it("encrypts every volume of every launch template", () => {
        for (const lt of all(run, "aws:ec2/launchTemplate:LaunchTemplate").map(inputsOf)) {
            assert.ok(lt.blockDeviceMappings.length > 0);
            for (const mapping of lt.blockDeviceMappings) assert.strictEqual(String(mapping.ebs.encrypted), "true");
        }
    });

    it("opens to the world only the public ports the reference opens (80/443 on the LB; 3478, 443, 40000-65535 on nodes)", () => {
        const lbGroups = new Set<string>(all(run, "aws:lb/loadBalancer:LoadBalancer").flatMap((lb) => inputsOf(lb).securityGroups));
        assert.ok(lbGroups.size > 0, "the load balancer has a security group");
        const worldRules = ingressRules(run).filter((r) => WORLD.has(r.cidr));
        assert.ok(worldRules.length > 0, "the public ports are open (WebRTC needs them)");
        const isLb = (group: string): boolean => lbGroups.has(group);
        const offending = worldRules.filter((r) => !isAllowedPublic(r, isLb));
        assert.deepStrictEqual(offending, []);
    });

    it("declares no rule inline or as a legacy SecurityGroupRule, where the checks above would not see it", () => {
        for (const sg of all(run, "aws:ec2/securityGroup:SecurityGroup").map(inputsOf)) {
            assert.ok(!sg.ingress?.length && !sg.egress?.length, "rules are separate resources");
        }
        assert.deepStrictEqual(all(run, "aws:ec2/securityGroupRule:SecurityGroupRule"), []);
    });

    it("never opens SSH (22) to the world", () => {
        const ssh = ingressRules(run).filter((r) => WORLD.has(r.cidr) && r.from <= 22 && r.to >= 22);
        assert.deepStrictEqual(ssh, []);
    });

    it("encrypts, versions and blocks public access to the created bucket, and denies non-TLS access", () => {
        const sse = all(run, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").map(inputsOf);
        assert.strictEqual(sse.length, 1);
        assert.ok(["AES256", "aws:kms"].includes(sse[0].rules[0].applyServerSideEncryptionByDefault.sseAlgorithm));
        const versioning = all(run, "aws:s3/bucketVersioning:BucketVersioning").map(inputsOf);
        assert.strictEqual(versioning[0]?.versioningConfiguration?.status, "Enabled");
        const block = all(run, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").map(inputsOf)[0];
        assert.deepStrictEqual(
            [block?.blockPublicAcls, block?.blockPublicPolicy, block?.ignorePublicAcls, block?.restrictPublicBuckets],
            [true, true, true, true],
        );
        const policies = all(run, "aws:s3/bucketPolicy:BucketPolicy").map((p) => JSON.parse(inputsOf(p).policy));
        const denyInsecure = policies.flatMap((p) => p.Statement).find((s: any) =>
            s.Effect === "Deny" && s.Condition?.Bool?.["aws:SecureTransport"] === "false");
        assert.ok(denyInsecure, "a statement denies aws:SecureTransport=false");
    });

    it("has no IAM wildcard action but the reference's own two: sqs:* on the stack's queue, ec2:Describe* on \"*\"", () => {
        const documents = [
            ...all(run, "aws:iam/rolePolicy:RolePolicy").map((p) => inputsOf(p).policy),
            ...all(run, "aws:iam/policy:Policy").map((p) => inputsOf(p).policy),
            ...all(run, "aws:sqs/queuePolicy:QueuePolicy").map((p) => inputsOf(p).policy),
        ].map((text) => JSON.parse(text));
        assert.ok(documents.length > 0);
        const wildcards: string[] = [];
        for (const document of documents) {
            for (const s of document.Statement) {
                for (const action of [s.Action ?? []].flat() as string[]) {
                    if (action.includes("*")) wildcards.push(`${action} on ${JSON.stringify(s.Resource)}`);
                }
            }
        }
        // Written out by hand from the reference template's master role (anchor-cloudformation.md).
        assert.deepStrictEqual(wildcards.sort(), [
            "ec2:Describe* on \"*\"",
            "sqs:* on \"arn:aws:sqs:eu-west-1:123456789012:dev-21630d-SQS.fifo\"",
        ]);
    });

    it("attaches no AWS-managed policy other than SSM's to instance roles", () => {
        const attached = all(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").map((a) => String(inputsOf(a).policyArn));
        assert.ok(attached.every((arn) => arn.endsWith("/AmazonSSMManagedInstanceCore")), attached.join(", "));
    });
});
