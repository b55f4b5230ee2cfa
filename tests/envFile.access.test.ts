/**
 * How the `.env` provider reaches S3: as the stack's AWS provider does
 * (`aws:profile`, `aws:assumeRoles`, `aws:accessKey`/`aws:secretKey`), a
 * bucket in another region (S3's redirect), and the bucket's own default
 * encryption. Against s3rver, with the credentials in the environment made
 * wrong on purpose, so only the configured way in can succeed.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { s3AccessFrom } from "../components/envFile/access";
import { EnvFileInputs, EnvFileOutputs, envFileProvider } from "../components/envFile/provider";
import { stackConfig } from "../components/envFile/s3";
import { runUnderMocks } from "../plan/run";
import { inputsOf, one, VALID_CONFIG } from "./harness";
import { fakeSts, regionRedirect } from "./support/awsDoubles";
import { envFileInputs as inputs } from "./support/envFileInputs";
import { interpose } from "./support/interpose";
import { pointEnvironmentAt, readText, s3rverForSuite } from "./support/s3rver";

const BUCKET = "access-bucket";

describe(".env provider: S3 access as the AWS provider has it", function () {
    this.timeout(30000);
    const s3 = s3rverForSuite([BUCKET]);

    /** Runs `action` with wrong credentials in the environment (the SDK's default chain fails). */
    async function withWrongEnvironmentCredentials<T>(action: () => Promise<T>, endpoint = s3().endpoint): Promise<T> {
        const back = pointEnvironmentAt(endpoint, "NOT-A-KEY", "wrong-secret");
        try {
            return await action();
        } finally {
            back();
        }
    }

    it("the wrong environment credentials really are refused (the witness)", async () => {
        await withWrongEnvironmentCredentials(() => assert.rejects(envFileProvider.create!(inputs({}, BUCKET)), /access denied|HTTP 403/));
    });

    it("aws:profile: the profile's credentials are used, not the environment's", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aws-profile-"));
        const file = path.join(dir, "credentials");
        fs.writeFileSync(file, "[deployer]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\n");
        try {
            const access = { profile: "deployer", sharedCredentialsFile: file };
            const outs = await withWrongEnvironmentCredentials(async () => (await envFileProvider.create!(inputs({ access }, BUCKET))).outs as EnvFileOutputs);
            assert.match((await readText(BUCKET))!, /^DOMAIN_OR_PUBLIC_IP=ov\.example\.com$/m);
            assert.deepStrictEqual(outs.access, access, "kept in state for read and delete: names and paths only");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("aws:assumeRoles: the role is assumed through STS (ARN, session name, external id) and its credentials are used", async () => {
        const sts = await fakeSts({ accessKeyId: "S3RVER", secretAccessKey: "S3RVER" });
        const saved = process.env.AWS_ENDPOINT_URL_STS;
        process.env.AWS_ENDPOINT_URL_STS = sts.endpoint;
        try {
            const role = { roleArn: "arn:aws:iam::123456789012:role/deployer", sessionName: "openvidu-up", externalId: "ext-42", durationSeconds: 900 };
            await withWrongEnvironmentCredentials(() => envFileProvider.create!(inputs({ access: { assumeRoles: [role] } }, BUCKET)));
            assert.ok(sts.calls.length >= 1, "STS was asked");
            assert.deepStrictEqual(
                [sts.calls[0].Action, sts.calls[0].RoleArn, sts.calls[0].RoleSessionName, sts.calls[0].ExternalId, sts.calls[0].DurationSeconds],
                ["AssumeRole", role.roleArn, "openvidu-up", "ext-42", "900"],
            );
        } finally {
            if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_STS;
            else process.env.AWS_ENDPOINT_URL_STS = saved;
            await sts.close();
        }
    });

    it("aws:accessKey/aws:secretKey in the stack config: used at run time as the engine hands them over, never kept in state", async () => {
        await envFileProvider.configure!({ config: { get: (key) => ({ "aws:accessKey": "S3RVER", "aws:secretKey": "S3RVER" })[key], require: () => "" } });
        try {
            const outs = await withWrongEnvironmentCredentials(async () => (await envFileProvider.create!(inputs({}, BUCKET))).outs as EnvFileOutputs);
            assert.ok(!JSON.stringify(outs).includes("S3RVER"), "no credential in the outputs");
        } finally {
            stackConfig.get = undefined;
        }
    });

    it("a bucket in another region: S3's redirect is followed", async () => {
        const redirecting = await regionRedirect(s3().endpoint, "eu-west-1");
        const back = pointEnvironmentAt(redirecting.endpoint, "S3RVER", "S3RVER");
        try {
            // The stack thinks the bucket is in us-east-1; S3 says eu-west-1.
            await envFileProvider.create!(inputs({ region: "us-east-1", settings: { ...inputs().settings, OPENVIDU_CDR: "redirected" } }, BUCKET));
        } finally {
            back();
            await redirecting.close();
        }
        assert.ok(redirecting.redirects >= 1, "S3 did redirect");
        assert.match((await readText(BUCKET))!, /^OPENVIDU_CDR=redirected$/m);
    });

    it("writes with no encryption header: the bucket's default applies (SSE-KMS on an adopted bucket is not overridden)", async () => {
        const proxy = await interpose(s3().endpoint, async () => undefined);
        const back = pointEnvironmentAt(proxy.endpoint, "S3RVER", "S3RVER");
        try {
            await envFileProvider.create!(inputs({ settings: { ...inputs().settings, OPENVIDU_CDR: "unencrypted-header" } }, BUCKET));
        } finally {
            back();
            await proxy.close();
        }
        const puts = proxy.requests.filter((r) => r.method === "PUT");
        assert.strictEqual(puts.length, 1);
        assert.deepStrictEqual(Object.keys(puts[0].headers).filter((h) => h.startsWith("x-amz-server-side-encryption")), []);
    });
});

describe(".env S3 access from the stack's aws:* config", () => {
    it("takes the profile, the roles (v7 list and v6 single), one shared file each and the S3 endpoint", () => {
        const { access, problems } = s3AccessFrom({
            profile: "deployer",
            assumeRoles: JSON.stringify([{ roleArn: "arn:aws:iam::1:role/a", duration: "1h30m", externalId: "x" }, { roleArn: "arn:aws:iam::2:role/b" }]),
            sharedCredentialsFiles: JSON.stringify(["/home/ci/.aws/credentials"]),
            endpoints: JSON.stringify([{ s3: "https://s3.internal.example.com" }]),
        });
        assert.deepStrictEqual(problems, []);
        assert.deepStrictEqual(access, {
            profile: "deployer",
            sharedCredentialsFile: "/home/ci/.aws/credentials",
            assumeRoles: [{ roleArn: "arn:aws:iam::1:role/a", externalId: "x", durationSeconds: 5400 }, { roleArn: "arn:aws:iam::2:role/b" }],
            endpoint: "https://s3.internal.example.com",
        });
        assert.deepStrictEqual(s3AccessFrom({ assumeRole: JSON.stringify({ roleArn: "arn:aws:iam::1:role/a", sessionName: "s" }) }).access,
            { assumeRoles: [{ roleArn: "arn:aws:iam::1:role/a", sessionName: "s" }] });
    });

    it("names what it cannot follow, with the way out, and never reads the secret keys", () => {
        const { access, problems } = s3AccessFrom({
            assumeRoleWithWebIdentity: JSON.stringify({ roleArn: "arn:aws:iam::1:role/a" }),
            sharedConfigFiles: JSON.stringify(["/a", "/b"]),
            assumeRoles: JSON.stringify([{ sessionName: "no-arn" }, { roleArn: "arn:aws:iam::1:role/a", duration: "forever" }]),
            accessKey: "AKIAEXAMPLE", secretKey: "secret-value-3f1",
        });
        assert.deepStrictEqual(problems.map((p) => p.key), ["aws:sharedConfigFiles", "aws:assumeRoles", "aws:assumeRoles", "aws:assumeRoleWithWebIdentity"]);
        assert.match(problems.find((p) => p.key === "aws:assumeRoleWithWebIdentity")!.message, /AWS_WEB_IDENTITY_TOKEN_FILE/);
        assert.ok(!JSON.stringify(access).includes("secret-value-3f1") && !JSON.stringify(access).includes("AKIAEXAMPLE"));
    });

    it("the program passes the stack's aws:profile and aws:assumeRoles to the .env resource", async () => {
        const config: Record<string, string> = {
            "aws:region": "eu-west-1",
            "aws:profile": "deployer",
            "aws:assumeRoles": JSON.stringify([{ roleArn: "arn:aws:iam::123456789012:role/deployer" }]),
            ...Object.fromEntries(Object.entries(VALID_CONFIG).map(([k, v]) => [`openvidu:${k}`, v])),
        };
        const run = await runUnderMocks({ stackName: "dev", config, secretKeys: ["openvidu:license"] });
        const env = inputsOf(one(run, "pulumi-nodejs:dynamic/openvidu:EnvFile")) as EnvFileInputs;
        assert.deepStrictEqual(env.access, { profile: "deployer", assumeRoles: [{ roleArn: "arn:aws:iam::123456789012:role/deployer" }] });
        assert.strictEqual(env.deleteOnDestroyConfig, "openvidu:deleteEnvOnDestroy");
    });
});
