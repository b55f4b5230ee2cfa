import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { cliConfigProblems, StackValue } from "../plan/projectConfig";
import { remoteContents } from "../plan/remoteComponents";
import { planCommand, planInProcess, withoutInitCwd } from "./support/offlinePlan";

const root = path.join(__dirname, "..");

/** A throwaway project: the real Pulumi.yaml and one stack file `Pulumi.<stack>.yaml` with these lines. */
async function withStackFile(stack: string, lines: string[], body: (dir: string) => Promise<void>): Promise<void> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "openvidu-plan-"));
    try {
        fs.copyFileSync(path.join(root, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
        fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), `${lines.join("\n")}\n`);
        await body(dir);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

const VALID_DEV_LINES = [
    "config:",
    "  aws:region: eu-west-1",
    "  openvidu:domainName: openvidu-dev.example.com",
    "  openvidu:certificateArn: arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000",
    "  openvidu:masterAmiId: ami-0123456789abcdef0",
    "  openvidu:mediaAmiId: ami-0fedcba9876543210",
    "  openvidu:elasticsearchEnabled: false",
];

/** The offline plan's output for these arguments (`npm run plan -- ...`), run in this process. */
const plan = (...args: string[]) => planInProcess(args);

// Several tests read the plan of a committed stack: it is made once per stack (the tests only read it).
const committedPlans = new Map<string, ReturnType<typeof planInProcess>>();
function committedPlan(stack: string): ReturnType<typeof planInProcess> {
    if (!committedPlans.has(stack)) committedPlans.set(stack, plan("--stack", stack, "--json"));
    return committedPlans.get(stack) as ReturnType<typeof planInProcess>;
}

describe("the Pulumi CLI's checks of typed config, as the plan models them", () => {
    const declared = {
        names: { type: "array", items: { type: "string" } },
        count: { type: "integer", default: 1 },
        flag: { type: "boolean", default: false },
        token: { type: "string", secret: true },
        labels: { type: "object", default: {} },
    };
    const keysOf = (stack: Record<string, StackValue>, present: string[] = []): string[] =>
        cliConfigProblems("proj", declared, stack, new Set(present)).map((p) => p.key);
    const plain = (value: unknown): StackValue => ({ value, secure: false });
    const base = { "proj:names": plain(["a", "b"]), "proj:token": { value: { secure: "x" }, secure: true } };

    it("accepts what the CLI accepts", () => {
        assert.deepStrictEqual(keysOf({ ...base, "proj:count": plain("3"), "proj:flag": plain("true"), "proj:labels": plain({ a: 1 }) }), []);
        assert.deepStrictEqual(keysOf({ ...base, "proj:count": plain(3), "proj:flag": plain(false), "proj:count2": plain("x") }), []);
    });

    it("rejects a list given as a comma-separated or JSON string for an array key", () => {
        assert.deepStrictEqual(keysOf({ ...base, "proj:names": plain("a,b") }), ["proj:names"]);
        assert.deepStrictEqual(keysOf({ ...base, "proj:names": plain('["a","b"]') }), ["proj:names"]);
        assert.match(cliConfigProblems("proj", declared, { ...base, "proj:names": plain("a,b") })[0].message, /array<string>.*YAML list/);
    });

    it("rejects wrong scalars, a list of the wrong items, a plain-text secret, and missing required keys", () => {
        assert.deepStrictEqual(keysOf({ ...base, "proj:count": plain("2.5") }), ["proj:count"]);
        assert.deepStrictEqual(keysOf({ ...base, "proj:flag": plain("yes") }), ["proj:flag"]);
        assert.deepStrictEqual(keysOf({ ...base, "proj:names": plain(["a", ["b"]]) }), ["proj:names"]);
        assert.deepStrictEqual(keysOf({ ...base, "proj:labels": plain(["a"]) }), ["proj:labels"]);
        assert.deepStrictEqual(keysOf({ ...base, "proj:token": plain("t") }), ["proj:token"]);
        assert.deepStrictEqual(keysOf({}), ["proj:names", "proj:token"]);
        assert.deepStrictEqual(keysOf({}, ["proj:token"]), ["proj:names"], "a placeholder or --secret value counts as set");
    });
});

describe("what a remote component creates inside itself", () => {
    it("awsx:ec2:Vpc: by zones, subnet specs and NAT strategy, as awsx 3 builds it", () => {
        assert.deepStrictEqual(remoteContents("awsx:ec2:Vpc", {}), {
            // awsx's defaults: 3 zones, a public and a private subnet in each, one NAT gateway per zone.
            "aws:ec2/vpc:Vpc": 1, "aws:ec2/internetGateway:InternetGateway": 1, "aws:ec2/subnet:Subnet": 6,
            "aws:ec2/routeTable:RouteTable": 6, "aws:ec2/routeTableAssociation:RouteTableAssociation": 6, "aws:ec2/route:Route": 6,
            "aws:ec2/natGateway:NatGateway": 3, "aws:ec2/eip:Eip": 3,
        });
        const single = remoteContents("awsx:ec2:Vpc", { numberOfAvailabilityZones: 2, natGateways: { strategy: "Single" } });
        assert.deepStrictEqual([single?.["aws:ec2/natGateway:NatGateway"], single?.["aws:ec2/route:Route"]], [1, 4]);
        const isolated = remoteContents("awsx:ec2:Vpc", { numberOfAvailabilityZones: 2, subnetSpecs: [{ type: "Isolated" }], natGateways: { strategy: "None" } });
        assert.strictEqual(isolated?.["aws:ec2/route:Route"], undefined);
        assert.strictEqual(remoteContents("aws:ec2/vpc:Vpc", {}), undefined);
    });
});

describe("offline plan (npm run plan)", function () {
    this.timeout(120_000);

    it("--json prints one object with resources, options and outputs, secrets masked", async () => {
        const { status, stdout, stderr } = await plan("--stack", "dev", "--json", "--secret", "openvidu:license=SUPER-SECRET-LICENSE-42");
        assert.strictEqual(status, 0, stderr);
        assert.match(stderr, /OFFLINE PLAN, not a cloud preview/);
        const json = JSON.parse(stdout);
        assert.strictEqual(json.kind, "offline-plan");
        assert.strictEqual(json.stack, "dev");
        assert.ok(json.resources.length > 0);
        for (const r of json.resources) {
            const keys = ["inputs", "name", "options", "parent", "type", ...(r.type === "awsx:ec2:Vpc" ? ["contains"] : [])];
            assert.deepStrictEqual(Object.keys(r).sort(), keys.sort());
        }
        const root = json.resources.find((r: { type: string }) => r.type === "openvidu:aws:OpenViduCluster");
        assert.strictEqual(root.parent, null);
        assert.strictEqual(json.outputs.openviduSecret, "[secret]");
        assert.strictEqual(json.outputs.domainName, "openvidu-dev.example.com");
        assert.deepStrictEqual(json.placeholders, [], "the license was given with --secret");
        assert.deepStrictEqual(json.amiLookups, [], "both AMIs are ids: nothing looked up by name");
        assert.ok(!stdout.includes("SUPER-SECRET-LICENSE-42"), "a --secret value leaked into the plan");
    });

    it("--json writes its whole document into a pipe that reads slower than the plan exits (`| jq`)", () => {
        // The document is over a pipe's 64 KiB: exiting before stdout drained cut it there. The reader
        // takes the first line, then pauses while the plan writes the rest and ends.
        const command = `"${process.execPath}" -r ts-node/register scripts/plan.ts --stack dev --json | (IFS= read -r first; sleep 3; printf '%s\\n' "$first"; cat)`;
        const result = spawnSync("bash", ["-c", command], { cwd: root, encoding: "utf8", env: { ...process.env, TS_NODE_PROJECT: path.join(root, "tsconfig.json") } });
        assert.ok(result.stdout.length > 65_536, `${result.stdout.length} characters`);
        assert.strictEqual(JSON.parse(result.stdout).kind, "offline-plan");
    });

    for (const stack of ["dev", "prod"]) {
        it(`lists the whole cluster for --stack ${stack}, with the retention and ordering options`, async () => {
            const { status, stdout, stderr } = await committedPlan(stack);
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
            // `up` waits for the masters' instance refresh after the group (components/instanceRefresh).
            assert.strictEqual(byName("openvidu-master-refresh").type, "pulumi-nodejs:dynamic/openvidu:InstanceRefreshWait");
            assert.strictEqual(byName("openvidu-master-refresh").parent, "openvidu-master");
            assert.strictEqual(byName("openvidu-master-refresh").inputs.timeoutSeconds, 2100);
            assert.strictEqual(byName("openvidu-storage-bucket").options.retainOnDelete, true);
            assert.match(byName("openvidu-env").inputs.__provider, /^\[serialized provider code/);
            assert.strictEqual(JSON.stringify(byName("openvidu-env").inputs.secretSettings), "\"[secret]\"");
            // The VPC is one row, but awsx creates its parts at `pulumi up`: the plan says which.
            assert.deepStrictEqual(byName("openvidu-network-vpc").contains, {
                "aws:ec2/vpc:Vpc": 1, "aws:ec2/internetGateway:InternetGateway": 1, "aws:ec2/subnet:Subnet": 2,
                "aws:ec2/routeTable:RouteTable": 2, "aws:ec2/routeTableAssociation:RouteTableAssociation": 2, "aws:ec2/route:Route": 2,
            });
        });

        it(`shows the operations of --stack ${stack}: the alarm topic, every HA alarm publishing to it, the rule and the dashboard`, async () => {
            const { status, stdout, stderr } = await committedPlan(stack);
            assert.strictEqual(status, 0, stderr);
            const json = JSON.parse(stdout);
            const of = (type: string) => json.resources.filter((r: { type: string }) => r.type === type);
            const [topic] = of("aws:sns/topic:Topic");
            assert.ok(topic, "the plan lists the alarm topic");
            assert.strictEqual(topic.parent, "openvidu-alarm-topic");
            const operations = of("aws:cloudwatch/metricAlarm:MetricAlarm").filter((r: { parent: string }) => r.parent === "openvidu-operations");
            const names = operations.map((r: { name: string }) => r.name.replace("openvidu-operations-", "")).sort();
            for (const alarm of ["alb-5xx", "masters-healthy", "queue-age", "redis-cpu-001", "redis-memory-001"]) {
                assert.ok(names.includes(alarm), `${stack} plan lists the ${alarm} alarm (has ${names.join(", ")})`);
            }
            for (const alarm of operations) {
                assert.strictEqual(alarm.inputs.alarmActions.length, 1, alarm.name);
                assert.match(String(alarm.inputs.alarmActions[0]), /^arn:aws:sns:[a-z0-9-]+:\d{12}:openvidu-alarm-topic-topic$/, alarm.name);
            }
            assert.strictEqual(of("aws:cloudwatch/dashboard:Dashboard").length, 1);
            assert.ok(json.outputs.dashboardUrl !== undefined && json.outputs.alarmTopicArn !== undefined, "the plan shows the new outputs");
        });
    }

    it("prints a readable table that says it is offline and marks placeholders", async () => {
        const { status, stdout } = await plan("--stack", "prod");
        assert.strictEqual(status, 0);
        assert.match(stdout, /^This is an OFFLINE PLAN, not a cloud preview/);
        assert.match(stdout, /^TYPE\s+NAME$/m);
        assert.match(stdout, /openvidu:aws:OpenViduCluster\s+openvidu/);
        // Pulumi's short type names, the options on their own line.
        assert.match(stdout, /^aws:s3:Bucket\s+openvidu-storage-bucket\n {4}↳ retainOnDelete$/m);
        const widest = Math.max(...stdout.split("\n").map((line) => line.length));
        assert.ok(widest <= 100, `a line of ${widest} characters: the plan must fit a 100-column terminal`);
        assert.match(stdout, /^Stack prod: (\d+) resources would be declared, and 10 more inside remote components \(\d+ in all\)\.$/m);
        assert.match(stdout, /openvidu-network-vpc \(awsx:ec2:Vpc\) creates 10: 1 Vpc, 1 InternetGateway, 2 Subnet, 2 RouteTable,\n {6}2 RouteTableAssociation, 2 Route/);
        assert.match(stdout, /Outputs:\n {2}loadBalancerUrl: https:\/\//);
        assert.match(stdout, /openvidu:license = \[placeholder\]/);
        assert.match(stdout, /openvidu:elasticsearchPassword = \[placeholder\]/);
    });

    it("--cwd is relative to where the user runs npm, not to the repository root", () => {
        // npm runs scripts from the package root; a user in a subfolder means that subfolder.
        const where = fs.mkdtempSync(path.join(root, ".test-tmp-cwd-"));
        try {
            const project = path.join(where, "acme");
            fs.mkdirSync(project);
            fs.copyFileSync(path.join(root, "Pulumi.yaml"), path.join(project, "Pulumi.yaml"));
            fs.writeFileSync(path.join(project, "Pulumi.elsewhere.yaml"), `${VALID_DEV_LINES.join("\n")}\n`);
            const result = spawnSync("npm", ["run", "-s", "plan", "--", "--stack", "elsewhere", "--json", "--cwd", "acme"], {
                cwd: where, encoding: "utf8", env: withoutInitCwd(),
            });
            assert.strictEqual(result.status, 0, result.stderr);
            assert.strictEqual(JSON.parse(result.stdout).stack, "elsewhere");
        } finally {
            fs.rmSync(where, { recursive: true, force: true });
        }
    });

    it("--wide shows every line whole: full types, parents, options and properties", async () => {
        const { status, stdout } = await plan("--stack", "prod", "--wide");
        assert.strictEqual(status, 0);
        assert.match(stdout, /^TYPE\s+NAME\s+PARENT\s+OPTIONS$/m);
        assert.match(stdout, /^aws:s3\/bucket:Bucket\s+openvidu-storage-bucket\s+openvidu-storage\s+retainOnDelete$/m);
        assert.ok(!stdout.includes("…"), "nothing is cut");
        assert.ok(Math.max(...stdout.split("\n").map((line) => line.length)) > 100, "the wide table is wider than the narrow one");
    });

    it("with invalid config prints every error, registers nothing and exits non-zero", async () => {
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
            // The real command: exit code 2, the errors as JSON on stdout, the explanation on stderr.
            const { status, stdout, stderr } = planCommand(["--stack", "broken", "--json", "--cwd", dir]);
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

    it("fails clearly for a stack without a stack file (the real command: exit code 1, one line on stderr)", () => {
        const { status, stdout, stderr } = planCommand(["--stack", "nonexistent"]);
        assert.strictEqual(status, 1);
        assert.strictEqual(stdout, "");
        assert.strictEqual(stderr.trim().split("\n").length, 1, stderr);
        assert.match(stderr, /Pulumi\.nonexistent\.yaml not found/);
    });

    it("`npm run plan -- --stack prod --json`, exactly as the README writes it, prints pure JSON on stdout", () => {
        const result = spawnSync("npm", ["run", "plan", "--", "--stack", "prod", "--json"], { cwd: root, encoding: "utf8" });
        assert.strictEqual(result.status, 0, result.stderr);
        assert.ok(!result.stdout.includes("> openvidu"), "npm's banner is on stdout");
        const json = JSON.parse(result.stdout);
        assert.strictEqual(json.kind, "offline-plan");
        assert.strictEqual(json.stack, "prod");
    });

    describe("a mistake on the command line is one line, not a Node.js TypeError", () => {
        const cases: Array<[string[], RegExp]> = [
            [["--stack", "dev", "--jsn"], /^plan: unknown option --jsn; did you mean --json\?$/],
            [["--stack"], /^plan: --stack needs a stack name, e.g. --stack dev$/],
            [["--stack", "--json"], /^plan: --stack needs a stack name/],
            [["prod"], /^plan: unexpected argument "prod": name the stack with --stack prod/],
            [["--json"], /^plan: --stack NAME is required/],
            [["--stack", "dev", "--secret", "license"], /^plan: --secret takes openvidu:KEY=VALUE/],
        ];
        for (const [args, expected] of cases) {
            it(`plan ${args.join(" ")}`, async () => {
                const { status, stdout, stderr } = await plan(...args);
                assert.strictEqual(status, 1);
                assert.strictEqual(stdout, "");
                const lines = stderr.trim().split("\n");
                assert.strictEqual(lines.length, 1, stderr);
                assert.match(lines[0], expected);
            });
        }
    });

    describe("a YAML mistake in a stack file is one line: file, line, what is wrong", () => {
        const cases: Array<[string, string[], RegExp]> = [
            ["a tab as indentation", ["config:", "\taws:region: eu-west-1"], /^plan: Pulumi\.bad\.yaml:2:1: Tabs are not allowed as indentation \(indent with spaces\)$/],
            ["a duplicate key", [...VALID_DEV_LINES, "  openvidu:domainName: other.example.com"],
                /^plan: Pulumi\.bad\.yaml:8:3: duplicate key "openvidu:domainName" \(each key may appear once\)$/],
            ["a bad indent", ["config:", "  aws:region: eu-west-1", "   openvidu:domainName: x.example.com"], /^plan: Pulumi\.bad\.yaml:2:\d+: .*\(check the indentation of this line and the next\)$/],
            ["an unclosed quote", ["config:", "  openvidu:domainName: 'x.example.com"], /^plan: Pulumi\.bad\.yaml:\d+:\d+: Missing closing 'quote \(a quote or bracket opened earlier is not closed\)$/],
            ["config as a list", ["config:", "  - aws:region"], /^plan: Pulumi\.bad\.yaml:2:3: `config:` must be a map of key: value$/],
        ];
        for (const [why, lines, expected] of cases) {
            it(why, () => withStackFile("bad", lines, async (dir) => {
                const { status, stdout, stderr } = await plan("--stack", "bad", "--cwd", dir);
                assert.strictEqual(status, 1);
                assert.strictEqual(stdout, "");
                const out = stderr.trim().split("\n");
                assert.strictEqual(out.length, 1, stderr);
                assert.match(out[0].replace(dir + path.sep, ""), expected);
            }));
        }
    });

    it("reports typos outside openvidu: (an unknown namespace, aws:regoin) even with AWS_REGION set", async () => {
        await withStackFile("typos", [...VALID_DEV_LINES.filter((l) => !l.includes("aws:region")), "  aws:regoin: eu-west-1",
            "  openvido:keyName: admin"], async (dir) => {
            const result = await planInProcess(["--stack", "typos", "--json", "--cwd", dir], { AWS_REGION: "us-west-2" });
            assert.strictEqual(result.status, 2, result.stderr);
            const errors: Array<{ key: string; message: string }> = JSON.parse(result.stdout).errors;
            assert.match(errors.find((e) => e.key === "aws:regoin")?.message ?? "", /did you mean aws:region\?/);
            assert.match(errors.find((e) => e.key === "openvido:keyName")?.message ?? "", /did you mean openvidu:keyName\?/);
        });
    });

    describe("rejects what `pulumi preview` rejects for Pulumi.yaml's typed config", () => {
        const cases: Array<[string, string, RegExp]> = [
            ["a boolean written as yes", "  openvidu:recording: yes", /must be of type 'boolean'/],
            ["a fractional integer", "  openvidu:maxMediaNodes: 2.5", /must be of type 'integer'/],
            ["a map for a string", "  openvidu:masterInstanceType: {size: large}", /must be of type 'string'/],
            ["a secret in plain text", "  openvidu:license: plain-text-license", /must be encrypted as it's secret/],
            ["one .env reader as a string, not a list", "  openvidu:envReaderArns: arn:aws:iam::123456789012:role/openvidu-preview",
                /must be of type 'array<string>'.*YAML list/],
            ["the .env readers as a JSON string", `  openvidu:envReaderArns: '["arn:aws:iam::123456789012:role/openvidu-preview"]'`,
                /must be of type 'array<string>'.*YAML list/],
        ];
        for (const [why, line, expected] of cases) {
            it(why, () => withStackFile("typed", [...VALID_DEV_LINES, line], async (dir) => {
                const key = line.trim().split(": ")[0];
                const { status, stdout, stderr } = await plan("--stack", "typed", "--json", "--cwd", dir);
                assert.strictEqual(status, 2, stderr);
                const errors: Array<{ key: string; message: string }> = JSON.parse(stdout).errors;
                assert.deepStrictEqual(errors.map((e) => e.key), [key]);
                assert.match(errors[0].message, expected);
                // First what happened, then why: the header sits between them, right above the problems.
                assert.match(stderr, /^Offline plan for this stack: nothing registered\.\n`pulumi preview` would refuse this stack[^\n]*\nInvalid stack configuration/);
                assert.ok(!stderr.includes("plain-text-license"), "a secret value was echoed");
            }));
        }

        it("refuses a session ARN in the .env readers' YAML list, naming openvidu:envReaderArns, with every other bad entry", async () => {
            await withStackFile("typed", [...VALID_DEV_LINES, "  openvidu:envReaderArns:", "    - arn:aws:iam::123456789012:role/openvidu-preview",
                "    - arn:aws:sts::123456789012:assumed-role/openvidu-preview/pr-42", "    - openvidu-preview"], async (dir) => {
                const { status, stdout, stderr } = await plan("--stack", "typed", "--json", "--cwd", dir);
                assert.strictEqual(status, 2, stderr);
                const errors: Array<{ key: string; message: string }> = JSON.parse(stdout).errors;
                assert.deepStrictEqual(errors.map((e) => e.key), ["openvidu:envReaderArns", "openvidu:envReaderArns"]);
                assert.match(errors[0].message, /entry 1 .*STS session ARN; give the role's ARN/);
                assert.match(errors[1].message, /entry 2 \("openvidu-preview"\) must be an IAM role or user ARN/);
            });
        });

        it("refuses a stack without a required key (declared without a default), naming every missing one", async () => {
            await withStackFile("typed", VALID_DEV_LINES.filter((l) => !/domainName|masterAmiId/.test(l)), async (dir) => {
                const { status, stdout, stderr } = await plan("--stack", "typed", "--json", "--cwd", dir);
                assert.strictEqual(status, 2, stderr);
                const errors: Array<{ key: string; message: string }> = JSON.parse(stdout).errors;
                assert.deepStrictEqual(errors.map((e) => e.key), ["openvidu:domainName", "openvidu:masterAmiId"]);
                assert.match(errors[0].message, /is missing: Pulumi\.yaml declares it without a default/);
            });
        });

        it("accepts the forms the CLI accepts (YAML list, quoted booleans and integers, a map)", async () => {
            await withStackFile("typed", [...VALID_DEV_LINES, "  openvidu:vpcId: vpc-0123456789abcdef0", "  openvidu:subnetIds:",
                "    - subnet-0123456789abcdef0", "    - subnet-0123456789abcdef1", "  openvidu:envReaderArns:",
                "    - arn:aws:iam::123456789012:role/openvidu-preview", "  openvidu:recording: \"false\"",
                "  openvidu:maxMediaNodes: \"3\"", "  openvidu:extraEnv:", "    OPENVIDU_CDR: \"true\""], async (dir) => {
                const { status, stderr } = await plan("--stack", "typed", "--json", "--cwd", dir);
                assert.strictEqual(status, 0, stderr);
            });
        });
    });
});
