/**
 * The network against the reference template: the four security groups with
 * exactly its rules, the created VPC, and the check of given subnets' zones.
 */
import * as assert from "assert";
import { ConfigError } from "../config/errors";
import { MockRun } from "../plan/run";
import { all, failProgram, inputsOf, one, runProgram, VALID_CONFIG } from "./harness";

const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";

/** The reference's rules, written out by hand: `group protocol ports source`. */
const REFERENCE_INGRESS = [
    "loadBalancer tcp 80 0.0.0.0/0", "loadBalancer tcp 80 ::/0",
    "loadBalancer tcp 443 0.0.0.0/0", "loadBalancer tcp 443 ::/0",
    "master udp 3478 0.0.0.0/0", "master udp 3478 ::/0", "master tcp 3478 0.0.0.0/0", "master tcp 3478 ::/0",
    "master tcp 4443 sg:loadBalancer",
    "master udp 40000-65535 0.0.0.0/0", "master udp 40000-65535 ::/0",
    "master tcp 40000-65535 0.0.0.0/0", "master tcp 40000-65535 ::/0",
    "master tcp 5443 sg:master", "master tcp 4443 sg:master",
    "media tcp 443 0.0.0.0/0", "media tcp 443 ::/0", "media udp 443 0.0.0.0/0", "media udp 443 ::/0",
    "media tcp 3000 sg:master", "media tcp 4000 sg:master", "media tcp 8888 sg:master",
    "media udp 40000-65535 0.0.0.0/0", "media udp 40000-65535 ::/0",
    "media tcp 40000-65535 0.0.0.0/0", "media tcp 40000-65535 ::/0",
    "redis tcp 6379 sg:master",
];

/** Security group id → role, from the groups the program registered. */
function rolesById(run: MockRun): Map<string, string> {
    const roles = new Map<string, string>();
    for (const sg of all(run, "aws:ec2/securityGroup:SecurityGroup")) {
        roles.set(`sg-${sg.name}`, sg.name.replace(/^.*-network-/, ""));
    }
    return roles;
}

function describeRule(rule: Record<string, any>, roles: Map<string, string>): string {
    const ports = rule.fromPort === rule.toPort ? `${rule.fromPort}` : `${rule.fromPort}-${rule.toPort}`;
    const source = rule.cidrIpv4 ?? rule.cidrIpv6 ?? `sg:${roles.get(rule.referencedSecurityGroupId)}`;
    return `${roles.get(rule.securityGroupId)} ${rule.ipProtocol} ${ports} ${source}`;
}

describe("network: security groups", () => {
    let run: MockRun;
    before(async () => { run = await runProgram({ ...VALID_CONFIG }); });

    it("creates the four groups, each described and named for the stack", () => {
        const groups = all(run, "aws:ec2/securityGroup:SecurityGroup").map(inputsOf);
        assert.deepStrictEqual(groups.map((g) => g.name).sort(), ["dev-21630d-loadBalancer", "dev-21630d-master", "dev-21630d-media", "dev-21630d-redis"]);
        for (const g of groups) assert.ok(g.description && g.vpcId);
    });

    it("has exactly the reference's ingress rules, nothing more and nothing less", () => {
        const roles = rolesById(run);
        const actual = all(run, INGRESS).map((r) => describeRule(inputsOf(r), roles)).sort();
        assert.deepStrictEqual(actual, [...REFERENCE_INGRESS].sort());
    });

    for (const expected of REFERENCE_INGRESS) {
        it(`allows ${expected}`, () => {
            const roles = rolesById(run);
            const match = all(run, INGRESS).map(inputsOf).find((r) => describeRule(r, roles) === expected);
            assert.ok(match, `no rule ${expected}`);
            assert.ok(typeof match.description === "string" && match.description.length > 5, "each rule is described");
        });
    }

    it("lets every group send anything out, over IPv4 and IPv6", () => {
        const roles = rolesById(run);
        const egress = all(run, EGRESS).map(inputsOf).map((r) => `${roles.get(r.securityGroupId)} ${r.ipProtocol} ${r.cidrIpv4 ?? r.cidrIpv6}`);
        assert.deepStrictEqual(egress.sort(), ["loadBalancer", "master", "media", "redis"]
            .flatMap((g) => [`${g} -1 0.0.0.0/0`, `${g} -1 ::/0`]).sort());
    });

    it("puts the load balancer, masters, media nodes and Redis each in its own group", () => {
        const roles = rolesById(run);
        const alb = inputsOf(one(run, "aws:lb/loadBalancer:LoadBalancer"));
        assert.deepStrictEqual(alb.securityGroups.map((id: string) => roles.get(id)), ["loadBalancer"]);
        const sgOf = (suffix: string): string | undefined =>
            roles.get(inputsOf(one(run, "aws:ec2/launchTemplate:LaunchTemplate", suffix)).networkInterfaces[0].securityGroups[0]);
        assert.strictEqual(sgOf("master-template"), "master");
        assert.strictEqual(sgOf("media-template"), "media");
        const redis = inputsOf(one(run, "aws:elasticache/replicationGroup:ReplicationGroup"));
        assert.deepStrictEqual(redis.securityGroupIds.map((id: string) => roles.get(id)), ["redis"]);
    });
});

describe("network: VPC and subnets", () => {
    it("without vpcId/subnetIds, creates a VPC with public subnets over two AZs and no NAT gateway", async () => {
        const run = await runProgram({ ...VALID_CONFIG });
        const vpc = inputsOf(one(run, "awsx:ec2:Vpc"));
        assert.ok(vpc.numberOfAvailabilityZones >= 2);
        assert.deepStrictEqual(vpc.subnetSpecs.map((s: any) => s.type), ["Public"]);
        assert.strictEqual(vpc.natGateways.strategy, "None");
        const asg = inputsOf(one(run, "aws:autoscaling/group:Group", "master-asg"));
        assert.deepStrictEqual(asg.vpcZoneIdentifiers, ["subnet-openvidu-network-vpc-0", "subnet-openvidu-network-vpc-1"]);
    });

    it("with vpcId/subnetIds in two AZs, creates no VPC and uses them everywhere", async () => {
        const subnets = { "subnet-0aaa1111": "eu-west-1a", "subnet-0bbb2222": "eu-west-1b" };
        const run = await runProgram(
            { ...VALID_CONFIG, vpcId: "vpc-0abc1234", subnetIds: JSON.stringify(Object.keys(subnets)) },
            { cloud: { subnetZones: subnets } },
        );
        assert.deepStrictEqual(all(run, "awsx:ec2:Vpc"), []);
        assert.deepStrictEqual(inputsOf(one(run, "aws:lb/loadBalancer:LoadBalancer")).subnets, Object.keys(subnets));
        assert.deepStrictEqual(inputsOf(one(run, "aws:autoscaling/group:Group", "media-asg")).vpcZoneIdentifiers, Object.keys(subnets));
        assert.strictEqual(inputsOf(one(run, "aws:lb/targetGroup:TargetGroup")).vpcId, "vpc-0abc1234");
    });

    it("rejects subnets that all sit in one AZ, naming openvidu:subnetIds", async () => {
        const subnets = { "subnet-0aaa1111": "eu-west-1a", "subnet-0bbb2222": "eu-west-1a" };
        const { error, resources } = await failProgram(
            { ...VALID_CONFIG, vpcId: "vpc-0abc1234", subnetIds: JSON.stringify(Object.keys(subnets)) },
            { cloud: { subnetZones: subnets } },
        );
        assert.ok(error instanceof ConfigError, String(error));
        assert.strictEqual(error.problems[0].key, "openvidu:subnetIds");
        assert.match(error.message, /two different availability zones/);
        assert.ok(!resources.some((r) => r.type === "aws:lb/loadBalancer:LoadBalancer"), "no load balancer over bad subnets");
    });
});
