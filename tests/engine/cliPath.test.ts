/**
 * The path users take: `pulumi preview` / `pulumi up` in the project's root.
 * The real CLI starts the Node.js language host, which starts @pulumi/pulumi's
 * cmd/run, which loads index.ts with ts-node (Pulumi.yaml's runtime options,
 * package.json's `main`). The other engine tests run programs inline through
 * the Automation API; here index.ts itself runs, from a copy of the project
 * (its files, node_modules linked) with the committed stack files and the
 * secrets their headers list.
 *
 * The language host is the tests' stand-in (tests/support/languageHost/),
 * since pulumi-language-nodejs cannot be built from the Go module proxy.
 * Where it differs from the real one: it installs nothing (InstallDependencies,
 * plugin acquisition) and runs no policy pack or Node.js plugin (RunPlugin);
 * cmd/run talks to the engine's monitor directly (no proxy, no sync-invoke
 * pipes); no debugger, bun or tracing; `main` is whatever cmd/run resolves
 * (Pulumi.yaml has none, so package.json's `main`, as for a user). TypeScript
 * handling (ts-node, transpile-only from tsconfig's noCheck) is cmd/run's own.
 * The AWS, awsx and random plugins are the stand-in provider
 * (tests/support/stand-in-aws-provider.js) answering lookups from the mock
 * cloud in STAND_IN_CLOUD. `pulumi up` creates a new stack for real as far as
 * the engine goes: the `.env` is written to s3rver (an adopted bucket) and the
 * masters' refresh wait reads the stand-in Auto Scaling API; no update, no
 * destroy.
 */
import * as assert from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { startAutoScalingStandIn } from "../support/autoScalingStandIn";
import { CliWithLanguageHost, cliWithLanguageHost } from "../support/languageHost";
import { headerSecretKeys, projectCopy } from "../support/projectCopy";
import { EngineSandbox, sandboxOrSkip, standInPlugins } from "../support/pulumiCli";
import { startS3rver } from "../support/s3rver";

const root = path.join(__dirname, "..", "..");

/** Every CLI run is killed after this; a run that reports its problems must end well before it. */
const RUN_TIMEOUT_MS = 240_000;
const WELL_BEFORE_TIMEOUT_MS = RUN_TIMEOUT_MS / 2;

interface CliRun {
    status: number | null;
    output: string;
    ms: number;
}

describe("pulumi preview and up through the CLI's Node.js language host (index.ts as users run it)", function () {
    this.timeout(900_000);
    let sandbox: EngineSandbox;
    let cli: CliWithLanguageHost;
    let plugins: { dir: string; dispose(): void };
    let project: string;
    /** How long the committed dev stack's preview took: a run that fails early must not take longer. */
    let devPreviewMs: number | undefined;

    before(function () {
        sandbox = sandboxOrSkip(this);
        cli = cliWithLanguageHost(path.dirname(sandbox.pulumi));
        plugins = standInPlugins(["aws", "awsx", "random"]);
        project = projectCopy();
    });
    after(() => {
        if (project) fs.rmSync(project, { recursive: true, force: true });
        plugins?.dispose();
        cli?.dispose();
        sandbox?.dispose();
    });

    /**
     * `pulumi ARGS` in the project, killed after RUN_TIMEOUT_MS, with the stand-in plugins and host
     * first on PATH. Asynchronous: the local S3 and Auto Scaling servers live in this process.
     */
    function pulumi(args: string[], options: { cloud?: object; input?: string; env?: Record<string, string> } = {}): Promise<CliRun> {
        const env = {
            ...process.env, ...sandbox.env, ...options.env,
            PATH: [plugins.dir, cli.binDir, process.env.PATH ?? ""].join(path.delimiter),
            STAND_IN_CLOUD: JSON.stringify(options.cloud ?? {}),
        };
        const started = Date.now();
        return new Promise((resolve, reject) => {
            const child = spawn(cli.pulumi, [...args, "--non-interactive"], { cwd: project, env, stdio: ["pipe", "pipe", "pipe"] });
            let output = "";
            child.stdout.on("data", (chunk) => { output += String(chunk); });
            child.stderr.on("data", (chunk) => { output += String(chunk); });
            const timer = setTimeout(() => child.kill("SIGKILL"), RUN_TIMEOUT_MS);
            child.on("error", reject);
            child.on("close", (status) => {
                clearTimeout(timer);
                resolve({ status, output, ms: Date.now() - started });
            });
            child.stdin.end(options.input ?? "");
        });
    }

    function ok(run: CliRun, what: string): CliRun {
        assert.strictEqual(run.status, 0, `${what} failed (${run.status}, ${run.ms} ms):\n${run.output}`);
        return run;
    }

    /** A new stack with a committed stack file's values (the file copied under the stack's name) and its secrets set. */
    async function newStack(stack: string, from: "dev" | "prod", extra: Array<[string, string]> = []): Promise<void> {
        if (stack !== from) fs.copyFileSync(path.join(root, `Pulumi.${from}.yaml`), path.join(project, `Pulumi.${stack}.yaml`));
        ok(await pulumi(["stack", "init", stack]), "stack init");
        const secretKeys = headerSecretKeys(from);
        assert.ok(secretKeys.includes("openvidu:license"), `Pulumi.${from}.yaml says how to set the license`);
        for (const key of secretKeys) ok(await pulumi(["config", "set", "--secret", "--stack", stack, key], { input: `cli-path-${key.split(":")[1]}` }), `config set ${key}`);
        for (const [key, value] of extra) ok(await pulumi(["config", "set", "--stack", stack, ...(key.includes("[") ? ["--path"] : []), key, value]), `config set ${key}`);
    }

    /** The types of the resources a plain-text preview or up lists as created (`+  type name create…`), once each. */
    function created(output: string): string[] {
        return [...new Set([...output.matchAll(/^ \+ {2}(\S+) (\S+) creat/gm)].map((m) => m[1]))];
    }

    it("previews the committed dev stack: index.ts, transpiled by SWC, plans the whole cluster, the .env and the refresh wait included", async () => {
        await newStack("dev", "dev");
        const probeFile = path.join(project, "ts-node-probe.jsonl");
        const probe = { NODE_OPTIONS: `--require ${path.join(root, "tests", "support", "tsNodeProbe.js")}`, TS_NODE_PROBE_FILE: probeFile };
        const run = ok(await pulumi(["preview", "--stack", "dev", "--json"], { env: probe }), "preview");
        // tsconfig.json's "ts-node": { "swc": true }, read by the ts-node cmd/run registers: the start-up every preview pays.
        const transpiled = fs.readFileSync(probeFile, "utf8").trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
        assert.strictEqual(transpiled.length, 1, "one process ran the program through ts-node");
        assert.deepStrictEqual({ ...transpiled[0], tsFilesLoaded: undefined },
            { swc: true, transpileOnly: true, swcCoreLoaded: true, tsFilesLoaded: undefined, sdkStackTraces: true },
            "ts-node used SWC, and the SDK's stack captures skipped source-map-support (startup/sdkStackTraces.ts)");
        assert.ok(Number(transpiled[0].tsFilesLoaded) > 20, `the program's own files went through it: ${transpiled[0].tsFilesLoaded}`);
        const preview = JSON.parse(run.output.slice(run.output.indexOf("{"))) as { steps: Array<{ op: string; urn: string }> };
        // A URN's type is its parents' types and its own, joined by "$".
        const types = preview.steps.filter((s) => s.op === "create").map((s) => s.urn.split("::")[2].split("$").pop() ?? "");
        for (const type of ["pulumi:pulumi:Stack", "openvidu:aws:OpenViduCluster", "awsx:ec2:Vpc", "aws:lb/loadBalancer:LoadBalancer", "aws:autoscaling/group:Group",
            "pulumi-nodejs:dynamic/openvidu:EnvFile", "pulumi-nodejs:dynamic/openvidu:InstanceRefreshWait", "random:index/randomPassword:RandomPassword"]) {
            assert.ok(types.includes(type), `${type} is planned: ${types.join(", ")}`);
        }
        assert.ok(types.length > 80, `the whole cluster: ${types.length} resources`);
        devPreviewMs = run.ms;
        assert.ok(!run.output.includes("cli-path-license"), "no secret in the output");
        assert.ok(run.ms < WELL_BEFORE_TIMEOUT_MS, `${run.ms} ms`);
    });

    it("reports every config problem at once and exits non-zero quickly, declaring nothing", async () => {
        await newStack("bad-config", "dev", [
            ["openvidu:domainName", "OpenVidu.Example.com"],
            ["openvidu:certificateArn", "arn:aws:acm:eu-west-1:123456789012:certificate"],
            ["openvidu:mediaServer", "janus"],
        ]);
        const run = await pulumi(["preview", "--stack", "bad-config"]);
        assert.notStrictEqual(run.status, 0, run.output);
        assert.ok(run.status !== null && run.ms < WELL_BEFORE_TIMEOUT_MS, `ended by itself, well before the timeout (${run.ms} ms)`);
        // It loads the same program and declares nothing: faster than the whole preview (with the SDK's frames
        // in the error's stack, cmd/run's coloured inspect of it added 15-20 s: program.ts, rethrowWithoutStack).
        if (devPreviewMs !== undefined) assert.ok(run.ms < devPreviewMs * 1.5, `${run.ms} ms, the whole preview ${devPreviewMs} ms`);
        assert.match(run.output, /error: Invalid stack configuration \(3 problems\):/);
        assert.match(run.output, /- openvidu:domainName: must be a lower-case fully qualified domain name/);
        assert.match(run.output, /- openvidu:certificateArn: must be an ACM certificate ARN/);
        assert.match(run.output, /- openvidu:mediaServer: must be one of mediasoup, kurento \(got "janus"\)/);
        assert.strictEqual((run.output.match(/Invalid stack configuration/g) ?? []).length, 2, "one report (in the progress line and the diagnostics)");
        assert.deepStrictEqual(created(run.output), ["pulumi:pulumi:Stack"], `nothing but the stack:\n${run.output}`);
    });

    // An AMI given by name that does not resolve, and given subnets all in one zone: lookups that
    // index.ts runs before declaring anything (program.ts, checkBeforeDeclaring), as the Automation API does.
    const LOOKUPS: Array<[string, string]> = [
        ["openvidu:masterAmiId", "openvidu-enterprise-master-2.31.0"],
        ["openvidu:amiOwnerId", "210987654321"],
        ["openvidu:vpcId", "vpc-0a1b2c3d"],
        ["openvidu:subnetIds[0]", "subnet-0aaaaaaa"],
        ["openvidu:subnetIds[1]", "subnet-0bbbbbbb"],
    ];
    const ONE_ZONE_NO_IMAGE = { subnetZones: { "subnet-0aaaaaaa": "eu-west-1a", "subnet-0bbbbbbb": "eu-west-1a" }, images: [] };

    function assertLookupProblemsAtOnce(run: CliRun): void {
        assert.notStrictEqual(run.status, 0, run.output);
        assert.ok(run.status !== null && run.ms < WELL_BEFORE_TIMEOUT_MS, `ended by itself, well before the timeout (${run.ms} ms)`);
        assert.match(run.output, /error: Invalid stack configuration \(2 problems\):/, `both problems in one report:\n${run.output}`);
        assert.match(run.output, /- openvidu:masterAmiId: no image named "openvidu-enterprise-master-2\.31\.0" owned by 210987654321 \(openvidu:amiOwnerId\) in eu-west-1/);
        assert.match(run.output, /- openvidu:subnetIds: the subnets are all in eu-west-1a; give at least two subnets in at least two different availability zones/);
        assert.deepStrictEqual(created(run.output), ["pulumi:pulumi:Stack"], `nothing declared before the lookups:\n${run.output}`);
    }

    it("reports every lookup problem at once in a preview (an AMI name that does not resolve, subnets in one zone), declaring nothing", async () => {
        await newStack("bad-lookups", "dev", LOOKUPS);
        assertLookupProblemsAtOnce(await pulumi(["preview", "--stack", "bad-lookups"], { cloud: ONE_ZONE_NO_IMAGE }));
    });

    it("reports them the same way in pulumi up, which creates nothing", async () => {
        await newStack("bad-lookups-up", "dev", LOOKUPS);
        assertLookupProblemsAtOnce(await pulumi(["up", "--yes", "--skip-preview", "--stack", "bad-lookups-up"], { cloud: ONE_ZONE_NO_IMAGE }));
        const state = JSON.parse(ok(await pulumi(["stack", "export", "--stack", "bad-lookups-up"]), "stack export").output) as { deployment: { resources?: Array<{ type: string }> } };
        // The stack and the default AWS provider the lookups ran through; no resource of the cluster.
        const inState = (state.deployment.resources ?? []).map((r) => r.type).filter((t) => t !== "pulumi:pulumi:Stack" && !t.startsWith("pulumi:providers:"));
        assert.deepStrictEqual(inState, [], "no resource in the state");
    });

    it("previews once the lookups answer well (the image found, subnets in two zones)", async () => {
        await newStack("good-lookups", "dev", LOOKUPS);
        const cloud = {
            subnetZones: { "subnet-0aaaaaaa": "eu-west-1a", "subnet-0bbbbbbb": "eu-west-1b" },
            images: [{ id: "ami-0aaaaaaaaaaaaaaa1", name: "openvidu-enterprise-master-2.31.0", ownerId: "210987654321", region: "eu-west-1" }],
        };
        const run = ok(await pulumi(["preview", "--stack", "good-lookups", "--json"], { cloud }), "preview");
        const preview = JSON.parse(run.output.slice(run.output.indexOf("{"))) as { steps: Array<{ op: string; urn: string; newState?: { type: string; inputs?: Record<string, unknown> } }> };
        const master = preview.steps.find((s) => s.newState?.type === "aws:ec2/launchTemplate:LaunchTemplate" && s.urn.endsWith("master-template"));
        assert.strictEqual(master?.newState?.inputs?.imageId, "ami-0aaaaaaaaaaaaaaa1", "the master's template takes the image found");
        assert.ok(!preview.steps.some((s) => s.newState?.type === "awsx:ec2:Vpc"), "the given VPC is used, none created");
    });
    it("pulumi up deploys the committed dev stack (its bucket adopted, on a local S3): index.ts's outputs become the stack's", async () => {
        // The .env is written to s3rver and the masters' wait reads the stand-in Auto Scaling API; the rest is the stand-in provider.
        const bucket = "openvidu-cli-path";
        const s3 = await startS3rver([bucket]);
        const autoScaling = await startAutoScalingStandIn();
        // The dev stack's one master serves: the first up waits for it (components/instanceRefresh).
        autoScaling.anyGroup = [{ id: "i-0cli1", lifecycleState: "InService" }];
        autoScaling.anyTargetGroup = [{ id: "i-0cli1", state: "healthy" }];
        try {
            await newStack("up", "dev", [["openvidu:bucketName", bucket]]);
            const env = { ...autoScaling.env, AWS_ENDPOINT_URL_S3: s3.endpoint, AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER" };
            const run = ok(await pulumi(["up", "--yes", "--skip-preview", "--stack", "up"], { cloud: { bucketRegions: { [bucket]: "eu-west-1" } }, env }), "up");
            assert.ok(run.ms < WELL_BEFORE_TIMEOUT_MS, `${run.ms} ms`);
            assert.ok(!run.output.includes("cli-path-license"), "no secret in the output");
            assert.ok(autoScaling.calls.some((c) => c.Action === "DescribeTargetHealth"), "the first up waited for its master to serve");
            const outputs = JSON.parse(ok(await pulumi(["stack", "output", "--json", "--stack", "up"]), "stack output").output) as Record<string, string>;
            assert.deepStrictEqual(Object.keys(outputs).sort(),
                ["alarmTopicArn", "bootLogGroupName", "bucketName", "dashboardUrl", "domainName", "inspectorUrl", "loadBalancerUrl", "masterAsgName", "mediaAsgName", "openviduSecret"]);
            assert.strictEqual(outputs.domainName, "openvidu-dev.example.com");
            assert.strictEqual(outputs.bucketName, bucket);
            assert.strictEqual(outputs.openviduSecret, "[secret]", "the secret output stays secret");
            assert.match(outputs.masterAsgName, /^up-[0-9a-f]+-ASGOpenViduProMasterNode$/);
            // The load balancer's DNS name, as the stand-in computes it for a created load balancer.
            assert.match(outputs.loadBalancerUrl, /^https:\/\/[a-z0-9-]+-1234567890\.eu-west-1\.elb\.amazonaws\.com$/);
            // The engine keeps where each resource was declared: the .ts line (mapped from SWC's output), as the SDK captured it.
            const state = JSON.parse(ok(await pulumi(["stack", "export", "--stack", "up"]), "stack export").output) as { deployment: { resources: Array<{ type: string; sourcePosition?: string }> } };
            const loadBalancer = state.deployment.resources.find((r) => r.type === "aws:lb/loadBalancer:LoadBalancer");
            const declared = fs.readFileSync(path.join(root, "components", "masterTier.ts"), "utf8").split("\n").findIndex((line) => line.includes("new aws.lb.LoadBalancer(")) + 1;
            assert.match(loadBalancer?.sourcePosition ?? "", new RegExp(`^project:///components/masterTier\\.ts#${declared},\\d+$`), "the load balancer's recorded source position");
            const client = new S3Client({ endpoint: s3.endpoint, region: "eu-west-1", forcePathStyle: true, credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } });
            const envFile = await (await client.send(new GetObjectCommand({ Bucket: bucket, Key: ".env" }))).Body?.transformToString();
            assert.match(envFile ?? "", /^DOMAIN_OR_PUBLIC_IP=openvidu-dev\.example\.com$/m, "the .env was written by the deployed program");
            assert.match(envFile ?? "", /^OPENVIDU_PRO_LICENSE=cli-path-license$/m);
        } finally {
            await autoScaling.close();
            await s3.stop();
        }
    });
});
