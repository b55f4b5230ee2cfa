import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const root = path.join(__dirname, "..");

/** Runs the offline plan CLI as a user would (`npm run plan -- ...`), without npm's own output. */
function plan(...args: string[]): { status: number | null; stdout: string; stderr: string } {
    const result = spawnSync(process.execPath, ["-r", "ts-node/register", path.join(root, "scripts", "plan.ts"), ...args], {
        cwd: root,
        encoding: "utf8",
        env: { ...process.env, TS_NODE_PROJECT: path.join(root, "tsconfig.json") },
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("offline plan (npm run plan)", function () {
    this.timeout(120_000);

    it("--json prints one object with resources, options and outputs, secrets masked", () => {
        const { status, stdout, stderr } = plan("--stack", "dev", "--json", "--secret", "openvidu:license=SUPER-SECRET-LICENSE-42");
        assert.strictEqual(status, 0, stderr);
        assert.match(stderr, /OFFLINE PLAN, not a cloud preview/);
        const json = JSON.parse(stdout);
        assert.strictEqual(json.kind, "offline-plan");
        assert.strictEqual(json.stack, "dev");
        assert.ok(json.resources.length > 0);
        for (const r of json.resources) {
            assert.deepStrictEqual(Object.keys(r).sort(), ["inputs", "name", "options", "parent", "type"]);
        }
        const root = json.resources.find((r: { type: string }) => r.type === "openvidu:aws:OpenViduCluster");
        assert.strictEqual(root.parent, null);
        assert.strictEqual(json.outputs.openviduSecret, "[secret]");
        assert.strictEqual(json.outputs.domainName, "openvidu-dev.example.com");
        assert.deepStrictEqual(json.placeholders, [], "the license was given with --secret");
        assert.ok(!stdout.includes("SUPER-SECRET-LICENSE-42"), "a --secret value leaked into the plan");
    });

    for (const stack of ["dev", "prod"]) {
        it(`lists the whole cluster for --stack ${stack}, with the retention and ordering options`, () => {
            const { status, stdout, stderr } = plan("--stack", stack, "--json");
            assert.strictEqual(status, 0, stderr);
            const json = JSON.parse(stdout);
            const types = new Set(json.resources.map((r: { type: string }) => r.type));
            for (const type of [
                "aws:s3/bucket:Bucket", "aws:ec2/securityGroup:SecurityGroup", "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
                "aws:elasticache/replicationGroup:ReplicationGroup", "aws:sqs/queue:Queue", "aws:cloudwatch/eventRule:EventRule",
                "aws:lb/loadBalancer:LoadBalancer", "aws:lb/listener:Listener", "aws:lb/listenerRule:ListenerRule", "aws:lb/targetGroup:TargetGroup",
                "aws:iam/role:Role", "aws:ec2/launchTemplate:LaunchTemplate", "aws:autoscaling/group:Group",
                "aws:autoscaling/lifecycleHook:LifecycleHook", "aws:cloudwatch/metricAlarm:MetricAlarm", "pulumi-nodejs:dynamic/openvidu:EnvFile",
            ]) {
                assert.ok(types.has(type), `${stack} plan lists ${type}`);
            }
            const byName = (name: string) => json.resources.find((r: { name: string }) => r.name === name);
            assert.deepStrictEqual(byName("openvidu-master-asg").options.dependsOn, ["openvidu-env"]);
            assert.strictEqual(byName("openvidu-storage-bucket").options.retainOnDelete, true);
            assert.match(byName("openvidu-env").inputs.__provider, /^\[serialized provider code/);
            assert.strictEqual(JSON.stringify(byName("openvidu-env").inputs.secretSettings), "\"[secret]\"");
        });
    }

    it("prints a readable table that says it is offline and marks placeholders", () => {
        const { status, stdout } = plan("--stack", "prod");
        assert.strictEqual(status, 0);
        assert.match(stdout, /^This is an OFFLINE PLAN, not a cloud preview/);
        assert.match(stdout, /TYPE\s+NAME\s+PARENT\s+OPTIONS/);
        assert.match(stdout, /openvidu:aws:OpenViduCluster\s+openvidu/);
        assert.match(stdout, /Outputs:\n {2}loadBalancerUrl: https:\/\//);
        assert.match(stdout, /openvidu:license = \[placeholder\]/);
        assert.match(stdout, /openvidu:elasticsearchPassword = \[placeholder\]/);
    });

    it("with invalid config prints every error, registers nothing and exits non-zero", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "openvidu-plan-"));
        try {
            fs.copyFileSync(path.join(root, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
            fs.writeFileSync(path.join(dir, "Pulumi.broken.yaml"), [
                "config:",
                "  aws:region: eu-west-1",
                "  openvidu:domainName: NOT_A_DOMAIN",
                "  openvidu:minMediaNodes: 5",
                "  openvidu:maxMediaNodes: 2",
                "  openvidu:domainname: typo.example.com",
                "",
            ].join("\n"));
            const { status, stdout, stderr } = plan("--stack", "broken", "--json", "--cwd", dir);
            assert.strictEqual(status, 2);
            const json = JSON.parse(stdout);
            assert.strictEqual(json.resources, undefined, "nothing may be listed");
            const keys = json.errors.map((e: { key: string }) => e.key);
            for (const key of ["openvidu:domainName", "openvidu:maxMediaNodes", "openvidu:domainname",
                "openvidu:masterAmiId", "openvidu:certificateArn"]) {
                assert.ok(keys.includes(key), `${key} not reported: ${keys.join(", ")}`);
            }
            assert.match(stderr, /nothing registered/);
            assert.match(stderr, /did you mean openvidu:domainName\?/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("fails clearly for a stack without a stack file", () => {
        const { status, stderr } = plan("--stack", "nonexistent");
        assert.strictEqual(status, 1);
        assert.match(stderr, /Pulumi\.nonexistent\.yaml not found/);
    });
});
