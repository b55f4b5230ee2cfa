/**
 * A preview (and `up`) whose `.env` write changes the file says whether applying
 * it restarts every master at once (OPENVIDU_ENTERPRISE_S3_CONFIG_AUTORESTART as
 * the masters run it, i.e. the file's value before the write), naming the keys,
 * never a value; a run that writes nothing says nothing. The provider runs
 * against s3rver (started here); tests/workflows.test.ts and
 * tests/engine/envFile.test.ts lift the line into the pull request's comment.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { EnvFileInputs, EnvFileOutputs, envFileProvider, UNKNOWN } from "../components/envFile/provider";
import { autoRestartsOn, NO_RESTART_BANNER, NOTICES_FILE_VARIABLE, RESTART_BANNER, restartNotice } from "../components/envFile/restarts";
import { s3Client } from "../components/envFile/s3";
import { envFileInputs, SECRET_VALUES } from "./support/envFileInputs";
import { s3rverForSuite } from "./support/s3rver";
import { warningsOf } from "./support/warnings";

const BUCKET = "restarts";
const RESTARTS = /^\.env: RESTARTS EVERY MASTER AT ONCE: /;

function inputs(autoRestart: string, overrides: Partial<EnvFileInputs> = {}): EnvFileInputs {
    const base = envFileInputs({}, BUCKET);
    return envFileInputs({
        settings: { ...base.settings, OPENVIDU_ENTERPRISE_S3_CONFIG_AUTORESTART: autoRestart },
        keyOrder: [...base.keyOrder, "OPENVIDU_ENTERPRISE_S3_CONFIG_AUTORESTART"],
        ...overrides,
    }, overrides.bucket ?? BUCKET);
}

const withSetting = (autoRestart: string, key: string, value: string): EnvFileInputs =>
    inputs(autoRestart, { settings: { ...inputs(autoRestart).settings, [key]: value } });

async function readText(): Promise<string> {
    return (await s3Client("us-east-1").send(new GetObjectCommand({ Bucket: BUCKET, Key: ".env" }))).Body!.transformToString();
}

async function writeText(text: string): Promise<void> {
    await s3Client("us-east-1").send(new PutObjectCommand({ Bucket: BUCKET, Key: ".env", Body: text }));
}

describe("restart notices (pure)", () => {
    it("auto-restart is on unless the masters run with false (absent or empty is OpenVidu's default, on)", () => {
        assert.deepStrictEqual([undefined, "", "true", "TRUE", "false", " False "].map(autoRestartsOn), [true, true, true, true, false, false]);
    });

    it("names the keys sorted, the object and the consequence; nothing for no key", () => {
        assert.strictEqual(restartNotice("s3://b/.env", [], "true"), undefined);
        assert.strictEqual(restartNotice("s3://b/.env", ["OPENVIDU_RECORDING", "DOMAIN_OR_PUBLIC_IP"], "true"),
            `.env: ${RESTART_BANNER}: applying this changes DOMAIN_OR_PUBLIC_IP, OPENVIDU_RECORDING in s3://b/.env and ` +
            "OPENVIDU_ENTERPRISE_S3_CONFIG_AUTORESTART is on, so every master restarts together: the OpenVidu API is down and sessions end until they are back. " +
            "Schedule it (docs/operations.md, \"Changes that restart every master\").");
        assert.match(restartNotice("s3://b/.env", ["OPENVIDU_CDR"], "false")!,
            new RegExp(`^\\.env: ${NO_RESTART_BANNER}: applying this changes OPENVIDU_CDR in s3://b/\\.env; .* each one reads the new file only when it restarts or is replaced\\.$`));
    });
});

describe("restart notices of the .env provider (s3rver)", function () {
    this.timeout(30000);
    s3rverForSuite([BUCKET]);
    let state: EnvFileOutputs;

    it("a config change of a managed key: diff says every master restarts, naming the key and no value", async () => {
        state = (await envFileProvider.create!(inputs("true"))).outs as EnvFileOutputs;
        const warnings = await warningsOf(() => envFileProvider.diff!(`${BUCKET}/.env`, state, withSetting("true", "OPENVIDU_CDR", "true")));
        assert.strictEqual(warnings.length, 1, warnings.join("\n"));
        assert.match(warnings[0], RESTARTS);
        assert.match(warnings[0], /applying this changes OPENVIDU_CDR in s3:\/\/restarts\/\.env /);
        for (const secret of SECRET_VALUES) assert.ok(!warnings[0].includes(secret));
        assert.ok(!/=|\btrue\b.*\bfalse\b/.test(warnings[0].replace("is on", "")), "no value");
    });

    it("appends each notice to the file OPENVIDU_ENV_NOTICES_FILE names (what the pull-request workflow reads), only the notices", async () => {
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "env-notices-")), "env-notices.txt");
        process.env[NOTICES_FILE_VARIABLE] = file;
        try {
            const warnings = await warningsOf(async () => {
                await envFileProvider.diff!(`${BUCKET}/.env`, state, withSetting("true", "OPENVIDU_CDR", "true"));
                await envFileProvider.diff!(`${BUCKET}/.env`, state, inputs("true", { deleteOnDestroy: true }));
            });
            assert.strictEqual(fs.readFileSync(file, "utf8"), `${warnings[0]}\n`);
        } finally {
            delete process.env[NOTICES_FILE_VARIABLE];
            fs.rmSync(path.dirname(file), { recursive: true, force: true });
        }
    });

    it("a config change of a secret names the key only", async () => {
        const news = inputs("true", { secretSettings: { ...inputs("true").secretSettings, OPENVIDU_SECRET: "rotated-secret-5d" } });
        const warnings = await warningsOf(() => envFileProvider.diff!(`${BUCKET}/.env`, state, news));
        assert.match(warnings.join("\n"), /applying this changes OPENVIDU_SECRET in /);
        assert.ok(!warnings.join("\n").includes("rotated-secret-5d"));
    });

    it("with auto-restart off in the running file, says the masters are not restarted and pick it up when replaced", async () => {
        await writeText((await readText()).replace("AUTORESTART=true", "AUTORESTART=false"));
        const off = (await envFileProvider.update!(`${BUCKET}/.env`, state, inputs("false"))).outs as EnvFileOutputs;
        const warnings = await warningsOf(() => envFileProvider.diff!(`${BUCKET}/.env`, off, withSetting("false", "OPENVIDU_CDR", "true")));
        assert.deepStrictEqual(warnings.map((w) => w.slice(0, w.indexOf(":", 6))), [`.env: ${NO_RESTART_BANNER}`]);
        // Turning it back on: the masters run with false while the write lands, so they do not restart for it.
        const back = await warningsOf(() => envFileProvider.diff!(`${BUCKET}/.env`, off, inputs("true")));
        assert.match(back.join("\n"), new RegExp(`${NO_RESTART_BANNER}: applying this changes OPENVIDU_ENTERPRISE_S3_CONFIG_AUTORESTART`));
        // Turning it off is seen by masters that still run with it on: they restart once more.
        const onAgain = (await envFileProvider.update!(`${BUCKET}/.env`, off, inputs("true"))).outs as EnvFileOutputs;
        const turnOff = await warningsOf(() => envFileProvider.diff!(`${BUCKET}/.env`, onAgain, inputs("false")));
        assert.match(turnOff.join("\n"), RESTARTS);
        state = onAgain;
    });

    it("the first up after a run-time change (no managed key changed) writes nothing and announces no restart", async () => {
        await writeText((await readText()) + "OPENVIDU_WEBHOOK=true\n");
        const warnings = await warningsOf(async () => {
            assert.strictEqual((await envFileProvider.diff!(`${BUCKET}/.env`, state, inputs("true"))).changes, true, "drift: an update records it");
        });
        assert.deepStrictEqual(warnings, [".env: OPENVIDU_WEBHOOK was added at run time; `pulumi up` keeps it and records it as the stack's (nothing is written for it)"]);
        state = (await envFileProvider.update!(`${BUCKET}/.env`, state, inputs("true"))).outs as EnvFileOutputs;
    });

    it("a change that writes nothing (deleteOnDestroy, a config value the file already has) announces no restart", async () => {
        const recordedOnly = await warningsOf(() => envFileProvider.diff!(`${BUCKET}/.env`, state, inputs("true", { deleteOnDestroy: true })));
        assert.deepStrictEqual(recordedOnly, []);
        // An operator set OPENVIDU_CDR=true at run time, and the config now says the same.
        await writeText((await readText()).replace("OPENVIDU_CDR=false", "OPENVIDU_CDR=true"));
        const sameValue = await warningsOf(() => envFileProvider.diff!(`${BUCKET}/.env`, state, withSetting("true", "OPENVIDU_CDR", "true")));
        assert.ok(!sameValue.some((w) => RESTARTS.test(w)), sameValue.join("\n"));
    });

    it("when the file cannot be read, announces from the config's changes and the recorded auto-restart value", async () => {
        const unreadable = { ...state, bucket: "no-such-bucket" };
        const news = inputs("true", { bucket: "no-such-bucket", settings: { ...inputs("true").settings, DOMAIN_OR_PUBLIC_IP: "new.example.com" } });
        const warnings = await warningsOf(() => envFileProvider.diff!("no-such-bucket/.env", unreadable, news));
        assert.strictEqual(warnings.length, 2, warnings.join("\n"));
        assert.match(warnings[0], /its run-time changes were not checked/);
        assert.match(warnings[1], /RESTARTS EVERY MASTER AT ONCE: applying this changes DOMAIN_OR_PUBLIC_IP in s3:\/\/no-such-bucket\/\.env/);
    });

    it("while a value is unknown (a preview), announces the keys whose value may change", async () => {
        const news = withSetting("true", "OPENVIDU_CDR", UNKNOWN);
        const warnings = await warningsOf(() => envFileProvider.diff!(`${BUCKET}/.env`, state, news));
        assert.strictEqual(warnings.length, 1, warnings.join("\n"));
        assert.match(warnings[0], /RESTARTS EVERY MASTER AT ONCE: applying this may change OPENVIDU_CDR in /);
    });
});
