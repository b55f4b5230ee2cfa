/**
 * The masters' boot, simulated: the user data the program renders, run by a
 * model of cloud-init beside a model of the master AMI's `@reboot` job, with
 * an IMDSv2 stand-in and a real S3 (Ceph RGW, checking signatures and STS
 * session tokens) holding the `.env` the program's own provider wrote. Every
 * start of OpenVidu is recorded by a stand-in launcher and checked: it must
 * be the bucket's `.env` plus this instance's AWS_INSTANCE_ID, nothing else.
 * Each boot's lines reach its stream in the cluster's CloudWatch Logs group,
 * through a stand-in Logs API that checks signatures (support/sigv4/standin.py).
 * The same scenarios run against the user data of 0.1.0 (before the cloud-config boot), which must
 * fail them (otherwise the simulation proves nothing).
 * See tests/support/bootSim/machine.ts for what is modelled and how.
 */
import * as assert from "assert";
import * as fs from "fs";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { EnvFileInputs, envFileProvider } from "../components/envFile/provider";
import { HOLD_ENV, MASTER_BOOT } from "../components/envFile/masterBoot";
import { renderMasterUserData } from "../components/envFile/masterBoot";
import { LOGS_CALLS } from "../models/bootTimeline";
import { inputsOf, one, runProgram, VALID_CONFIG } from "./harness";
import { Imds, RoleCredentials, startImds } from "./support/bootSim/imds";
import { legacyMasterUserData } from "./support/bootSim/legacyUserData";
import { BootOrder, BootOutcome, cloudInitAvailable, LauncherEvent, SimulatedMaster } from "./support/bootSim/machine";
import { assumeRole, createRole, STS_CONFIGURATION } from "./support/bootSim/roleCredentials";
import { hasCommand } from "./support/commands";
import { Rgw } from "./support/rgw";
import { rgwForFileOrSkip } from "./support/sharedRgw";
import { pythonToolsUnavailable, Standin, startStandin } from "./support/sigv4/python";
import { pointEnvironmentAt } from "./support/s3rver";

/** Jittered concurrent first boots per user data (each a fresh machine). */
const CONCURRENT_RUNS = 30;
const JITTER_MS = 400;
const REGION = "eu-west-1";
/** The group the program declares for the prod stack (components/naming.ts). */
const LOG_GROUP = "/openvidu/prod-abf890/boot";
/** Real-looking secrets for the program's .env: none may reach a log line. */
const SECRETS = { license: "OVENTERPRISE-7f3c9a2e51d44b8e9c1a2e6f0d8b4a73", openviduSecret: "Zq8vN3xK7pL2mR9tW4yB6cD1fH5jG0sA" };
/** The placeholder's settings (its comment names the log's path, which the sandbox rewrites). */
const HOLD_SETTINGS = HOLD_ENV.filter((line) => !line.startsWith("#")).join("\n");
const settingsText = (text: string): string => text.split("\n").filter((line) => line !== "" && !line.startsWith("#")).join("\n");

/** The `.env` a master must start with: the bucket's lines, without any AWS_INSTANCE_ID, plus its own. */
function expectedEnv(bucketText: string, instanceId: string): string {
    const lines = bucketText.replace(/\n$/, "").split("\n").filter((line) => !line.startsWith("AWS_INSTANCE_ID="));
    return [...lines, `AWS_INSTANCE_ID=${instanceId}`].join("\n") + "\n";
}

function keysOf(text: string): string[] {
    return text.split("\n").filter((line) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(line)).map((line) => line.slice(0, line.indexOf("=")));
}

/** How a started `.env` differs from the expected one, by key names only. */
function difference(actual: string, expected: string): string {
    const [a, e] = [keysOf(actual), keysOf(expected)];
    const twice = [...new Set(a.filter((key, i) => a.indexOf(key) !== i))];
    const missing = e.filter((key) => !a.includes(key));
    const extra = [...new Set(a.filter((key) => !e.includes(key)))];
    const value = (text: string, key: string) => text.split("\n").filter((l) => l.startsWith(`${key}=`)).join("|");
    const changed = e.filter((key) => a.includes(key) && !twice.includes(key) && value(actual, key) !== value(expected, key));
    const parts = [
        twice.length ? `twice: ${twice.join(", ")}` : "",
        missing.length ? `missing: ${missing.slice(0, 3).join(", ")}${missing.length > 3 ? ", …" : ""}` : "",
        extra.length ? `not in the bucket: ${extra.slice(0, 3).join(", ")}${extra.length > 3 ? ", …" : ""}` : "",
        changed.length ? `other values: ${changed.slice(0, 3).join(", ")}${changed.length > 3 ? ", …" : ""}` : "",
    ].filter(Boolean);
    return parts.join("; ") || "same keys and values, other lines or order";
}

const STARTS = new Set<LauncherEvent["event"]>(["start", "followed-logs"]);

/** Everything wrong with a boot that should have started OpenVidu on `expected`. */
function startViolations(outcome: BootOutcome, expected: string): string[] {
    const problems: string[] = [];
    const starts = outcome.events.filter((e) => STARTS.has(e.event));
    if (starts.length === 0) problems.push("OpenVidu never started");
    for (const start of starts) {
        if (start.event === "followed-logs") problems.push(`${start.caller}: ./openvidu start followed the logs (a boot script that never returns)`);
        if (start.env !== expected) problems.push(`${start.caller}: started on a .env other than the bucket's + AWS_INSTANCE_ID (${difference(start.env ?? "", expected)})`);
    }
    if (outcome.finalEnv !== expected) problems.push(`the .env left in /opt/openvidu is not the bucket's + AWS_INSTANCE_ID (${difference(outcome.finalEnv, expected)})`);
    for (const p of outcome.processes.filter((p) => p.code === "timeout")) problems.push(`${p.name} never finished`);
    return [...new Set(problems)];
}

/** Everything wrong with a boot that should have failed closed (nothing started, reason logged). */
function failClosedViolations(outcome: BootOutcome, reason: RegExp): string[] {
    const problems: string[] = [];
    for (const start of outcome.events.filter((e) => STARTS.has(e.event))) problems.push(`${start.caller} started OpenVidu`);
    if (outcome.running.length > 0) problems.push(`containers still running: ${outcome.running.join(", ")}`);
    if (settingsText(outcome.finalEnv) !== HOLD_SETTINGS) problems.push("the placeholder .env is gone");
    const script = outcome.processes.find((p) => p.name.startsWith("per-boot"));
    if (!script || script.code === 0) problems.push("the boot script did not report failure");
    if (!/FAILED: .*fail closed/.test(outcome.bootLog)) problems.push(`the boot log does not say it failed:\n${outcome.bootLog}`);
    if (!reason.test(outcome.bootLog)) problems.push(`the boot log does not give the reason ${reason}:\n${outcome.bootLog}`);
    return problems;
}

describe("masters' boot simulation (cloud-init + the AMI's @reboot job + IMDSv2 + Ceph RGW)", function () {
    this.timeout(600000);
    let rgw: Rgw | undefined;
    let s3: S3Client;
    let imds: Imds;
    /** EC2 for the outcome tag and CloudWatch Logs for the lines: a stand-in checking signatures with botocore against the master role's credentials. */
    let ec2: Standin | undefined;
    /** CloudWatch Logs answering 500 to everything, and never answering. */
    const failingLogs: Partial<Record<"500" | "hang", Standin>> = {};
    let bucket: string;
    let userData: string;
    let masterCredentials: RoleCredentials;
    let noAccessCredentials: RoleCredentials;
    const machines: SimulatedMaster[] = [];
    let instanceCount = 0;
    const legacyFailures: Record<string, string[]> = {};

    before(async function () {
        rgw = await rgwForFileOrSkip(this, { extraConfiguration: STS_CONFIGURATION }, [hasCommand("curl") ? undefined : "curl not installed",
            cloudInitAvailable() ? undefined : "cloud-init not installed (apt-get install cloud-init; .ci/run does)", pythonToolsUnavailable()]);
        s3 = new S3Client({
            region: "us-east-1", endpoint: rgw.endpoint, forcePathStyle: true,
            credentials: { accessKeyId: rgw.accessKey, secretAccessKey: rgw.secretKey },
        });
        createRole(rgw, "openvidu-master", ["s3:GetObject", "s3:ListBucket"]);
        createRole(rgw, "openvidu-master-no-access", []);
        masterCredentials = assumeRole(rgw, "openvidu-master");
        noAccessCredentials = assumeRole(rgw, "openvidu-master-no-access");
        const role = { accessKeyId: masterCredentials.AccessKeyId, secretAccessKey: masterCredentials.SecretAccessKey, token: masterCredentials.Token };
        ec2 = await startStandin(role, {}, { logGroups: [LOG_GROUP] });
        for (const fault of ["500", "hang"] as const) failingLogs[fault] = await startStandin(role, {}, { logGroups: [LOG_GROUP], logsFault: fault });

        // The program, under mocks, says what the .env holds; its own provider writes it to RGW.
        const run = await runProgram({ ...VALID_CONFIG, ...SECRETS }, { stackName: "prod" });
        assert.strictEqual(inputsOf(one(run, "aws:cloudwatch/logGroup:LogGroup")).name, LOG_GROUP);
        const env = inputsOf(one(run, "pulumi-nodejs:dynamic/openvidu:EnvFile"));
        bucket = env.bucket;
        userData = Buffer.from(inputsOf(one(run, "aws:ec2/launchTemplate:LaunchTemplate", "master-template")).userData, "base64").toString("utf8");
        for (const name of [bucket, "prod-empty-bucket"]) await s3.send(new CreateBucketCommand({ Bucket: name }));
        const inputs: EnvFileInputs = {
            bucket, key: env.key, region: env.region, settings: env.settings, secretSettings: env.secretSettings,
            keyOrder: env.keyOrder, header: env.header, deleteOnDestroy: false,
        };
        const restore = pointEnvironmentAt(rgw.endpoint, rgw.accessKey, rgw.secretKey);
        try {
            await envFileProvider.create!(inputs);
        } finally {
            restore();
        }
        imds = await startImds({
            userData, instanceId: "i-00000000", availabilityZone: `${REGION}a`, roleName: "openvidu-master",
            credentials: masterCredentials, delayMs: 0, jitterMs: 0,
        });
    });

    after(async () => {
        for (const machine of machines) machine.dispose();
        await imds?.close();
        ec2?.stop();
        for (const standin of Object.values(failingLogs)) standin.stop();
        rgw?.stop();
        if (Object.keys(legacyFailures).length > 0) {
            console.log("      the user data of 0.1.0 (before the cloud-config boot), per scenario:");
            for (const [scenario, problems] of Object.entries(legacyFailures)) {
                console.log(`        ${scenario}:`);
                for (const problem of [...new Set(problems)]) console.log(`          - ${problem}`);
            }
        }
    });

    async function bucketEnv(name = bucket): Promise<string> {
        const answer = await s3.send(new GetObjectCommand({ Bucket: name, Key: ".env" }));
        return answer.Body!.transformToString();
    }

    function machine(options: { userData?: string; s3Endpoint?: string | null; legacy?: boolean; logsEndpoint?: string } = {}): SimulatedMaster {
        const instanceId = `i-0b00t${String(++instanceCount).padStart(12, "0")}`;
        const data = options.userData ?? (options.legacy ? legacyMasterUserData(bucket, REGION) : userData);
        imds.state.userData = data;
        imds.state.instanceId = instanceId;
        const master = new SimulatedMaster({
            userData: data,
            imdsEndpoint: imds.endpoint,
            s3Endpoint: options.s3Endpoint === null ? undefined : options.s3Endpoint ?? rgw!.endpoint,
            ec2Endpoint: ec2!.endpoint,
            logsEndpoint: options.logsEndpoint ?? ec2!.endpoint,
            redirectImdsAddress: options.legacy,
        }, instanceId);
        machines.push(master);
        return master;
    }

    /** The CreateTags requests EC2 accepted (signature checked) for this instance: the tag values. */
    function acceptedTags(instanceId: string): string[] {
        return ec2!.records().filter((r) => r.service === "ec2" && r.status === 200 && r.body.includes(`ResourceId.1=${instanceId}&`))
            .map((r) => new URLSearchParams(r.body)).map((p) => `${p.get("Action")} ${p.get("Tag.1.Key")}=${p.get("Tag.1.Value")}`);
    }

    /** The lines CloudWatch Logs accepted (signature checked) in this instance's stream, in order. */
    function streamLines(instanceId: string): string[] {
        return ec2!.logEvents(LOG_GROUP, instanceId).map((event) => event.message);
    }

    /** The boot script's own lines of this boot (not bootcmd's, nor the one reporting the send), as the boot log has them. */
    function scriptLines(outcome: BootOutcome): string[] {
        return outcome.bootLog.split("\n").filter((line) => line.includes(" openvidu-boot: ") && !/openvidu-boot: (held OpenVidu|sent this boot's lines)/.test(line));
    }

    function resetImds(): void {
        Object.assign(imds.state, { credentials: masterCredentials, delayMs: 0, jitterMs: 0, missing: [] });
    }
    beforeEach(resetImds);

    describe("the new user data", () => {
        for (const order of ["ami-job-first", "user-data-first"] as BootOrder[]) {
            it(`first boot, ${order}: OpenVidu starts only on the bucket's .env + AWS_INSTANCE_ID`, async () => {
                const master = machine();
                const outcome = await master.boot(order);
                assert.deepStrictEqual(startViolations(outcome, expectedEnv(await bucketEnv(), master.instanceId)), []);
                assert.ok(outcome.events.some((e) => e.event === "refused" && e.caller === "cron") || order === "user-data-first",
                    "the AMI job's start before the fetch is refused (held)");
                assert.match(outcome.bootLog, /installed the cluster's \.env/);
                assert.match(outcome.bootLog, /OpenVidu started/);
                assert.deepStrictEqual(acceptedTags(master.instanceId), ["CreateTags openvidu:boot=ok"], "the outcome tag, signed by the role");
                assert.match(outcome.bootLog, /tagged this instance openvidu:boot=ok/);
                // Every line of the boot, in order, in the instance's stream, the outcome included.
                const lines = streamLines(master.instanceId);
                assert.deepStrictEqual(lines, scriptLines(outcome));
                assert.match(lines[0], /openvidu-boot: fetching s3:/);
                assert.match(lines.at(-2)!, /openvidu-boot: OpenVidu started$/);
                assert.match(lines.at(-1)!, /openvidu-boot: tagged this instance openvidu:boot=ok$/);
                assert.match(outcome.bootLog, /openvidu-boot: sent this boot's lines to CloudWatch Logs\n$/);
                const calls = ec2!.records().filter((r) => r.service === "logs" && r.body.includes(`"${master.instanceId}"`)).map((r) => `${r.target} ${r.status}`);
                assert.deepStrictEqual(calls, ["Logs_20140328.CreateLogStream 200", "Logs_20140328.PutLogEvents 200"], "one batch: two calls per boot");
            });
        }

        it(`${CONCURRENT_RUNS} jittered first boots with the AMI job and cloud-init at once: every start is on the bucket's .env`, async () => {
            imds.state.jitterMs = 20;
            const expected = await bucketEnv();
            const failures: string[] = [];
            // Which way each race went: the AMI job's start refused (held) or restarting on the installed file.
            const cronStarts = { refused: 0, started: 0 };
            for (let i = 0; i < CONCURRENT_RUNS; i++) {
                const master = machine();
                imds.state.jitterMs = 20;
                const outcome = await master.boot("concurrent", JITTER_MS);
                failures.push(...startViolations(outcome, expectedEnv(expected, master.instanceId)).map((p) => `run ${i + 1}: ${p}`));
                const cron = outcome.events.find((e) => e.caller === "cron" && (e.event === "refused" || e.event === "start"));
                if (cron?.event === "refused") cronStarts.refused++;
                if (cron?.event === "start") cronStarts.started++;
                master.dispose();
            }
            console.log(`      the AMI job's start: refused while held in ${cronStarts.refused} runs, restarted on the installed file in ${cronStarts.started}`);
            assert.deepStrictEqual(failures, []);
        });

        it("reboot after the bucket's .env was edited: every order starts on the edited file (and drops a persisted AWS_INSTANCE_ID)", async () => {
            const original = await bucketEnv();
            const master = machine();
            try {
                assert.deepStrictEqual(startViolations(await master.boot("concurrent", JITTER_MS), expectedEnv(original, master.instanceId)), []);
                for (const [round, order] of (["ami-job-first", "user-data-first", "concurrent"] as BootOrder[]).entries()) {
                    // As an operator's edit, plus another master's id persisted by a /restart.
                    const edited = original.replace(/^OPENVIDU_RECORDING_AUTOSTOP_TIMEOUT=.*$/m, `OPENVIDU_RECORDING_AUTOSTOP_TIMEOUT=${200 + round}`) +
                        "AWS_INSTANCE_ID=i-0another0master\n";
                    assert.notStrictEqual(edited, original);
                    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: ".env", Body: edited }));
                    const outcome = await master.boot(order, JITTER_MS);
                    assert.deepStrictEqual(startViolations(outcome, expectedEnv(edited, master.instanceId)), [], `reboot ${round + 1} (${order})`);
                }
            } finally {
                await s3.send(new PutObjectCommand({ Bucket: bucket, Key: ".env", Body: original }));
            }
        });

        it("S3 answering 403 (a role without access; a wrong signature): fails closed, nothing started, reason logged", async () => {
            imds.state.credentials = noAccessCredentials;
            const denied = await machine().boot("concurrent", JITTER_MS);
            assert.deepStrictEqual(failClosedViolations(denied, /HTTP 403 \(AccessDenied\)/), []);
            assert.match(denied.bootLog, /could not tag this instance openvidu:boot=failed: HTTP 403 \(InvalidAccessKeyId\) \(ignored\)/, "best effort, named");
            assert.match(denied.bootLog, new RegExp(`after ${MASTER_BOOT.attempts} attempts`));

            imds.state.credentials = { ...masterCredentials, SecretAccessKey: `x${masterCredentials.SecretAccessKey.slice(1)}` };
            const forged = await machine().boot("ami-job-first");
            assert.deepStrictEqual(failClosedViolations(forged, /HTTP 403 \(SignatureDoesNotMatch\)/), []);

            imds.state.credentials = { ...masterCredentials, Token: "" };
            const tokenless = await machine().boot("user-data-first");
            assert.deepStrictEqual(failClosedViolations(tokenless, /HTTP 403/), [], "RGW checks the session token too");
        });

        it("S3 answering 404 (no .env in the bucket): fails closed, and the serial console says why (it outlives the instance)", async () => {
            const data = renderMasterUserData({ bucket: "prod-empty-bucket", key: ".env", region: REGION, logGroup: LOG_GROUP });
            const master = machine({ userData: data });
            const outcome = await master.boot("concurrent", JITTER_MS);
            assert.deepStrictEqual(failClosedViolations(outcome, /HTTP 404 \(NoSuchKey\)/), []);
            assert.deepStrictEqual(acceptedTags(master.instanceId), ["CreateTags openvidu:boot=failed"], "the outcome tag, after the FAILED line");
            assert.match(outcome.bootLog, /FAILED: [^\n]*\n[^\n]*tagged this instance openvidu:boot=failed/);
            const console = fs.readFileSync(master.path(MASTER_BOOT.console), "utf8");
            assert.match(console, /HTTP 404 \(NoSuchKey\)[\s\S]*openvidu-boot: FAILED: could not read s3:\/\/prod-empty-bucket\/\.env/);
            assert.deepStrictEqual(console.split("\n").filter((line) => line.includes("openvidu-boot:") && !outcome.bootLog.includes(line)), [],
                "the console has the boot log's lines");
            // The reason outlives the instance in CloudWatch Logs too: every line, the FAILED line and the tag last.
            const lines = streamLines(master.instanceId);
            assert.deepStrictEqual(lines, scriptLines(outcome));
            assert.match(lines.at(-2)!, /openvidu-boot: FAILED: could not read s3:\/\/prod-empty-bucket\/\.env after 8 attempts/);
            assert.match(lines.at(-1)!, /openvidu-boot: tagged this instance openvidu:boot=failed$/);
            assert.ok(lines.some((line) => /HTTP 404 \(NoSuchKey\)/.test(line)), "the attempts' reason");
        });

        it("a reboot appends its lines to the same stream (the stream exists: not an error)", async () => {
            const master = machine();
            const first = await master.boot("user-data-first");
            const second = await master.boot("ami-job-first");
            assert.deepStrictEqual(streamLines(master.instanceId), [...scriptLines(first), ...scriptLines(second)]);
            assert.match(second.bootLog, /openvidu-boot: sent this boot's lines to CloudWatch Logs\n$/);
        });

        for (const fault of ["500", "hang"] as const) {
            it(`CloudWatch Logs ${fault === "500" ? "answering 500" : "never answering"}: the boot's outcome is the same, in bounded time, and the reason is logged`, async () => {
                const bound = LOGS_CALLS * MASTER_BOOT.logsTimeoutSeconds;
                const ok = machine({ logsEndpoint: failingLogs[fault]!.endpoint });
                const started = Date.now();
                const outcome = await ok.boot("user-data-first");
                const seconds = (Date.now() - started) / 1000;
                assert.deepStrictEqual(startViolations(outcome, expectedEnv(await bucketEnv(), ok.instanceId)), []);
                assert.strictEqual(outcome.processes.find((p) => p.name.startsWith("per-boot"))?.code, 0, "the boot script succeeds");
                assert.deepStrictEqual(acceptedTags(ok.instanceId), ["CreateTags openvidu:boot=ok"]);
                assert.match(outcome.bootLog, new RegExp(`openvidu-boot: CloudWatch Logs: HTTP ${fault === "500" ? "500" : "000"} \\(ignored\\)\n$`));
                assert.deepStrictEqual(streamLines(ok.instanceId), []);
                // A hang costs one call's timeout (the stream is never created, so nothing is put); never more than both.
                assert.ok(seconds < bound + 10, `the boot took ${seconds} s with Logs ${fault}`);
                if (fault === "hang") assert.ok(seconds >= MASTER_BOOT.logsTimeoutSeconds, `${seconds} s: the hang did not happen`);

                const failed = machine({ userData: renderMasterUserData({ bucket: "prod-empty-bucket", key: "no-such/.env", region: REGION, logGroup: LOG_GROUP }),
                    logsEndpoint: failingLogs[fault]!.endpoint });
                const failure = await failed.boot("user-data-first");
                assert.deepStrictEqual(failClosedViolations(failure, /HTTP 404 \(NoSuchKey\)/), []);
                assert.deepStrictEqual(acceptedTags(failed.instanceId), ["CreateTags openvidu:boot=failed"]);
            });
        }

        it("no secret of the .env, and no credential, is in any line sent to CloudWatch Logs (successful and failed boots)", async () => {
            const env = await bucketEnv();
            const secretValues = env.split("\n").map((line) => /^([A-Z0-9_]*(?:SECRET|LICENSE|PASSWORD|_KEY)[A-Z0-9_]*)=(.+)$/.exec(line))
                .filter((m): m is RegExpExecArray => m !== null).map((m) => m[2]);
            assert.ok(secretValues.includes(SECRETS.license) && secretValues.includes(SECRETS.openviduSecret) && secretValues.length >= 3,
                `the .env's secrets: ${secretValues.length}`);
            // A failing boot on a file full of secrets, in lines that are not KEY=value and keys given twice.
            const key = "secrets-unusable/.env";
            await s3.send(new PutObjectCommand({ Bucket: "prod-empty-bucket", Key: key, Body: [
                `OPENVIDU_SECRET=${SECRETS.openviduSecret}`, `OPENVIDU_SECRET=${SECRETS.openviduSecret}x`,
                `OPENVIDU_PRO_LICENSE ${SECRETS.license}`, `export ELASTICSEARCH_PASSWORD='${SECRETS.openviduSecret}-es'`, "",
            ].join("\n") }));
            const good = machine();
            await good.boot("concurrent", JITTER_MS);
            const bad = machine({ userData: renderMasterUserData({ bucket: "prod-empty-bucket", key, region: REGION, logGroup: LOG_GROUP }) });
            const failure = await bad.boot("user-data-first");
            assert.match(failure.bootLog, /FAILED: .*is not a usable \.env/);
            assert.ok(streamLines(good.instanceId).some((line) => line.endsWith("OpenVidu started")), "the good boot sent its lines");
            assert.ok(streamLines(bad.instanceId).some((line) => /FAILED: .*is not a usable \.env: .*OPENVIDU_SECRET appears twice/.test(line)), "the failed boot sent its lines");
            const sent = ec2!.records().filter((r) => r.service === "logs").map((r) => r.body).join("\n");
            const credentials = [masterCredentials.SecretAccessKey, masterCredentials.Token];
            const found = [...secretValues, SECRETS.openviduSecret, SECRETS.license, ...credentials].filter((value) => sent.includes(value));
            assert.deepStrictEqual(found.map((value) => `${value.slice(0, 4)}… (${value.length} chars)`), []);
        });

        it("S3 answering nothing: fails closed", async () => {
            const outcome = await machine({ s3Endpoint: "http://127.0.0.1:9" }).boot("user-data-first");
            assert.deepStrictEqual(failClosedViolations(outcome, /no answer from S3/), []);
        });

        it("a bucket .env that is not usable (a key twice, no secret): fails closed, naming the keys only", async () => {
            const text = "DOMAIN_OR_PUBLIC_IP=a.example.com\nDOMAIN_OR_PUBLIC_IP=b.example.com\nOPENVIDU_PRO_LICENSE=lic-value-9\n";
            await s3.send(new PutObjectCommand({ Bucket: "prod-empty-bucket", Key: ".env", Body: text }));
            const data = renderMasterUserData({ bucket: "prod-empty-bucket", key: ".env", region: REGION, logGroup: LOG_GROUP });
            const outcome = await machine({ userData: data }).boot("ami-job-first");
            assert.deepStrictEqual(failClosedViolations(outcome, /DOMAIN_OR_PUBLIC_IP appears twice.*OPENVIDU_SECRET is missing or empty/), []);
            assert.ok(!outcome.bootLog.includes("lic-value-9") && !outcome.bootLog.includes("a.example.com"), "no value in the log");
        });

        it("first boot with the AMI job's first-run marker gone (its edits run on the placeholder): held, then starts only on the bucket's .env", async () => {
            const master = machine();
            const outcome = await master.boot("ami-job-first", 0, { firstRunMarkerRemoved: true });
            assert.deepStrictEqual(startViolations(outcome, expectedEnv(await bucketEnv(), master.instanceId)), []);
            const cron = outcome.events.filter((e) => e.caller === "cron");
            assert.deepStrictEqual(cron.map((e) => `${e.event} ${e.detail}`), ["stop-failed compose-cannot-read-env", "refused elasticsearch-user-or-password-empty"]);
            assert.match(cron[1].env!, /^OPENVIDU_ENTERPRISE_S3_CONFIG_AUTORESTART=false$/m, "the first-run edits did run on the placeholder");
        });

        it("reboot: Docker restarts the last boot's containers before either job; they see only the placeholder, and the boot stops them before the fetch", async () => {
            const master = machine();
            const expected = expectedEnv(await bucketEnv(), master.instanceId);
            assert.deepStrictEqual(startViolations(await master.boot("user-data-first"), expected), []);
            const outcome = await master.boot("ami-job-first");
            assert.deepStrictEqual(startViolations(outcome, expected), []);
            const at = (event: string, caller: string): number => outcome.events.findIndex((e) => e.event === event && e.caller === caller);
            const restored = outcome.events[at("restored", "docker")];
            assert.strictEqual(restored?.detail, "filebeat,metricbeat,replication-manager", "the `restart: always` services come back");
            assert.strictEqual(settingsText(restored.env!), HOLD_SETTINGS, "what they find in /opt/openvidu is the placeholder");
            assert.ok(at("stop-failed", "cron") > at("restored", "docker"), "the AMI job's compose down cannot read the placeholder: they keep running");
            const stopped = outcome.events[at("containers-stopped", "cloud-init")];
            assert.strictEqual(stopped?.detail, "filebeat,metricbeat,replication-manager");
            assert.ok(at("containers-stopped", "cloud-init") < at("start", "cloud-init"));
            assert.match(outcome.bootLog, /stopping 3 container\(s\) Docker restarted from the last boot[^]*fetching s3:[^]*installed the cluster's \.env/);
            assert.deepStrictEqual(outcome.running, ["coturn", "filebeat", "metricbeat", "openvidu-server", "replication-manager"]);
        });

        it("reboot that fails closed: nothing of the last boot keeps running (no replication manager answering the health check)", async () => {
            const master = machine();
            assert.deepStrictEqual(startViolations(await master.boot("user-data-first"), expectedEnv(await bucketEnv(), master.instanceId)), []);
            imds.state.credentials = noAccessCredentials;
            for (const order of ["ami-job-first", "concurrent"] as BootOrder[]) {
                const outcome = await master.boot(order, JITTER_MS);
                assert.ok(outcome.events.some((e) => e.event === "restored"), "Docker restarted the last boot's containers");
                assert.deepStrictEqual(failClosedViolations(outcome, /HTTP 403 \(AccessDenied\)/), [], order);
            }
        });

        it("the placeholder persisted to the bucket (a replication manager writing back what it read): no master starts on it", async () => {
            const key = "persisted-placeholder/.env";
            await s3.send(new PutObjectCommand({ Bucket: "prod-empty-bucket", Key: key, Body: `${HOLD_ENV.join("\n")}\n` }));
            const data = renderMasterUserData({ bucket: "prod-empty-bucket", key, region: REGION, logGroup: LOG_GROUP });
            const outcome = await machine({ userData: data }).boot("concurrent", JITTER_MS);
            assert.deepStrictEqual(failClosedViolations(outcome, /is not a usable \.env: .*DOMAIN_OR_PUBLIC_IP is missing or empty/), []);
        });

        it("IMDS slow (1.5 s per answer): still starts on the bucket's .env", async () => {
            imds.state.delayMs = 1500;
            const master = machine();
            const outcome = await master.boot("concurrent", JITTER_MS);
            assert.deepStrictEqual(startViolations(outcome, expectedEnv(await bucketEnv(), master.instanceId)), []);
        });

        it("IMDS unreachable: fails closed", async () => {
            const master = machine();
            const unreachable = new SimulatedMaster({ userData, imdsEndpoint: "http://127.0.0.1:9", s3Endpoint: rgw!.endpoint }, master.instanceId);
            machines.push(unreachable);
            const outcome = await unreachable.boot("user-data-first");
            assert.deepStrictEqual(failClosedViolations(outcome, /IMDSv2 token: no answer/), []);
        });

        it("IMDS without the token, the instance id, the role or its credentials: each attempt stops there, then fails closed, S3 never asked", async () => {
            const steps: Array<[string, RegExp]> = [
                ["/latest/api/token", /IMDSv2 token: no answer/], ["/latest/meta-data/instance-id", /IMDS: no instance id/],
                ["/latest/meta-data/iam/security-credentials/", /IMDS: no instance role credentials/],
                ["/latest/meta-data/iam/security-credentials/openvidu-master", /IMDS: no credentials for role openvidu-master/],
            ];
            for (const [missing, reason] of steps) {
                imds.state.missing = [missing];
                const seen = imds.requests.length;
                const outcome = await machine().boot("user-data-first");
                assert.deepStrictEqual(failClosedViolations(outcome, reason), [], missing);
                const imdsFailures = outcome.bootLog.split("\n").filter((line) => /: IMDS(v2 token)?: /.test(line));
                assert.deepStrictEqual([imdsFailures.length, imdsFailures.filter((line) => reason.test(line)).length], [MASTER_BOOT.attempts, MASTER_BOOT.attempts], missing);
                assert.strictEqual(outcome.bootLog.match(/ failed; retrying in /g)?.length, MASTER_BOOT.attempts - 1, "a pause between attempts, none after the last");
                assert.ok(!/GET [^\n]*: (HTTP|no answer)/.test(outcome.bootLog), `S3 was asked without credentials (${missing})`);
                // Only the boot script asks for the role (the AMI job reads user data, instance id and zone).
                const roleRequests = imds.requests.slice(seen).filter((r) => r.startsWith("GET /latest/meta-data/iam/"));
                const expected = missing.includes("/iam/") ? MASTER_BOOT.attempts * (missing.endsWith("/") ? 1 : 2) : 0;
                assert.strictEqual(roleRequests.length, expected, `role requests after ${missing} failed: ${roleRequests.join(", ")}`);
                // Refused a token, the AMI job's own script asks without one: not the boot script's requests, kept out of the IMDSv2-only check.
                const tokenless = imds.requests.splice(seen).filter((r) => / 401$/.test(r));
                assert.deepStrictEqual(tokenless.filter((r) => !/^GET \/latest\/(user-data|meta-data\/instance-id|meta-data\/placement\/availability-zone) /.test(r)), []);
            }
        });

        it("a bucket .env OpenVidu refuses to start on: the boot fails (exit 1, FAILED, tagged failed), nothing runs", async () => {
            const key = "refused-by-launcher/.env";
            const text = `DOMAIN_OR_PUBLIC_IP=openvidu.example.com\nOPENVIDU_PRO_LICENSE=lic\nOPENVIDU_SECRET=secret\nRM_S3_CONFIGURATION_BUCKET=prod-empty-bucket\nOPENVIDU_PRO_ELASTICSEARCH=true\n`;
            await s3.send(new PutObjectCommand({ Bucket: "prod-empty-bucket", Key: key, Body: text }));
            const master = machine({ userData: renderMasterUserData({ bucket: "prod-empty-bucket", key, region: REGION, logGroup: LOG_GROUP }) });
            const outcome = await master.boot("user-data-first");
            assert.strictEqual(outcome.processes.find((p) => p.name.startsWith("per-boot"))?.code, 1);
            assert.match(outcome.bootLog, /FAILED: \.\/openvidu start failed \(exit \d+\) -- OpenVidu stays stopped/);
            assert.deepStrictEqual(acceptedTags(master.instanceId), ["CreateTags openvidu:boot=failed"]);
            assert.deepStrictEqual([outcome.events.filter((e) => STARTS.has(e.event)).length, outcome.running], [0, []]);
        });

        it("uses IMDSv2 only: no metadata request without a token", () => {
            const tokenless = imds.requests.filter((r) => / 401$/.test(r));
            assert.deepStrictEqual(tokenless, []);
            assert.ok(imds.requests.some((r) => r.startsWith("PUT /latest/api/token")));
        });
    });

    describe("the user data of 0.1.0, before the cloud-config boot (must fail the same simulation)", () => {
        const record = (scenario: string, problems: string[]): void => {
            legacyFailures[scenario] = problems;
            assert.ok(problems.length > 0, `the old user data passed "${scenario}": the simulation would prove nothing`);
        };

        for (const order of ["ami-job-first", "user-data-first"] as BootOrder[]) {
            it(`first boot, ${order}`, async () => {
                const master = machine({ legacy: true });
                record(`first boot, ${order}`, startViolations(await master.boot(order), expectedEnv(await bucketEnv(), master.instanceId)));
            });
        }

        it("jittered concurrent first boots", async () => {
            const problems: string[] = [];
            const expected = await bucketEnv();
            for (let i = 0; i < 5; i++) {
                const master = machine({ legacy: true });
                imds.state.jitterMs = 20;
                problems.push(...startViolations(await master.boot("concurrent", JITTER_MS), expectedEnv(expected, master.instanceId)));
            }
            record("concurrent first boots (5 runs)", problems);
        });

        it("reboot after the bucket's .env was edited", async () => {
            const original = await bucketEnv();
            const master = machine({ legacy: true });
            await master.boot("ami-job-first");
            const edited = original.replace(/^OPENVIDU_RECORDING_AUTOSTOP_TIMEOUT=.*$/m, "OPENVIDU_RECORDING_AUTOSTOP_TIMEOUT=300");
            await s3.send(new PutObjectCommand({ Bucket: bucket, Key: ".env", Body: edited }));
            try {
                record("reboot after an edit", startViolations(await master.boot("concurrent", JITTER_MS), expectedEnv(edited, master.instanceId)));
            } finally {
                await s3.send(new PutObjectCommand({ Bucket: bucket, Key: ".env", Body: original }));
            }
        });

        it("S3 answering 403", async () => {
            imds.state.credentials = noAccessCredentials;
            record("S3 403", failClosedViolations(await machine({ legacy: true }).boot("user-data-first"), /403/));
        });
    });
});
