/**
 * The first `pulumi preview` of a new stack, simulated under the mocks
 * (dry run; every value AWS computes is unknown, as the engine leaves it):
 * the program registers the whole cluster, waits on the right values, and
 * the checks that only need lookups still stop a bad configuration.
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../config/errors";
import { MockRun } from "../plan/run";
import { failProgram, inputsOf, one, runProgram, VALID_CONFIG } from "./harness";

const ZONE = "Z0123456789ABCDEFGHIJ";

describe("a first preview (computed values unknown)", () => {
    let preview: MockRun;
    let update: MockRun;
    before(async () => {
        const config = { ...VALID_CONFIG, certificateArn: undefined, hostedZoneId: ZONE };
        preview = await runProgram(config, { preview: true });
        update = await runProgram(config);
    });

    it("registers exactly the resources an update registers", () => {
        const list = (run: MockRun) => run.resources.map((r) => `${r.type} ${r.name}`).sort();
        assert.deepStrictEqual(list(preview), list(update));
        assert.ok(preview.resources.length > 50, `${preview.resources.length} resources`);
    });

    it("leaves AWS-computed values unknown: the bucket's name in the .env resource, the validated certificate in the listener", () => {
        const env = inputsOf(one(preview, "pulumi-nodejs:dynamic/openvidu:EnvFile"));
        assert.ok(pulumi.isUnknown(env.bucket), "unknown until S3 names the bucket");
        assert.strictEqual(inputsOf(one(update, "pulumi-nodejs:dynamic/openvidu:EnvFile")).bucket, "dev-0123456789");
        const https = preview.resources.filter((r) => r.type === "aws:lb/listener:Listener").map(inputsOf).find((l) => l.port === 443);
        assert.ok(https && pulumi.isUnknown(https.certificateArn), "unknown until the certificate is issued");
        assert.strictEqual(preview.outputs.bucketName, undefined);
    });

    it("still checks what lookups answer: an adopted bucket in another region fails the preview", async () => {
        const { error } = await failProgram(
            { ...VALID_CONFIG, bucketName: "acme-recordings" },
            { preview: true, cloud: { bucketRegions: { "acme-recordings": "us-east-1" } } },
        );
        assert.ok(error instanceof ConfigError, String(error));
        assert.strictEqual(error.problems[0].key, "openvidu:bucketName");
    });
});
