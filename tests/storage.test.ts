/**
 * The bucket (created and retained, or adopted and untouched) and the
 * generated secrets.
 */
import * as assert from "assert";
import { GeneratedSecrets } from "../components/secrets";
import { ConfigError } from "../config/errors";
import { MockRun } from "../plan/run";
import { all, failProgram, inputsOf, isSecret, one, runProgram, VALID_CONFIG } from "./harness";

const BUCKET_GUARDS = [
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketPolicy:BucketPolicy",
];

describe("storage: a created bucket", () => {
    let run: MockRun;
    before(async () => { run = await runProgram({ ...VALID_CONFIG, clusterId: "acme_video" }); });

    it("is named <clusterId>-<unique suffix>", () => {
        const bucket = inputsOf(one(run, "aws:s3/bucket:Bucket"));
        assert.strictEqual(bucket.bucketPrefix, "acme-video-");
        assert.strictEqual(bucket.bucket, undefined, "S3 adds the unique suffix");
    });

    it("cannot be removed by pulumi destroy or a replacement: the bucket and its guards are retainOnDelete", () => {
        for (const resource of [one(run, "aws:s3/bucket:Bucket"), ...BUCKET_GUARDS.map((type) => one(run, type))]) {
            assert.strictEqual(resource.options.retainOnDelete, true, `${resource.type} is retained`);
        }
        assert.notStrictEqual(inputsOf(one(run, "aws:s3/bucket:Bucket")).forceDestroy, true, "never emptied on delete");
    });

    it("blocks all four kinds of public access", () => {
        const block = inputsOf(one(run, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"));
        assert.deepStrictEqual(
            [block.blockPublicAcls, block.blockPublicPolicy, block.ignorePublicAcls, block.restrictPublicBuckets],
            [true, true, true, true],
        );
    });

    it("encrypts at rest, versions objects and enforces bucket-owner ownership", () => {
        const sse = inputsOf(one(run, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"));
        assert.strictEqual(sse.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm, "AES256");
        assert.strictEqual(inputsOf(one(run, "aws:s3/bucketVersioning:BucketVersioning")).versioningConfiguration.status, "Enabled");
        assert.strictEqual(inputsOf(one(run, "aws:s3/bucketOwnershipControls:BucketOwnershipControls")).rule.objectOwnership, "BucketOwnerEnforced");
    });

    it("denies every request without TLS, on the bucket and its objects", () => {
        const policy = JSON.parse(inputsOf(one(run, "aws:s3/bucketPolicy:BucketPolicy")).policy);
        const bucket = inputsOf(one(run, "aws:s3/bucket:Bucket"));
        assert.deepStrictEqual(policy.Statement, [{
            Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*",
            Resource: [`arn:aws:s3:::${bucket.bucketPrefix}0123456789`, `arn:aws:s3:::${bucket.bucketPrefix}0123456789/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
        }]);
    });

    it("exports the bucket's name", () => {
        assert.strictEqual(run.outputs.bucketName, "acme-video-0123456789");
    });
});

describe("storage: an adopted bucket", () => {
    it("is looked up, never created or modified", async () => {
        const run = await runProgram({ ...VALID_CONFIG, bucketName: "acme-recordings" }, { cloud: { bucketRegions: { "acme-recordings": "eu-west-1" } } });
        assert.deepStrictEqual(run.resources.filter((r) => r.type.startsWith("aws:s3/")).map((r) => r.type), []);
        assert.strictEqual(run.outputs.bucketName, "acme-recordings");
        const policy = JSON.parse(inputsOf(one(run, "aws:iam/rolePolicy:RolePolicy", "master-policy")).policy);
        assert.strictEqual(policy.Statement[1].Resource, "arn:aws:s3:::acme-recordings");
    });

    it("must be in the stack's region, else openvidu:bucketName is named", async () => {
        const { error } = await failProgram(
            { ...VALID_CONFIG, bucketName: "acme-recordings" },
            { cloud: { bucketRegions: { "acme-recordings": "us-east-1" } } },
        );
        assert.ok(error instanceof ConfigError, String(error));
        assert.strictEqual(error.problems[0].key, "openvidu:bucketName");
        assert.match(error.message, /us-east-1.*eu-west-1/);
    });
});

describe("generated secrets", () => {
    it("generates the OpenVidu secret once, from [A-Za-z0-9_-] only, when none is configured", async () => {
        const run = await runProgram({ ...VALID_CONFIG });
        const password = inputsOf(one(run, "random:index/randomPassword:RandomPassword"));
        assert.strictEqual(password.special, true);
        assert.strictEqual(password.overrideSpecial, "_-");
        assert.ok(password.length >= 32);
        assert.strictEqual(password.keepers, undefined, "nothing regenerates it");
        assert.ok(isSecret(run.outputs.openviduSecret), "exported only as a secret");
    });

    it("uses the configured OpenVidu secret and generates none", async () => {
        const run = await runProgram({ ...VALID_CONFIG, openviduSecret: "Configured_Secret-1" });
        assert.deepStrictEqual(all(run, "random:index/randomPassword:RandomPassword"), []);
        const output = run.outputs.openviduSecret;
        assert.ok(isSecret(output));
        assert.strictEqual(output.value, "Configured_Secret-1");
    });

    it("hands out both generated secrets as Pulumi secrets", async () => {
        const run = await runProgram({ ...VALID_CONFIG }, {
            program: () => {
                const secrets = new GeneratedSecrets("secrets", {});
                return { openvidu: secrets.openviduSecret, coturn: secrets.coturnSharedSecret };
            },
        });
        assert.ok(isSecret(run.outputs.openvidu), "the OpenVidu secret");
        assert.ok(isSecret(run.outputs.coturn), "coturn's shared secret");
    });

    it("generates coturn's shared secret as 16 random bytes (32 hex characters), once", async () => {
        const run = await runProgram({ ...VALID_CONFIG });
        const id = inputsOf(one(run, "random:index/randomId:RandomId"));
        assert.strictEqual(id.byteLength, 16);
        assert.strictEqual(id.keepers, undefined);
    });
});
