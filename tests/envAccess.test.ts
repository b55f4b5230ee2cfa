/**
 * Who can read the `.env`, decided by an IAM policy evaluator
 * (@cloud-copilot/iam-simulate) from the bucket policy the program registers
 * and the identity policies of each kind of principal: the masters' role (its
 * registered policy), the deployer, a reader with AWS's ReadOnlyAccess, an
 * administrator, the media nodes, anonymous callers; and, with
 * `openvidu:envReaderArns`, the listed readers (the preview role).
 *
 * Where the model stops: the evaluator does not derive request context, so
 * each request carries what AWS would put there (`aws:PrincipalArn` is the
 * role's ARN for a role session, `aws:SecureTransport`). S3 Block Public
 * Access, SCPs and KMS are not part of these requests.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { anonymousPrincipal, runSimulation, Simulation } from "@cloud-copilot/iam-simulate";
import { SESSION_MANAGER_STATEMENT } from "../components/instanceRole";
import { MockRun } from "../plan/run";
import { inputsOf, one, runProgram, VALID_CONFIG } from "./harness";

const ACCOUNT = "123456789012";
const BUCKET = "dev-0123456789";
const ENV = `arn:aws:s3:::${BUCKET}/.env`;
const RECORDING = `arn:aws:s3:::${BUCKET}/recordings/ses_abc/ses_abc.mp4`;

type Policy = { Version: string; Statement: Array<Record<string, unknown>> };

interface Principal {
    /** The session as it signs requests. */
    session: string;
    /** `aws:PrincipalArn`: the role's ARN for a role session. */
    principalArn: string;
    identity: Policy[];
}

function roleSession(roleName: string, session: string, identity: Policy[], path = "/", account = ACCOUNT): Principal {
    return {
        session: `arn:aws:sts::${account}:assumed-role/${roleName}/${session}`,
        principalArn: `arn:aws:iam::${account}:role${path}${roleName}`,
        identity,
    };
}

const allow = (Action: string | string[], Resource: string | string[] = "*"): Policy =>
    ({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action, Resource }] });

/** The S3 part of AWS's ReadOnlyAccess (what docs/pull-requests.md once suggested for previews). */
const READ_ONLY_S3 = allow(["s3:Get*", "s3:List*", "s3:Describe*"]);
const ADMINISTRATOR = allow("*");

type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

async function decide(bucketPolicy: Policy, who: Principal | "anonymous", action: string, resource: string, tls = true): Promise<Decision> {
    const simulation: Simulation = {
        identityPolicies: who === "anonymous" ? [] : who.identity.map((policy, i) => ({ name: `p${i}`, policy })),
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: bucketPolicy,
        request: {
            principal: who === "anonymous" ? anonymousPrincipal : who.session,
            action,
            resource: { resource, accountId: ACCOUNT },
            contextVariables: {
                "aws:SecureTransport": String(tls),
                ...(who === "anonymous" ? {} : { "aws:PrincipalArn": who.principalArn, "aws:PrincipalAccount": who.principalArn.split(":")[4] }),
            },
        },
    } as Simulation;
    const result = await runSimulation(simulation, {});
    if (result.resultType === "error") throw new Error(`simulation rejected: ${JSON.stringify(result.errors)}`);
    assert.strictEqual(result.resultType, "single");
    return result.overallResult as Decision;
}

describe(".env access, evaluated by an IAM policy simulator", function () {
    this.timeout(120000);
    let run: MockRun;
    let bucketPolicy: Policy;
    let masters: Principal;
    let deployer: Principal;

    before(async () => {
        run = await runProgram({ ...VALID_CONFIG });
        bucketPolicy = JSON.parse(inputsOf(one(run, "aws:s3/bucketPolicy:BucketPolicy")).policy);
        const masterPolicy = JSON.parse(inputsOf(one(run, "aws:iam/rolePolicy:RolePolicy", "master-policy")).policy);
        masters = roleSession(one(run, "aws:iam/role:Role", "master-role").name, "i-0123456789abcdef0", [masterPolicy]);
        // The mock caller: a CI session of the deploy role, with broad S3 rights of its own.
        deployer = roleSession("openvidu-deploy", "pulumi-up", [allow("s3:*")]);
    });

    it("lets the masters read and rewrite the .env, and keep recordings", async () => {
        assert.strictEqual(await decide(bucketPolicy, masters, "s3:GetObject", ENV), "Allowed");
        assert.strictEqual(await decide(bucketPolicy, masters, "s3:PutObject", ENV), "Allowed");
        assert.strictEqual(await decide(bucketPolicy, masters, "s3:PutObject", RECORDING), "Allowed");
    });

    it("lets the deployer (any session of its role) read, write and delete the .env", async () => {
        const otherSession = { ...deployer, session: deployer.session.replace("pulumi-up", "someone-else") };
        for (const action of ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]) {
            assert.strictEqual(await decide(bucketPolicy, deployer, action, ENV), "Allowed", action);
        }
        assert.strictEqual(await decide(bucketPolicy, otherSession, "s3:GetObject", ENV), "Allowed");
    });

    it("denies a ReadOnlyAccess reader the .env and every old version of it, but not the recordings", async () => {
        const reader = roleSession("openvidu-preview", "pr-42", [READ_ONLY_S3]);
        assert.strictEqual(await decide(bucketPolicy, reader, "s3:GetObject", ENV), "ExplicitlyDenied");
        assert.strictEqual(await decide(bucketPolicy, reader, "s3:GetObjectVersion", ENV), "ExplicitlyDenied");
        assert.strictEqual(await decide(bucketPolicy, reader, "s3:GetObject", RECORDING), "Allowed", "the deny is the .env's only");
    });

    it("denies an administrator the .env itself, yet leaves the bucket policy to them (the way back, docs/iam.md)", async () => {
        const admin = roleSession("Admin", "ops", [ADMINISTRATOR]);
        for (const action of ["s3:GetObject", "s3:PutObject", "s3:DeleteObjectVersion"]) {
            assert.strictEqual(await decide(bucketPolicy, admin, action, ENV), "ExplicitlyDenied", action);
        }
        for (const action of ["s3:PutBucketPolicy", "s3:DeleteBucketPolicy"]) {
            assert.strictEqual(await decide(bucketPolicy, admin, action, `arn:aws:s3:::${BUCKET}`), "Allowed", action);
        }
    });

    it("does not match a role of the same name in another path or another account", async () => {
        const samePathless = roleSession("openvidu-deploy", "x", [ADMINISTRATOR], "/other/");
        const otherAccount = roleSession("openvidu-deploy", "x", [ADMINISTRATOR], "/", "210987654321");
        assert.strictEqual(await decide(bucketPolicy, samePathless, "s3:GetObject", ENV), "ExplicitlyDenied");
        assert.strictEqual(await decide(bucketPolicy, otherAccount, "s3:GetObject", ENV), "ExplicitlyDenied");
    });

    it("gives the media nodes' role (Session Manager only) nothing in the bucket", async () => {
        const media = roleSession("openvidu-media-role", "i-0fedcba987654321f", [{ Version: "2012-10-17", Statement: [{ ...SESSION_MANAGER_STATEMENT }] }]);
        assert.strictEqual(await decide(bucketPolicy, media, "s3:GetObject", ENV), "ExplicitlyDenied");
        assert.strictEqual(await decide(bucketPolicy, media, "s3:GetObject", RECORDING), "ImplicitlyDenied");
    });

    it("denies anonymous requests, and the masters without TLS", async () => {
        assert.strictEqual(await decide(bucketPolicy, "anonymous", "s3:GetObject", ENV), "ExplicitlyDenied");
        assert.strictEqual(await decide(bucketPolicy, masters, "s3:GetObject", ENV, false), "ExplicitlyDenied");
    });

    it("the evaluator is real: without the program's .env statement the reader gets the .env", async () => {
        const withoutEnvStatement = { ...bucketPolicy, Statement: bucketPolicy.Statement.filter((s) => s.Sid !== "EnvOnlyMastersAndDeployer") };
        const reader = roleSession("openvidu-preview", "pr-42", [READ_ONLY_S3]);
        assert.strictEqual(await decide(withoutEnvStatement, reader, "s3:GetObject", ENV), "Allowed");
    });
});

describe(".env readers (openvidu:envReaderArns), evaluated by an IAM policy simulator", function () {
    this.timeout(120000);
    const PREVIEW_ROLE = `arn:aws:iam::${ACCOUNT}:role/openvidu-preview`;
    // The mock caller's role: the deployer, resolved from the caller at run time (an Output).
    const DEPLOY_ROLE = `arn:aws:iam::${ACCOUNT}:role/openvidu-deploy`;
    let bucketPolicy: Policy;
    let masters: Principal;
    let deployer: Principal;
    /** The preview role with broad S3 rights of its own: any refusal comes from the bucket policy. */
    let reader: Principal;

    before(async () => {
        const run = await runProgram({ ...VALID_CONFIG, envReaderArns: JSON.stringify([PREVIEW_ROLE, DEPLOY_ROLE]) });
        bucketPolicy = JSON.parse(inputsOf(one(run, "aws:s3/bucketPolicy:BucketPolicy")).policy);
        const masterPolicy = JSON.parse(inputsOf(one(run, "aws:iam/rolePolicy:RolePolicy", "master-policy")).policy);
        masters = roleSession(one(run, "aws:iam/role:Role", "master-role").name, "i-0123456789abcdef0", [masterPolicy]);
        deployer = roleSession("openvidu-deploy", "pulumi-up", [allow("s3:*")]);
        reader = roleSession("openvidu-preview", "drift", [allow("s3:*")]);
    });

    it("lets a reader read the .env, current and earlier versions", async () => {
        assert.strictEqual(await decide(bucketPolicy, reader, "s3:GetObject", ENV), "Allowed");
        assert.strictEqual(await decide(bucketPolicy, reader, "s3:GetObjectVersion", ENV), "Allowed");
    });

    it("denies a reader every write to the .env, whatever its own policies allow", async () => {
        for (const action of ["s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObjectAcl", "s3:PutObjectTagging",
            "s3:RestoreObject", "s3:PutObjectRetention", "s3:BypassGovernanceRetention"]) {
            assert.strictEqual(await decide(bucketPolicy, reader, action, ENV), "ExplicitlyDenied", action);
        }
    });

    it("lets the preview role's own policy (docs/iam/preview-role-policy.json) read the .env once listed", async () => {
        const previewPolicy = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "docs", "iam", "preview-role-policy.json"), "utf8"));
        const preview = roleSession("openvidu-preview", "pr-42", [previewPolicy]);
        assert.strictEqual(await decide(bucketPolicy, preview, "s3:GetObject", ENV), "Allowed");
        assert.strictEqual(await decide(bucketPolicy, preview, "s3:PutObject", ENV), "ExplicitlyDenied");
        assert.strictEqual(await decide(bucketPolicy, preview, "s3:GetObject", RECORDING), "ImplicitlyDenied", "not the recordings");
    });

    it("still denies a role that is not listed, even with ReadOnlyAccess", async () => {
        const other = roleSession("analyst", "x", [READ_ONLY_S3]);
        assert.strictEqual(await decide(bucketPolicy, other, "s3:GetObject", ENV), "ExplicitlyDenied");
        assert.strictEqual(await decide(bucketPolicy, other, "s3:GetObjectVersion", ENV), "ExplicitlyDenied");
    });

    it("leaves the deployer listed as a reader a writer, and the masters too", async () => {
        for (const action of ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]) {
            assert.strictEqual(await decide(bucketPolicy, deployer, action, ENV), "Allowed", action);
        }
        assert.strictEqual(await decide(bucketPolicy, masters, "s3:PutObject", ENV), "Allowed");
    });

    it("changes nothing for the recordings", async () => {
        assert.strictEqual(await decide(bucketPolicy, reader, "s3:PutObject", RECORDING), "Allowed", "the read-only deny is the .env's only");
        assert.strictEqual(await decide(bucketPolicy, roleSession("analyst", "x", [READ_ONLY_S3]), "s3:GetObject", RECORDING), "Allowed");
        assert.strictEqual(await decide(bucketPolicy, masters, "s3:PutObject", RECORDING), "Allowed");
    });

    it("the evaluator is real: without the read-only statement a reader could rewrite the .env", async () => {
        const withoutReadOnly = { ...bucketPolicy, Statement: bucketPolicy.Statement.filter((s) => s.Sid !== "EnvReadersReadOnly") };
        assert.strictEqual(withoutReadOnly.Statement.length, bucketPolicy.Statement.length - 1, "the statement exists");
        assert.strictEqual(await decide(withoutReadOnly, reader, "s3:PutObject", ENV), "Allowed");
    });
});
