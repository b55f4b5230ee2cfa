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
import * as path from "path";
import * as automation from "@pulumi/pulumi/automation";
import { openStack, StackRequest } from "../../automation";
import { OpenViduStackConfig } from "../../config";
import { placeholderAmiId } from "../../plan/mocks";
import { EngineSandbox, pulumiCommandOf, sandboxOrSkip, standInPlugins } from "../support/pulumiCli";

const root = path.join(__dirname, "..", "..");

const CONFIG: OpenViduStackConfig = {
    domainName: "openvidu.example.com",
    license: "first-preview-license",
    certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666",
    // The master's image by name: looked up (aws.ec2.getAmi) through the engine's invoke.
    masterAmiId: "openvidu-enterprise-master-2.31.0",
    amiOwnerId: "210987654321",
    mediaAmiId: "ami-0fedcba9876543210",
    elasticsearchEnabled: false,
    vpcId: "vpc-0a1b2c3d",
    subnetIds: ["subnet-0aaaaaaa", "subnet-0bbbbbbb"],
};

const CLOUD = { subnetZones: { "subnet-0aaaaaaa": "eu-west-1a", "subnet-0bbbbbbb": "eu-west-1b" } };

describe("the first preview of a new stack in the real engine", function () {
    this.timeout(400_000);
    let sandbox: EngineSandbox;
    let plugins: { dir: string; dispose(): void } | undefined;

    before(function () {
        sandbox = sandboxOrSkip(this);
        plugins = standInPlugins(["aws", "random"]);
    });
    after(() => {
        plugins?.dispose();
        sandbox?.dispose();
    });

    async function newStack(stackName: string, cloud: object = CLOUD): Promise<automation.Stack> {
        const pulumiCommand = await pulumiCommandOf(sandbox);
        const request: StackRequest = {
            stackName, region: "eu-west-1", config: CONFIG,
            workspace: {
                envVars: { ...sandbox.env, PATH: `${plugins?.dir}${path.delimiter}${sandbox.env.PATH}`, STAND_IN_CLOUD: JSON.stringify(cloud) },
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
        // The stand-in answers the lookup as the offline plan does; the template takes the id found, the other the id given.
        const imageIdOf = (tier: string): unknown => events.map((e) => e.resourcePreEvent?.metadata)
            .find((m) => m?.type === "aws:ec2/launchTemplate:LaunchTemplate" && m.urn.endsWith(`${tier}-template`))?.new?.inputs?.imageId;
        assert.strictEqual(imageIdOf("master"), placeholderAmiId("210987654321", "eu-west-1", CONFIG.masterAmiId));
        assert.strictEqual(imageIdOf("media"), CONFIG.mediaAmiId);
        assert.match(output, /openvidu-guardrails/, "the policy pack ran");
        assert.ok(!output.includes(CONFIG.license as string), "no secret in the output");
    });

    it("stops naming the key when the owner has no image of that name (the provider's error, through the engine)", async () => {
        // Only a stranger's image has the name.
        const images = [{ id: "ami-0eeeeeeeeeeeeeee1", name: CONFIG.masterAmiId, ownerId: "999999999999", region: "eu-west-1" }];
        const stack = await newStack("no-image", { ...CLOUD, images });
        let output = "";
        await assert.rejects(stack.preview({ onOutput: (line) => { output += line; } }));
        assert.match(output, /openvidu:masterAmiId: no image named "openvidu-enterprise-master-2\.31\.0" owned by 210987654321 \(openvidu:amiOwnerId\) in eu-west-1/);
        assert.ok(!output.includes("ami-0eeeeeeeeeeeeeee1"), "the stranger's image is nowhere");
        assert.doesNotMatch(output, /aws:ec2:LaunchTemplate|aws:s3:Bucket/, "stopped before any resource was declared");
    });

    it("ends naming the key, without hanging, when a check inside the graph would fail (an existing CNAME of the domain)", async function () {
        // Thrown inside the resource graph, this check left resources unregistered and the inline
        // runtime waiting forever; program.ts now runs it before declaring anything.
        this.timeout(120_000);
        const cloud = { ...CLOUD, dnsRecords: { Z0123456789ABCDEFGHIJ: [{ name: "openvidu.example.com.", type: "CNAME", values: ["old-alb-1.eu-west-1.elb.amazonaws.com"] }] } };
        const pulumiCommand = await pulumiCommandOf(sandbox);
        const stack = await openStack({
            stackName: "existing-cname", region: "eu-west-1", config: { ...CONFIG, hostedZoneId: "Z0123456789ABCDEFGHIJ" },
            workspace: { envVars: { ...sandbox.env, PATH: `${plugins?.dir}${path.delimiter}${sandbox.env.PATH}`, STAND_IN_CLOUD: JSON.stringify(cloud) }, pulumiCommand },
        });
        let output = "";
        await assert.rejects(stack.preview({ onOutput: (line) => { output += line; } }));
        assert.match(output, /openvidu:overwriteDnsRecord: a CNAME record for openvidu\.example\.com already exists in hosted zone Z0123456789ABCDEFGHIJ/);
        assert.doesNotMatch(output, /aws:ec2:LaunchTemplate|aws:s3:Bucket/, "stopped before any resource was declared");
    });
});
