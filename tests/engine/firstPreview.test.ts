/**
 * The first `pulumi preview` of a new stack, of the whole program, in the
 * real engine: every output of a resource that does not exist yet is unknown
 * (the generated secrets, the bucket's name, ARNs), the `.env` dynamic
 * provider's check runs on those unknowns, and the policy pack judges every
 * resource. Mocks resolve everything and never call a dynamic provider.
 *
 * The AWS and random provider plugins are stand-ins
 * (tests/support/stand-in-aws-provider.js): they accept every input and
 * answer data sources as the offline plan's mock cloud does. Existing subnets
 * are used (vpcId/subnetIds) since awsx's VPC is a remote component whose
 * plugin cannot be had here.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as automation from "@pulumi/pulumi/automation";
import { openStack, StackRequest } from "../../automation";
import { OpenViduStackConfig } from "../../config";
import { engineSandbox, EngineSandbox, pulumiCliBinDir } from "../support/pulumiCli";

const root = path.join(__dirname, "..", "..");

const CONFIG: OpenViduStackConfig = {
    domainName: "openvidu.example.com",
    license: "first-preview-license",
    certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666",
    masterAmiId: "ami-0123456789abcdef0",
    mediaAmiId: "ami-0fedcba9876543210",
    elasticsearchEnabled: false,
    vpcId: "vpc-0a1b2c3d",
    subnetIds: ["subnet-0aaaaaaa", "subnet-0bbbbbbb"],
};

const CLOUD = { subnetZones: { "subnet-0aaaaaaa": "eu-west-1a", "subnet-0bbbbbbb": "eu-west-1b" } };

describe("the first preview of a new stack in the real engine", function () {
    this.timeout(400_000);
    let sandbox: EngineSandbox;
    let pluginDir: string;

    before(function () {
        const cli = pulumiCliBinDir();
        if (!cli.binDir) {
            console.log(`      skipped: ${cli.unavailable}`);
            this.skip();
        }
        sandbox = engineSandbox(cli.binDir as string);
        pluginDir = fs.mkdtempSync(path.join(os.tmpdir(), "openvidu-plugins-"));
        const script = path.join(root, "tests", "support", "stand-in-aws-provider.js");
        for (const plugin of ["aws", "random"]) {
            const version = JSON.parse(fs.readFileSync(path.join(root, "node_modules", "@pulumi", plugin, "package.json"), "utf8")).version;
            fs.writeFileSync(path.join(pluginDir, `pulumi-resource-${plugin}`),
                `#!/bin/sh\nSTAND_IN_VERSION=${version} exec node '${script}' "$@"\n`, { mode: 0o755 });
        }
    });
    after(() => {
        if (pluginDir) fs.rmSync(pluginDir, { recursive: true, force: true });
        sandbox?.dispose();
    });

    async function newStack(stackName: string): Promise<automation.Stack> {
        const pulumiCommand = await automation.PulumiCommand.get({ root: path.dirname(path.dirname(sandbox.pulumi)) });
        const request: StackRequest = {
            stackName, region: "eu-west-1", config: CONFIG,
            workspace: {
                envVars: { ...sandbox.env, PATH: `${pluginDir}${path.delimiter}${sandbox.env.PATH}`, STAND_IN_CLOUD: JSON.stringify(CLOUD) },
                pulumiCommand,
            },
        };
        return openStack(request);
    }

    it("previews the whole cluster, the .env included, and passes the policy pack", async () => {
        const stack = await newStack("first");
        let output = "";
        const events: automation.EngineEvent[] = [];
        try {
            await stack.preview({ policyPacks: [path.join(root, "policy")], onOutput: (line) => { output += line; }, onEvent: (e) => events.push(e) });
        } catch (error) {
            assert.fail(`the first preview failed:\n${output}\n${(error as Error).message}`);
        }
        const planned = events.filter((e) => e.resourcePreEvent).map((e) => e.resourcePreEvent?.metadata.type as string);
        assert.ok(planned.includes("pulumi-nodejs:dynamic/openvidu:EnvFile"), "the .env is planned");
        assert.ok(planned.includes("aws:autoscaling/group:Group") && planned.includes("aws:lb/loadBalancer:LoadBalancer"));
        assert.ok(planned.length > 50, `the whole cluster: ${planned.length} resources`);
        assert.match(output, /openvidu-guardrails/, "the policy pack ran");
        assert.ok(!output.includes(CONFIG.license as string), "no secret in the output");
    });
});
