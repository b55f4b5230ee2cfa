/**
 * The hold on its own: the placeholder `.env` that bootcmd puts in place
 * must keep OpenVidu stopped whatever runs on it, and the launcher model the
 * boot simulation relies on must refuse exactly what OpenVidu's 2.x launcher
 * refuses. Fast (no S3): the launcher model and the AMI job's model run in a
 * sandbox against an IMDSv2 stand-in. The full boots, reboots and Docker's
 * restarted containers are in boot.test.ts.
 *
 * OpenVidu's files these rules come from (branch v2 of OpenVidu/openvidu):
 * the launcher, openvidu-server/deployments/enterprise/docker-compose/openvidu
 * (is_elasticsearch_enabled / is_elasticsearch_secured, since 2.26); the AMI
 * job, openvidu-server/deployments/enterprise/aws/cfn-crete-ov-aws-asg-ami.yaml.template
 * (/usr/local/bin/openvidu-init.sh). Docker Compose's reading of `.env`:
 * compose-go's dotenv parser.
 */
import * as assert from "assert";
import { execFile, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { HOLD_ENV, holdCommand, renderMasterUserData } from "../components/envFile/masterBoot";
import { Imds, startImds } from "./support/bootSim/imds";
import { STOCK_ENV } from "./support/bootSim/machine";
import { hasCommand } from "./support/commands";
import { composeDotenvReader, composeReads, modelReads } from "./support/composeDotenv";

const SIM = path.join(__dirname, "support", "bootSim");
const CREDENTIALS = { AccessKeyId: "AKIDEXAMPLE", SecretAccessKey: "not-a-secret", Token: "token" };

/** The placeholder of 0.2.0 (Elasticsearch `true`, an empty password), kept to show the AMI job lifts it. */
const HOLD_ENV_BEFORE_ISSUE_15 = ["OPENVIDU_PRO_ELASTICSEARCH=true", "ELASTICSEARCH_PASSWORD="];

/** Every key the AMI job reads from the user data (openvidu-init.sh's extractions). */
const AMI_JOB_USER_DATA_KEYS = [
    "DOMAIN_OR_PUBLIC_IP", "OPENVIDU_PRO_LICENSE", "OPENVIDU_SECRET", "OPENVIDU_ENTERPRISE_MEDIA_SERVER",
    "OPENVIDU_PRO_ELASTICSEARCH", "OPENVIDU_PRO_ELASTICSEARCH_HOST", "OPENVIDU_PRO_KIBANA_HOST", "ELASTICSEARCH_USERNAME",
    "ELASTICSEARCH_PASSWORD", "OPENVIDU_PRO_CLUSTER_ID", "OPENVIDU_PRO_CONFIG_S3_BUCKET", "OPENVIDU_RECORDING",
    "OPENVIDU_PRO_COTURN_IN_MEDIA_NODES", "RM_REDIS_IP", "RM_REDIS_PORT", "RM_SQS_QUEUE", "RM_CLOUDFORMATION_ARN",
    "RM_MEDIA_NODES_AUTOSCALING_GROUP_NAME", "RM_MASTER_NODES_AUTOSCALING_GROUP_NAME", "OPENVIDU_ENTERPRISE_S3_CONFIG_AUTORESTART",
];

/** CloudFormation's pipe-format user data, as upstream's template gives the AMI job. */
const pipeUserData = (elasticsearch: string): string => [
    "DOMAIN_OR_PUBLIC_IP=openvidu.example.com", "OPENVIDU_PRO_LICENSE=lic-123456", "OPENVIDU_SECRET=secret-123456",
    "OPENVIDU_ENTERPRISE_MEDIA_SERVER=mediasoup", `OPENVIDU_PRO_ELASTICSEARCH=${elasticsearch}`,
    "OPENVIDU_PRO_ELASTICSEARCH_HOST=https://es.example.com:443", "OPENVIDU_PRO_KIBANA_HOST=https://kibana.example.com:443",
    "ELASTICSEARCH_USERNAME=elasticadmin", "ELASTICSEARCH_PASSWORD=password-123456", "OPENVIDU_PRO_CLUSTER_ID=prod",
    "OPENVIDU_PRO_CONFIG_S3_BUCKET=prod-bucket", "OPENVIDU_RECORDING=true", "RM_REDIS_IP=10.0.0.1", "RM_REDIS_PORT=6379",
    "OPENVIDU_ENTERPRISE_S3_CONFIG_AUTORESTART=true",
].join(" | ");

interface Run {
    status: number | null;
    /** Launcher events: `event reason`, e.g. `refused elasticsearch-password-too-short`. */
    events: string[];
    /** `.env` as the last start read it. */
    envAtStart?: string;
    running: string[];
}

class Sandbox {
    readonly root = fs.mkdtempSync(path.join(os.tmpdir(), "openvidu-hold-"));
    readonly dir = path.join(this.root, "opt", "openvidu");
    readonly records = path.join(this.root, "records");
    readonly marker = path.join(this.root, "var", "lib", "openvidu", ".openvidu-first-run");

    constructor(envText: string) {
        for (const dir of [this.dir, this.records]) fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(path.join(this.dir, ".env"), envText);
        fs.copyFileSync(path.join(SIM, "launcher.sh"), path.join(this.dir, "openvidu"));
        fs.chmodSync(path.join(this.dir, "openvidu"), 0o755);
    }

    private env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
        return {
            PATH: "/usr/local/bin:/usr/bin:/bin", LANG: "C.UTF-8", SIM_RECORDS: this.records, SIM_CALLER: "cron",
            SIM_DOCKER_MODEL: path.join(SIM, "docker.sh"), SIM_DOCKER_STATE: path.join(this.root, "docker"), FOLLOW_OPENVIDU_LOGS: "false", ...extra,
        };
    }

    private collect(status: number | null): Run {
        const file = path.join(this.records, "events");
        const lines = fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim().split("\n") : [];
        const events = lines.map((line) => line.split(" ")).map(([event, , , detail]) => (detail ? `${event} ${detail}` : event));
        const last = lines.map((line) => line.split(" ")[2]).filter((snapshot) => snapshot && snapshot !== "-").pop();
        const containers = path.join(this.root, "docker", "containers");
        const running = fs.existsSync(containers) ? fs.readdirSync(containers).sort() : [];
        return { status, events, envAtStart: last ? fs.readFileSync(last, "utf8") : undefined, running };
    }

    launcher(command: "start" | "stop"): Run {
        const result = spawnSync(path.join(this.dir, "openvidu"), [command], { env: this.env(), encoding: "utf8" });
        return this.collect(result.status);
    }

    /** The AMI job's model, first-run marker absent: its first-run edits, then stop and start (async: IMDS is in this process). */
    async amiJob(imds: Imds): Promise<Run> {
        const env = this.env({ SIM_OPENVIDU_DIR: this.dir, SIM_FIRST_RUN_MARKER: this.marker, SIM_IMDS: imds.endpoint });
        const { status, stderr } = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
            const child = execFile("/bin/bash", [path.join(SIM, "ami-reboot-job.sh")], { env, timeout: 30000 }, (_error, _stdout, err) => resolve({ status: child.exitCode, stderr: err }));
        });
        assert.ok(fs.existsSync(this.marker), `the AMI job ran its first-run branch: ${stderr}`);
        return this.collect(status);
    }

    dispose(): void {
        fs.rmSync(this.root, { recursive: true, force: true });
    }
}

/** The placeholder exactly as bootcmd writes it: the bootcmd run with /opt/openvidu and the log moved into a sandbox. */
function placeholderFromBootcmd(): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "openvidu-bootcmd-"));
    try {
        const script = holdCommand().split("/opt/openvidu").join(`${root}/opt/openvidu`)
            .split("/var/lib/openvidu").join(`${root}/var/lib/openvidu`).split("/var/log/").join(`${root}/`);
        const result = spawnSync("/bin/sh", ["-c", script], { encoding: "utf8" });
        assert.strictEqual(result.status, 0, result.stderr);
        const env = path.join(root, "opt", "openvidu", ".env");
        // Only root reads it, like the cluster's .env that replaces it (mktemp's 0600).
        assert.strictEqual(fs.statSync(env).mode & 0o777, 0o600);
        return fs.readFileSync(env, "utf8");
    } finally {
        fs.rmSync(root, { recursive: true, force: true });
    }
}

const lines = (...settings: string[]): string => settings.join("\n") + "\n";

describe("the launcher model refuses what OpenVidu's 2.x launcher refuses (tests/support/bootSim/launcher.sh)", () => {
    const sandboxes: Sandbox[] = [];
    after(() => sandboxes.forEach((s) => s.dispose()));
    const start = (text: string): Run => {
        const sandbox = new Sandbox(text);
        sandboxes.push(sandbox);
        return sandbox.launcher("start");
    };
    const user = "ELASTICSEARCH_USERNAME=elasticadmin";

    const cases: Array<[string, string, string]> = [
        ["Elasticsearch empty is on: no user or password, refused", lines("OPENVIDU_PRO_ELASTICSEARCH="), "refused elasticsearch-user-or-password-empty"],
        ["Elasticsearch absent is on: refused", lines("DOMAIN_OR_PUBLIC_IP=a.example.com"), "refused elasticsearch-user-or-password-empty"],
        ["a commented-out `false` is not read: on, refused", lines("#OPENVIDU_PRO_ELASTICSEARCH=false"), "refused elasticsearch-user-or-password-empty"],
        ["`true` with user and a 6-character password: starts", lines("OPENVIDU_PRO_ELASTICSEARCH=true", user, "ELASTICSEARCH_PASSWORD=abcdef"), "start"],
        ["`true` with a 5-character password: refused", lines("OPENVIDU_PRO_ELASTICSEARCH=true", user, "ELASTICSEARCH_PASSWORD=abcde"), "refused elasticsearch-password-too-short"],
        ["empty with user and password: starts", lines("OPENVIDU_PRO_ELASTICSEARCH=", user, "ELASTICSEARCH_PASSWORD=abcdef"), "start"],
        ["`true` with a password and no user: refused", lines("OPENVIDU_PRO_ELASTICSEARCH=true", "ELASTICSEARCH_USERNAME=", "ELASTICSEARCH_PASSWORD=abcdef"), "refused elasticsearch-user-or-password-empty"],
        ["`true` with a user and no password: refused", lines("OPENVIDU_PRO_ELASTICSEARCH=true", user, "ELASTICSEARCH_PASSWORD="), "refused elasticsearch-user-or-password-empty"],
        ["`false`: no Elasticsearch check, starts", lines("OPENVIDU_PRO_ELASTICSEARCH=false"), "start"],
        ["any value but `true` (`True`) is off: starts", lines("OPENVIDU_PRO_ELASTICSEARCH=True"), "start"],
        ["a line Docker Compose cannot read (a key with spaces): refused, even with Elasticsearch off",
            lines("OPENVIDU_PRO_ELASTICSEARCH=false", "OPENVIDU IS HELD"), "refused compose-cannot-read-env"],
    ];
    for (const [name, text, expected] of cases) {
        it(name, () => {
            const run = start(text);
            assert.deepStrictEqual(run.events, [expected]);
            assert.strictEqual(run.status, expected === "start" ? 0 : 1);
            assert.deepStrictEqual(run.running.length > 0, expected === "start", "containers exist exactly when it started");
        });
    }

    it("`stop` (compose down) removes the containers, and fails on a file compose cannot read", () => {
        const sandbox = new Sandbox(lines("OPENVIDU_PRO_ELASTICSEARCH=false"));
        sandboxes.push(sandbox);
        assert.deepStrictEqual(sandbox.launcher("start").running, ["coturn", "filebeat", "metricbeat", "openvidu-server", "replication-manager"]);
        fs.writeFileSync(path.join(sandbox.dir, ".env"), lines("OPENVIDU IS HELD"));
        const failed = sandbox.launcher("stop");
        assert.strictEqual(failed.status, 1);
        assert.strictEqual(failed.running.length, 5, "nothing removed");
        fs.writeFileSync(path.join(sandbox.dir, ".env"), lines("OPENVIDU_PRO_ELASTICSEARCH=false"));
        assert.deepStrictEqual(sandbox.launcher("stop").running, []);
    });
});

describe("the hold placeholder holds on its own", function () {
    this.timeout(60000);
    let imds: Imds;
    const sandboxes: Sandbox[] = [];
    let placeholder: string;
    const ourUserData = renderMasterUserData({ bucket: "prod-0123456789", key: ".env", region: "eu-west-1", logGroup: "/openvidu/prod-abf890/boot" });

    before(async function () {
        if (!hasCommand("curl")) this.skip();
        placeholder = placeholderFromBootcmd();
        imds = await startImds({
            userData: ourUserData, instanceId: "i-0h0ld", availabilityZone: "eu-west-1a", roleName: "openvidu-master",
            credentials: CREDENTIALS, delayMs: 0, jitterMs: 0,
        });
    });
    after(async () => {
        sandboxes.forEach((s) => s.dispose());
        await imds?.close();
    });
    const sandbox = (text: string): Sandbox => {
        const created = new Sandbox(text);
        sandboxes.push(created);
        return created;
    };

    it("is what HOLD_ENV says, with no secret and no configuration key", () => {
        const settings = placeholder.split("\n").filter((line) => line !== "" && !line.startsWith("#"));
        assert.deepStrictEqual(settings, HOLD_ENV.filter((line) => !line.startsWith("#")));
        assert.deepStrictEqual(settings, ["OPENVIDU_PRO_ELASTICSEARCH=", "OPENVIDU IS HELD BY A PLACEHOLDER"]);
    });

    it("docs/env-file.md shows it as bootcmd writes it", () => {
        const docs = fs.readFileSync(path.join(__dirname, "..", "docs", "env-file.md"), "utf8");
        assert.ok(docs.includes(`\`\`\`\n${HOLD_ENV.join("\n")}\n\`\`\``), "the placeholder block in docs/env-file.md differs from HOLD_ENV");
    });

    it("the launcher and Docker Compose each refuse it (two locks)", () => {
        assert.deepStrictEqual(sandbox(placeholder).launcher("start").events, ["refused elasticsearch-user-or-password-empty"]);
        const withoutElasticsearchLock = placeholder.replace("OPENVIDU_PRO_ELASTICSEARCH=\n", "OPENVIDU_PRO_ELASTICSEARCH=false\n");
        assert.notStrictEqual(withoutElasticsearchLock, placeholder);
        assert.deepStrictEqual(sandbox(withoutElasticsearchLock).launcher("start").events, ["refused compose-cannot-read-env"]);
    });

    it("the user data gives the AMI job no value to insert: none of the keys it reads appears as KEY=", () => {
        const model = fs.readFileSync(path.join(SIM, "ami-reboot-job.sh"), "utf8");
        for (const key of AMI_JOB_USER_DATA_KEYS) assert.ok(model.includes(key), `the AMI job's model reads ${key}`);
        const found = AMI_JOB_USER_DATA_KEYS.filter((key) => ourUserData.includes(`${key}=`));
        assert.deepStrictEqual(found, []);
    });

    for (const [name, userData] of [
        ["the program's user data", undefined],
        ["CloudFormation's user data, Elasticsearch off", pipeUserData("false")],
        ["CloudFormation's user data, Elasticsearch on with a user and password", pipeUserData("true")],
    ] as Array<[string, string | undefined]>) {
        it(`the AMI job's first-run edits (marker absent) cannot lift it: ${name}`, async () => {
            imds.state.userData = userData ?? ourUserData;
            const run = await sandbox(placeholder).amiJob(imds);
            assert.deepStrictEqual(run.events, ["stop-failed compose-cannot-read-env", "refused elasticsearch-user-or-password-empty"]);
            assert.deepStrictEqual(run.running, []);
            assert.notStrictEqual(run.envAtStart, placeholder, "the first-run branch did edit the file (it appended its lines)");
            // The second lock still stands after the edits, were Elasticsearch off.
            const forcedOff = run.envAtStart!.replace("OPENVIDU_PRO_ELASTICSEARCH=\n", "OPENVIDU_PRO_ELASTICSEARCH=false\n");
            assert.deepStrictEqual(sandbox(forcedOff).launcher("start").events, ["refused compose-cannot-read-env"]);
        });
    }

    it("the placeholder of 0.2.0 is lifted by the same edits (the scenario has teeth)", async () => {
        imds.state.userData = ourUserData;
        const run = await sandbox(lines(...HOLD_ENV_BEFORE_ISSUE_15)).amiJob(imds);
        assert.deepStrictEqual(run.events, ["stop", "start"]);
        assert.match(run.envAtStart!, /^OPENVIDU_PRO_ELASTICSEARCH=false$/m);
    });
});

describe("Docker Compose's own parser (compose-go, tools/compose-dotenv) reads .env files as the model does", function () {
    this.timeout(600000);
    let binary: string;
    before(function () {
        const reader = composeDotenvReader();
        if (!reader.binary) {
            console.log(`      skipped: ${reader.unavailable}`);
            this.skip();
        }
        binary = reader.binary!;
    });

    it("refuses the placeholder, also after the AMI job's first-run edits; reads the files OpenVidu starts on", () => {
        const placeholder = placeholderFromBootcmd();
        const files: Array<[string, string, boolean]> = [
            ["the placeholder", placeholder, false],
            ["the placeholder after the first-run edits", `${placeholder}OPENVIDU_ENTERPRISE_S3_CONFIG_AUTORESTART=false\nCOTURN_SHARED_SECRET_KEY=0a1b\n\n`, false],
            ["the placeholder with Elasticsearch off", placeholder.replace("OPENVIDU_PRO_ELASTICSEARCH=\n", "OPENVIDU_PRO_ELASTICSEARCH=false\n"), false],
            ["the stock .env", STOCK_ENV, true],
            ["settings, comments, blank lines, export, a value with = and spaces", lines("# c", "", "A=1", "export B=2", "C=x=y z", "  D=4", "E="), true],
            ["a key with a space", lines("A=1", "NOT A KEY=2"), false],
        ];
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "compose-dotenv-"));
        try {
            const paths = files.map(([, text], i) => {
                const file = path.join(dir, `${i}.env`);
                fs.writeFileSync(file, text);
                return file;
            });
            const verdicts = composeReads(binary, paths);
            const disagreements = files.flatMap(([name, , expected], i) => [
                (verdicts[i] === "ok") !== expected ? `compose-go: ${name}: ${verdicts[i]}` : "",
                modelReads(paths[i]) !== expected ? `model: ${name}: ${modelReads(paths[i]) ? "reads it" : "refuses it"}` : "",
            ]).filter(Boolean);
            assert.deepStrictEqual(disagreements, []);
            assert.match(verdicts[0], /line 4: key cannot contain a space/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
