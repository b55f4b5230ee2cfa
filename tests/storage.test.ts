/**
 * The bucket (created and retained, or adopted and untouched) and the
 * generated secrets.
 */
import * as pulumi from "@pulumi/pulumi";
import * as assert from "assert";
import { BUCKET_LIFECYCLE, ENV_OBJECT_KEY, envAccessStatement } from "../components/storage";
import { GeneratedSecrets } from "../components/secrets";
import { ConfigError } from "../config/errors";
import * as rules from "../config/rules";
import { MockRun } from "../plan/run";
import { all, failProgram, inputsOf, isSecret, one, runProgram, VALID_CONFIG } from "./harness";

const BUCKET_GUARDS = [
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
];

const ACCOUNT = "123456789012";
const MASTER_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/openvidu-master-role`;

function bucketPolicy(run: MockRun): { Statement: Array<Record<string, any>> } {
    return JSON.parse(inputsOf(one(run, "aws:s3/bucketPolicy:BucketPolicy")).policy);
}

function envStatement(run: MockRun): Record<string, any> {
    const found = bucketPolicy(run).Statement.find((s) => s.Sid === "EnvOnlyMastersAndDeployer");
    assert.ok(found, "the bucket policy restricts the .env");
    return found;
}

function lifecycleRules(run: MockRun): Array<Record<string, any>> {
    return inputsOf(one(run, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")).rules;
}

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
        const policy = bucketPolicy(run);
        const bucket = inputsOf(one(run, "aws:s3/bucket:Bucket"));
        assert.deepStrictEqual(policy.Statement.filter((st: any) => st.Sid === "DenyInsecureTransport"), [{
            Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*",
            Resource: [`arn:aws:s3:::${bucket.bucketPrefix}0123456789`, `arn:aws:s3:::${bucket.bucketPrefix}0123456789/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
        }]);
    });

    it("exports the bucket's name", () => {
        assert.strictEqual(run.outputs.bucketName, "acme-video-0123456789");
    });

    it("denies every S3 action on the .env to all but the masters' role and the deployer (tests/envAccess.test.ts evaluates it)", () => {
        const envFile = inputsOf(one(run, "pulumi-nodejs:dynamic/openvidu:EnvFile", "openvidu-env"));
        assert.strictEqual(envFile.key, ENV_OBJECT_KEY, "the policy guards the object the .env provider writes");
        const master = one(run, "aws:iam/role:Role", "master-role");
        assert.strictEqual(MASTER_ROLE_ARN, `arn:aws:iam::${ACCOUNT}:role/${master.name}`);
        assert.deepStrictEqual(envStatement(run), {
            Sid: "EnvOnlyMastersAndDeployer", Effect: "Deny", Principal: "*", Action: "s3:*",
            Resource: `arn:aws:s3:::acme-video-0123456789/${ENV_OBJECT_KEY}`,
            // The mock caller is a CI session of the deploy role: the role's ARN, not the session's.
            Condition: { ArnNotEquals: { "aws:PrincipalArn": [MASTER_ROLE_ARN, `arn:aws:iam::${ACCOUNT}:role/openvidu-deploy`] } },
        });
    });

    it("writes the .env only after the bucket policy, so a changed deployer is allowed before it writes", () => {
        const envFile = one(run, "pulumi-nodejs:dynamic/openvidu:EnvFile", "openvidu-env");
        assert.ok(envFile.options.dependsOn?.includes("openvidu-storage-tls-only"), String(envFile.options.dependsOn));
    });

    it("expires noncurrent versions after 30 days, aborts unfinished uploads after 7, leaves recordings in STANDARD", () => {
        assert.deepStrictEqual(lifecycleRules(run), [{
            id: "expire-noncurrent-versions",
            status: "Enabled",
            filter: { prefix: "" },
            noncurrentVersionExpiration: { noncurrentDays: 30 },
            abortIncompleteMultipartUpload: { daysAfterInitiation: BUCKET_LIFECYCLE.abortIncompleteMultipartUploadDays },
            expiration: { expiredObjectDeleteMarker: true },
        }]);
        assert.strictEqual(BUCKET_LIFECYCLE.abortIncompleteMultipartUploadDays, 7);
        const lifecycle = inputsOf(one(run, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"));
        assert.strictEqual(lifecycle.bucket, "acme-video-0123456789");
    });
});

describe("storage: configured lifecycle and deployer", () => {
    it("takes the noncurrent-version days and moves recordings/ to the configured class after N days", async () => {
        const run = await runProgram({
            ...VALID_CONFIG, noncurrentVersionExpirationDays: "90", recordingsStorageClass: "GLACIER_IR", recordingsTransitionDays: "0",
        });
        const [all, recordings] = lifecycleRules(run);
        assert.deepStrictEqual(all.noncurrentVersionExpiration, { noncurrentDays: 90 });
        assert.deepStrictEqual(recordings, {
            id: "recordings-storage-class", status: "Enabled", filter: { prefix: "recordings/" },
            transitions: [{ days: 0, storageClass: "GLACIER_IR" }],
        });
    });

    it("rejects lifecycle values S3 would refuse, naming each key, before anything is created", async () => {
        const { error, resources } = await failProgram({
            ...VALID_CONFIG, noncurrentVersionExpirationDays: "0", recordingsStorageClass: "GLACIER", recordingsTransitionDays: "-1",
        });
        assert.ok(error instanceof ConfigError, String(error));
        assert.deepStrictEqual(resources.filter((r) => r.custom), []);
        const keys = error.problems.map((p) => p.key).sort();
        assert.deepStrictEqual(keys, ["openvidu:noncurrentVersionExpirationDays", "openvidu:recordingsStorageClass", "openvidu:recordingsTransitionDays"]);
        assert.match(error.message, /recordingsStorageClass.*one of STANDARD, STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, GLACIER_IR/);
    });

    it("requires 30 days before STANDARD_IA, as S3 does", async () => {
        const { error } = await failProgram({ ...VALID_CONFIG, recordingsStorageClass: "STANDARD_IA", recordingsTransitionDays: "7" });
        assert.ok(error instanceof ConfigError, String(error));
        assert.strictEqual(error.problems[0].key, "openvidu:recordingsTransitionDays");
        assert.match(error.problems[0].message, /at least 30 for STANDARD_IA/);
    });

    it("uses the configured deployer instead of the caller", async () => {
        const deployer = "arn:aws:iam::123456789012:role/ci/openvidu-deploy";
        const run = await runProgram({ ...VALID_CONFIG, deployerRoleArn: deployer }, { cloud: { callerArn: "arn:aws:sts::123456789012:assumed-role/nobody/x", rolePaths: {} } });
        assert.deepStrictEqual(envStatement(run).Condition.ArnNotEquals["aws:PrincipalArn"], [MASTER_ROLE_ARN, deployer]);
    });

    it("resolves an assumed-role caller to its role's ARN with the role's path (IAM Identity Center)", async () => {
        const run = await runProgram({ ...VALID_CONFIG }, {
            cloud: {
                callerArn: "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_0123abcd/jane@example.com",
                rolePaths: { AWSReservedSSO_Admin_0123abcd: "/aws-reserved/sso.amazonaws.com/eu-west-1/" },
            },
        });
        assert.deepStrictEqual(envStatement(run).Condition.ArnNotEquals["aws:PrincipalArn"], [
            MASTER_ROLE_ARN, "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0123abcd",
        ]);
    });

    it("keeps an IAM user caller as it is", async () => {
        const run = await runProgram({ ...VALID_CONFIG }, { cloud: { callerArn: "arn:aws:iam::123456789012:user/ops" } });
        assert.deepStrictEqual(envStatement(run).Condition.ArnNotEquals["aws:PrincipalArn"], [MASTER_ROLE_ARN, "arn:aws:iam::123456789012:user/ops"]);
    });

    it("accepts a role (any path), a user or the root user as deployer, nothing else", () => {
        for (const arn of ["arn:aws:iam::123456789012:role/openvidu-deploy", "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0123",
            "arn:aws:iam::123456789012:user/ops", "arn:aws:iam::123456789012:root", "arn:aws-cn:iam::123456789012:role/deploy"]) {
            assert.strictEqual(rules.principalArn(arn), undefined, arn);
        }
        for (const arn of ["openvidu-deploy", "arn:aws:iam::123456789012:role/*", "arn:aws:iam::12345:role/x", "arn:aws:s3:::bucket", "arn:aws:iam::123456789012:group/ops"]) {
            assert.ok(rules.principalArn(arn), arn);
        }
    });

    it("rejects a session ARN as deployer, saying which role ARN to give", async () => {
        const { error } = await failProgram({ ...VALID_CONFIG, deployerRoleArn: "arn:aws:sts::123456789012:assumed-role/deploy/ci" });
        assert.ok(error instanceof ConfigError, String(error));
        assert.strictEqual(error.problems[0].key, "openvidu:deployerRoleArn");
        assert.match(error.problems[0].message, /STS session ARN; give the role's ARN.*role\/<path>deploy/);
    });
});

describe("storage: the .env's deny statement", () => {
    it("is never written without a principal it spares: that would lock the masters and the deployer out of the .env", () => {
        assert.throws(() => envAccessStatement("arn:aws:s3:::dev-0123456789", []), /the \.env needs at least one principal that may read it/);
        const arn = `arn:aws:iam::${ACCOUNT}:role/openvidu-deploy`;
        assert.deepStrictEqual(envAccessStatement("arn:aws:s3:::dev-0123456789", [arn, arn]).Condition, { ArnNotEquals: { "aws:PrincipalArn": [arn] } });
    });
});

describe("storage: .env readers (openvidu:envReaderArns)", () => {
    const BUCKET_ARN = "arn:aws:s3:::dev-0123456789";
    const DEPLOY_ROLE = `arn:aws:iam::${ACCOUNT}:role/openvidu-deploy`;
    const PREVIEW_ROLE = `arn:aws:iam::${ACCOUNT}:role/ci/openvidu-preview`;
    const AUDITOR = `arn:aws:iam::${ACCOUNT}:user/auditor`;
    /** The created bucket's policy as this program wrote it before readers existed, byte for byte. */
    const POLICY_WITHOUT_READERS = JSON.stringify({
        Version: "2012-10-17",
        Statement: [{
            Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*",
            Resource: [BUCKET_ARN, `${BUCKET_ARN}/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
        }, {
            Sid: "EnvOnlyMastersAndDeployer", Effect: "Deny", Principal: "*", Action: "s3:*",
            Resource: `${BUCKET_ARN}/.env`,
            Condition: { ArnNotEquals: { "aws:PrincipalArn": [MASTER_ROLE_ARN, DEPLOY_ROLE] } },
        }],
    });
    const policyText = (run: MockRun): string => inputsOf(one(run, "aws:s3/bucketPolicy:BucketPolicy")).policy;

    it("no readers (unset or an empty list): exactly the policy without readers, so existing stacks see no diff", async () => {
        assert.strictEqual(policyText(await runProgram({ ...VALID_CONFIG })), POLICY_WITHOUT_READERS);
        assert.strictEqual(policyText(await runProgram({ ...VALID_CONFIG, envReaderArns: "[]" })), POLICY_WITHOUT_READERS);
    });

    it("exempts the readers from the .env's deny-all and denies them all but reading it", async () => {
        const run = await runProgram({ ...VALID_CONFIG, envReaderArns: JSON.stringify([PREVIEW_ROLE, AUDITOR]) });
        const statements = bucketPolicy(run).Statement;
        assert.deepStrictEqual(statements.map((st) => st.Sid), ["DenyInsecureTransport", "EnvOnlyMastersAndDeployer", "EnvReadersReadOnly"]);
        assert.deepStrictEqual(envStatement(run).Condition.ArnNotEquals["aws:PrincipalArn"], [MASTER_ROLE_ARN, DEPLOY_ROLE, PREVIEW_ROLE, AUDITOR]);
        assert.deepStrictEqual(statements[2], {
            Sid: "EnvReadersReadOnly", Effect: "Deny", Principal: "*",
            NotAction: ["s3:GetObject", "s3:GetObjectVersion"],
            Resource: `${BUCKET_ARN}/.env`,
            Condition: { ArnEquals: { "aws:PrincipalArn": [PREVIEW_ROLE, AUDITOR] } },
        });
    });

    it("keeps a reader that is also the deployer (resolved from the caller) or the masters' role a writer", async () => {
        const run = await runProgram({ ...VALID_CONFIG, envReaderArns: JSON.stringify([DEPLOY_ROLE, PREVIEW_ROLE, MASTER_ROLE_ARN, PREVIEW_ROLE]) });
        assert.deepStrictEqual(envStatement(run).Condition.ArnNotEquals["aws:PrincipalArn"], [MASTER_ROLE_ARN, DEPLOY_ROLE, PREVIEW_ROLE]);
        const readOnly = bucketPolicy(run).Statement.find((st) => st.Sid === "EnvReadersReadOnly");
        assert.deepStrictEqual(readOnly?.Condition.ArnEquals["aws:PrincipalArn"], [PREVIEW_ROLE]);
    });

    it("readers that are all writers add no statement: the policy stays the one without readers", async () => {
        const run = await runProgram({ ...VALID_CONFIG, envReaderArns: JSON.stringify([DEPLOY_ROLE]) });
        assert.strictEqual(policyText(run), POLICY_WITHOUT_READERS);
    });

    it("an adopted bucket gets no policy; the warning gives both statements to add by hand", async () => {
        const warnings: string[] = [];
        const warn = pulumi.log.warn;
        (pulumi.log as { warn: typeof warn }).warn = async (message: string) => { warnings.push(message); };
        let run: MockRun;
        try {
            run = await runProgram({ ...VALID_CONFIG, bucketName: "acme-recordings", envReaderArns: JSON.stringify([PREVIEW_ROLE]) },
                { cloud: { bucketRegions: { "acme-recordings": "eu-west-1" } } });
        } finally {
            (pulumi.log as { warn: typeof warn }).warn = warn;
        }
        assert.deepStrictEqual(all(run, "aws:s3/bucketPolicy:BucketPolicy"), []);
        const advice = warnings.filter((w) => w.includes("adopted bucket"));
        assert.strictEqual(advice.length, 1, warnings.join("\n"));
        assert.match(advice[0], /these statements/);
        const [exempting, readOnly] = advice[0].slice(advice[0].indexOf("{")).split(" {").map((text, i) => JSON.parse(i === 0 ? text : `{${text}`));
        assert.deepStrictEqual(exempting.Condition.ArnNotEquals["aws:PrincipalArn"], [MASTER_ROLE_ARN, DEPLOY_ROLE, PREVIEW_ROLE]);
        assert.deepStrictEqual([readOnly.Sid, readOnly.Resource, readOnly.Condition.ArnEquals["aws:PrincipalArn"]],
            ["EnvReadersReadOnly", "arn:aws:s3:::acme-recordings/.env", [PREVIEW_ROLE]]);
    });
});

describe("storage: an adopted bucket", () => {
    it("is looked up, never created or modified: no policy, no lifecycle (S3 keeps one of each per bucket, the owner's)", async () => {
        const run = await runProgram({ ...VALID_CONFIG, bucketName: "acme-recordings" }, { cloud: { bucketRegions: { "acme-recordings": "eu-west-1" } } });
        assert.deepStrictEqual(run.resources.filter((r) => r.type.startsWith("aws:s3/")).map((r) => r.type), []);
        assert.strictEqual(run.outputs.bucketName, "acme-recordings");
        const policy = JSON.parse(inputsOf(one(run, "aws:iam/rolePolicy:RolePolicy", "master-policy")).policy);
        assert.strictEqual(policy.Statement[1].Resource, "arn:aws:s3:::acme-recordings");
    });

    it("warns that its .env is not protected here, with the exact statement to add to its policy", async () => {
        const warnings: string[] = [];
        const warn = pulumi.log.warn;
        (pulumi.log as { warn: typeof warn }).warn = async (message: string) => { warnings.push(message); };
        try {
            await runProgram({ ...VALID_CONFIG, bucketName: "acme-recordings" }, { cloud: { bucketRegions: { "acme-recordings": "eu-west-1" } } });
        } finally {
            (pulumi.log as { warn: typeof warn }).warn = warn;
        }
        const advice = warnings.filter((w) => w.includes("adopted bucket"));
        assert.strictEqual(advice.length, 1, warnings.join("\n"));
        const statement = JSON.parse(advice[0].slice(advice[0].indexOf("{")));
        assert.deepStrictEqual(statement, {
            Sid: "EnvOnlyMastersAndDeployer", Effect: "Deny", Principal: "*", Action: "s3:*",
            Resource: "arn:aws:s3:::acme-recordings/.env",
            Condition: { ArnNotEquals: { "aws:PrincipalArn": [MASTER_ROLE_ARN, `arn:aws:iam::${ACCOUNT}:role/openvidu-deploy`] } },
        });
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
                // A configured secret handed in unmarked still goes out as a secret.
                const configured = new GeneratedSecrets("configured", { openviduSecret: pulumi.output("Configured_Secret-1") });
                return { openvidu: secrets.openviduSecret, coturn: secrets.coturnSharedSecret, configured: configured.openviduSecret };
            },
        });
        assert.ok(isSecret(run.outputs.openvidu), "the OpenVidu secret");
        assert.ok(isSecret(run.outputs.coturn), "coturn's shared secret");
        assert.ok(isSecret(run.outputs.configured), "the configured OpenVidu secret");
        assert.strictEqual(run.outputs.configured.value, "Configured_Secret-1");
    });

    it("generates coturn's shared secret as 16 random bytes (32 hex characters), once, from a source whose output is secret in state", async () => {
        const run = await runProgram({ ...VALID_CONFIG });
        const bytes = one(run, "random:index/randomBytes:RandomBytes");
        assert.strictEqual(inputsOf(bytes).length, 16);
        assert.strictEqual(inputsOf(bytes).keepers, undefined);
        // RandomId would keep hex/b64/dec/id in plain text in the state file; RandomBytes marks hex secret.
        assert.ok(bytes.options.additionalSecretOutputs?.includes("hex"), "hex is stored as a secret");
        assert.deepStrictEqual(all(run, "random:index/randomId:RandomId"), []);
    });
});
