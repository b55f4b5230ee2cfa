/**
 * The checks that need an AWS lookup, run before any resource is declared
 * (program.ts, checkBeforeDeclaring): what the Automation API runs first.
 * Inside the resource graph, a failing check leaves resources unregistered
 * and the SDK's inline runtime waits forever (shown with the real CLI in
 * tests/engine/firstPreview.test.ts); here every problem is reported at once
 * and nothing is declared. Under Pulumi's mocks, with the offline plan's mock cloud.
 */
import * as assert from "assert";
import { inspect } from "util";
import { ConfigError } from "../config/errors";
import { MockCloud } from "../plan/mocks";
import { waitForRegistrations as settled } from "../plan/run";
import { openviduProgramAfterLookups, rethrowWithoutStack } from "../program";
import { startProgramMocks, VALID_CONFIG } from "./harness";

const ZONE = "Z0123456789ABCDEFGHIJ";

/** A stack config with every looked-up input set: given subnets, an adopted bucket, a hosted zone, AMIs by name. */
const LOOKED_UP = {
    vpcId: "vpc-0a1b2c3d",
    subnetIds: JSON.stringify(["subnet-0aaaaaaa", "subnet-0bbbbbbb"]),
    bucketName: "openvidu-cf-bucket",
    hostedZoneId: ZONE,
    masterAmiId: "openvidu-enterprise-master-2.31.0",
    mediaAmiId: "ami-0fedcba9876543210",
    amiOwnerId: "210987654321",
};

/** A cloud where every lookup answers well. */
const GOOD_CLOUD: Partial<MockCloud> = {
    subnetZones: { "subnet-0aaaaaaa": "eu-west-1a", "subnet-0bbbbbbb": "eu-west-1b" },
    bucketRegions: { "openvidu-cf-bucket": "eu-west-1" },
    dnsRecords: { [ZONE]: [] },
    images: [{ id: "ami-0aaaaaaaaaaaaaaa1", name: LOOKED_UP.masterAmiId, ownerId: LOOKED_UP.amiOwnerId, region: "eu-west-1" }],
};

function session(cloud: Partial<MockCloud>, extra: Record<string, string> = {}) {
    return startProgramMocks({ ...VALID_CONFIG, ...LOOKED_UP, ...extra }, { cloud });
}

describe("the checks that need AWS lookups, before anything is declared", function () {
    this.timeout(60_000);

    it("reports every looked-up problem at once, each naming its key, and declares nothing", async () => {
        const mocks = await session({
            subnetZones: { "subnet-0aaaaaaa": "eu-west-1a", "subnet-0bbbbbbb": "eu-west-1a" },
            bucketRegions: { "openvidu-cf-bucket": "us-east-1" },
            dnsRecords: { [ZONE]: [{ name: "openvidu.example.com.", type: "CNAME", values: ["old-alb-1.eu-west-1.elb.amazonaws.com"] }] },
            images: [],
        });
        await assert.rejects(openviduProgramAfterLookups(), (error: unknown) => {
            assert.ok(error instanceof ConfigError, String(error));
            assert.deepStrictEqual(error.problems.map((p) => p.key).sort(), [
                "openvidu:bucketName", "openvidu:masterAmiId", "openvidu:overwriteDnsRecord", "openvidu:subnetIds",
            ]);
            assert.match(error.message, /bucket openvidu-cf-bucket is in us-east-1; it must be in the stack's region eu-west-1/);
            assert.match(error.message, /the subnets are all in eu-west-1a/);
            assert.match(error.message, /a CNAME record for openvidu\.example\.com already exists in hosted zone Z0123456789ABCDEFGHIJ/);
            return true;
        });
        await settled();
        assert.deepStrictEqual(mocks.resources, [], "nothing declared");
    });

    it("lets the CNAME be taken over when openvidu:overwriteDnsRecord is set", async () => {
        const cname = { [ZONE]: [{ name: "openvidu.example.com.", type: "CNAME", values: ["old-alb-1.eu-west-1.elb.amazonaws.com"] }] };
        const mocks = await session({ ...GOOD_CLOUD, dnsRecords: cname }, { overwriteDnsRecord: "true" });
        await openviduProgramAfterLookups();
        await settled();
        assert.ok(mocks.resources.some((r) => r.type === "aws:route53/record:Record"), "the record is declared");
    });

    it("ends with the provider's own error when a lookup fails for another reason (a subnet that does not exist)", async () => {
        const mocks = await session({ ...GOOD_CLOUD, subnetZones: { "subnet-0aaaaaaa": "eu-west-1a" } });
        await assert.rejects(openviduProgramAfterLookups(), /subnet subnet-0bbbbbbb does not exist/);
        await settled();
        assert.deepStrictEqual(mocks.resources, [], "nothing declared");
    });

    it("runs the whole program when every lookup answers well", async () => {
        const mocks = await session(GOOD_CLOUD);
        await openviduProgramAfterLookups();
        await settled();
        assert.ok(mocks.resources.length > 50, `the whole cluster: ${mocks.resources.length} resources`);
        const lookedUp = new Set(mocks.calls.map((c) => c.token));
        for (const token of ["aws:ec2/getSubnet:getSubnet", "aws:s3/getBucket:getBucket", "aws:route53/getRecords:getRecords", "aws:ec2/getAmi:getAmi"]) {
            assert.ok(lookedUp.has(token), `${token} was called`);
        }
    });
});

describe("a config error leaving index.ts", function () {
    this.timeout(60_000);
    // A frame of the SDK as source maps name it under `pulumi preview` (seen in cmd/run's uncaught-error handler).
    const SDK_FRAME = "    at async Stack.initializeAndRegisterOutputs (/project/node_modules/@pulumi/resource.ts:1598:22)";

    it("leaves with its stack cut to its message, so cmd/run's coloured inspect of it is instant", () => {
        const error = new ConfigError([{ key: "openvidu:mediaServer", message: "must be one of mediasoup, kurento (got \"janus\")" }]);
        error.stack = `${error.stack}\n${SDK_FRAME}`;
        assert.throws(() => rethrowWithoutStack(error), (thrown: unknown) => {
            assert.strictEqual(thrown, error, "the same error, its problems kept");
            assert.strictEqual(error.stack, `ConfigError: ${error.message}`);
            const started = Date.now();
            // With the SDK frame, Node 20 loops here for 15-20 s and ends in a RangeError.
            assert.match(inspect(thrown, { colors: true }), /openvidu:mediaServer/);
            assert.ok(Date.now() - started < 1000, `inspect took ${Date.now() - started} ms`);
            return true;
        });
    });

    it("keeps the stack of any other error (a bug, a provider's failure)", () => {
        const error = new Error("the provider failed");
        const stack = error.stack;
        assert.throws(() => rethrowWithoutStack(error), (thrown: unknown) => thrown === error && error.stack === stack);
    });
});
