/**
 * A simulated OpenVidu master for the boot simulation: a sandboxed root
 * directory with the AMI's files (stock `.env`, a stand-in launcher), the
 * AMI's `@reboot` job (a model, ami-reboot-job.sh) and cloud-init, booted in
 * a chosen order against an IMDSv2 stand-in and a real S3 (Ceph RGW).
 *
 * How the user data runs here, unchanged except for paths:
 * - it is parsed by cloud-init's own Python code (YAML loader and `shellify`,
 *   which turns `bootcmd` into the script cloud-init runs with `/bin/sh`);
 * - the absolute paths of the master (/opt/openvidu, /var/lib/openvidu,
 *   /var/lib/cloud, /var/log, /usr/local/lib/openvidu, and /dev/console,
 *   which becomes a plain file) are rewritten into the sandbox root by plain
 *   text replacement (so a path the rewrite misses would touch this machine,
 *   not the sandbox: the paths are few and listed in MASTER_BOOT); nothing
 *   test-only is added to the user data;
 * - IMDS, S3 and EC2 are reached through the standard variables
 *   AWS_EC2_METADATA_SERVICE_ENDPOINT, AWS_ENDPOINT_URL_S3,
 *   AWS_ENDPOINT_URL_EC2 (the outcome tag) and AWS_ENDPOINT_URL_CLOUDWATCH_LOGS
 *   (the boot's lines), which the user
 *   data honours (the old user data hard-codes 169.254.169.254: for it alone,
 *   `redirectImdsAddress` rewrites that address to the stand-in);
 * - `sleep` runs 1000 times faster (a shim on PATH), so bounded retries of
 *   minutes take a fraction of a second; `aws` is absent, as on the AMI;
 *   `docker` is a model (docker.sh) of the containers OpenVidu's compose file
 *   creates, which the launcher model starts and stops.
 * Ordering modelled (cloud-init on Ubuntu, systemd): bootcmd and write_files
 * in the init stage, before cron; on a reboot, the Docker daemon then restarts
 * the last boot's `restart: always` containers (docker.service is ordered after
 * cloud-init's network stage, so after bootcmd, and starts with or before
 * cron); then the AMI job (cron, multi-user.target) and cloud-init's final
 * stage (per-boot scripts every boot; a `#!` user data script on the first
 * boot only), in the order the scenario asks.
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const HERE = __dirname;

/** The AMI's stock `.env`: a template with empty values (reference/openvidu-ami.md). */
export const STOCK_ENV = [
    "# OpenVidu configuration (stock template of the master AMI)",
    "DOMAIN_OR_PUBLIC_IP=",
    "OPENVIDU_PRO_LICENSE=",
    "OPENVIDU_SECRET=",
    "CERTIFICATE_TYPE=selfsigned",
    "OPENVIDU_EDITION=enterprise",
    "OPENVIDU_ENTERPRISE_MEDIA_SERVER=",
    "OPENVIDU_PRO_CLUSTER_ID=",
    "OPENVIDU_PRO_CLUSTER_ENVIRONMENT=",
    "OPENVIDU_PRO_ELASTICSEARCH=true",
    "OPENVIDU_PRO_ELASTICSEARCH_HOST=",
    "OPENVIDU_PRO_KIBANA_HOST=",
    "ELASTICSEARCH_USERNAME=",
    "ELASTICSEARCH_PASSWORD=",
    "OPENVIDU_RECORDING=false",
    "OPENVIDU_PRO_RECORDING_STORAGE=",
    "#OPENVIDU_PRO_AWS_S3_BUCKET=",
    "#OPENVIDU_PRO_AWS_REGION=",
    "COTURN_INTERNAL_RELAY=false",
    "AWS_CLI_DOCKER_TAG=2.22.0",
    "",
].join("\n");

export type BootOrder = "ami-job-first" | "user-data-first" | "concurrent";

export interface LauncherEvent {
    /**
     * The launcher's (start, refused, followed-logs, stop, stop-failed), or
     * Docker's: `restored` (the daemon restarted the last boot's containers),
     * `containers-stopped` (`docker stop`).
     */
    event: "start" | "refused" | "followed-logs" | "stop" | "stop-failed" | "restored" | "containers-stopped";
    caller: string;
    /** The `.env` as the launcher read it (start, refused, followed-logs); for `restored`, the `.env` on disk then. */
    env?: string;
    /** Why the launcher refused; the containers restored or stopped (comma-separated). */
    detail?: string;
}

export interface ProcessResult {
    name: string;
    /** Exit code, or "timeout" when it had to be killed. */
    code: number | "timeout";
    output: string;
}

export interface BootOutcome {
    events: LauncherEvent[];
    /** /opt/openvidu/.env once the boot settled. */
    finalEnv: string;
    /** What this boot appended to /var/log/openvidu-boot.log. */
    bootLog: string;
    processes: ProcessResult[];
    /** The containers (compose services) running once the boot settled. */
    running: string[];
}

export interface BootScenario {
    /** The AMI job's first-run marker is gone when the job runs (its first-run edits run). */
    firstRunMarkerRemoved?: boolean;
}

export interface MachineOptions {
    userData: string;
    imdsEndpoint: string;
    /** AWS_ENDPOINT_URL_S3 in cloud-init's environment. */
    s3Endpoint?: string;
    /** AWS_ENDPOINT_URL_EC2 (the outcome tag); a closed loopback port when unset, so nothing leaves the machine. */
    ec2Endpoint?: string;
    /** AWS_ENDPOINT_URL_CLOUDWATCH_LOGS (the boot's lines); a closed loopback port when unset. */
    logsEndpoint?: string;
    /** Rewrite the hard-coded IMDS address (only for user data that does not honour the variable). */
    redirectImdsAddress?: boolean;
    /** A process still running after this is killed and reported. @default 60000 */
    processTimeoutMs?: number;
}

interface CloudConfig {
    bootcmd: string | null;
    writeFiles: Array<{ path: string; content: string; permissions?: string }>;
}

/** Parses `#cloud-config` with cloud-init's own loader, `shellify` and write_files decoding (the Debian cloud-init package). */
export function parseCloudConfig(userData: string): CloudConfig {
    const program = [
        "import json, sys",
        "from cloudinit import util",
        "from cloudinit.config.cc_write_files import canonicalize_extraction, extract_contents",
        "cfg = util.load_yaml(sys.stdin.read())",
        "boot = cfg.get('bootcmd')",
        "files = cfg.get('write_files', [])",
        "for f in files:",
        "    if 'encoding' in f:",
        "        f['content'] = extract_contents(f['content'], canonicalize_extraction(f.pop('encoding'))).decode('utf-8')",
        "print(json.dumps({'keys': sorted(cfg), 'bootcmd': util.shellify(boot) if boot else None, 'write_files': files}))",
    ].join("\n");
    const result = spawnSync("/usr/bin/python3", ["-c", program], { input: userData, encoding: "utf8" });
    if (result.status !== 0) throw new Error(`cloud-init could not load the user data: ${result.stderr}`);
    const parsed = JSON.parse(result.stdout) as { keys: string[]; bootcmd: string | null; write_files: Array<Record<string, string>> };
    const unsupported = parsed.keys.filter((key) => !["bootcmd", "write_files"].includes(key));
    if (unsupported.length > 0) throw new Error(`the simulation does not model cloud-config keys ${unsupported.join(", ")}`);
    for (const file of parsed.write_files) {
        const extra = Object.keys(file).filter((key) => !["path", "content", "permissions", "owner"].includes(key));
        if (extra.length > 0) throw new Error(`the simulation does not model write_files options ${extra.join(", ")}`);
    }
    return {
        bootcmd: parsed.bootcmd,
        writeFiles: parsed.write_files.map((file) => ({ path: file.path, content: file.content ?? "", permissions: file.permissions })),
    };
}

/** True when cloud-init's Python modules are importable (Debian package cloud-init). */
export function cloudInitAvailable(): boolean {
    return spawnSync("/usr/bin/python3", ["-c", "import cloudinit.util"], { stdio: "ignore" }).status === 0;
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class SimulatedMaster {
    readonly root: string;
    readonly instanceId: string;
    private readonly records: string;
    private readonly shims: string;
    private readonly dockerState: string;
    private readonly userData: string;
    private readonly cloudConfig?: CloudConfig;
    private boots = 0;

    constructor(private readonly options: MachineOptions, instanceId: string) {
        this.instanceId = instanceId;
        this.root = fs.mkdtempSync(path.join(os.tmpdir(), "openvidu-master-"));
        this.records = path.join(this.root, "sim-records");
        this.shims = path.join(this.root, "sim-bin");
        this.dockerState = path.join(this.root, "sim-docker");
        for (const dir of ["opt/openvidu", "var/lib", "var/log", "var/lib/cloud/scripts/per-boot", "dev", "sim-records", "sim-bin"]) {
            fs.mkdirSync(path.join(this.root, dir), { recursive: true });
        }
        fs.writeFileSync(this.path("/opt/openvidu/.env"), STOCK_ENV, { mode: 0o644 });
        fs.copyFileSync(path.join(HERE, "launcher.sh"), this.path("/opt/openvidu/openvidu"));
        fs.chmodSync(this.path("/opt/openvidu/openvidu"), 0o755);
        const realSleep = spawnSync("sh", ["-c", "command -v sleep"], { encoding: "utf8" }).stdout.trim();
        fs.writeFileSync(path.join(this.shims, "sleep"), `#!/bin/sh\nexec ${realSleep} "$(awk -v s="$1" 'BEGIN { printf "%.3f", s / 1000 }')"\n`, { mode: 0o755 });
        fs.writeFileSync(path.join(this.shims, "docker"), `#!/bin/sh\nexec /bin/bash ${path.join(HERE, "docker.sh")} "$@"\n`, { mode: 0o755 });
        fs.writeFileSync(path.join(this.shims, "aws"), "#!/bin/sh\necho 'aws: command not found (the master AMI has no AWS CLI)' >&2\nexit 127\n", { mode: 0o755 });
        this.userData = this.rewrite(options.userData);
        if (this.userData.startsWith("#cloud-config")) this.cloudConfig = parseCloudConfig(this.userData);
    }

    /** A master path inside the sandbox. */
    path(masterPath: string): string {
        return path.join(this.root, masterPath);
    }

    private rewrite(text: string): string {
        let out = text;
        for (const prefix of ["/opt/openvidu", "/var/lib/openvidu", "/var/lib/cloud/", "/var/log/", "/usr/local/lib/openvidu/", "/dev/console"]) {
            out = out.split(prefix).join(this.root + prefix);
        }
        if (this.options.redirectImdsAddress) out = out.split("http://169.254.169.254").join(this.options.imdsEndpoint);
        if (!out.includes(this.path("/opt/openvidu"))) throw new Error("the user data never mentions /opt/openvidu: nothing to rewrite");
        return out;
    }

    private environment(caller: string): NodeJS.ProcessEnv {
        const env: NodeJS.ProcessEnv = {
            PATH: `${this.shims}:/usr/local/bin:/usr/bin:/bin`,
            LANG: "C.UTF-8",
            SIM_RECORDS: this.records,
            SIM_CALLER: caller,
            SIM_DOCKER_MODEL: path.join(HERE, "docker.sh"),
            SIM_DOCKER_STATE: this.dockerState,
        };
        if (caller === "cron") {
            Object.assign(env, {
                SIM_OPENVIDU_DIR: this.path("/opt/openvidu"),
                SIM_FIRST_RUN_MARKER: this.path("/var/lib/openvidu/.openvidu-first-run"),
                SIM_IMDS: this.options.imdsEndpoint,
            });
        } else {
            env.AWS_EC2_METADATA_SERVICE_ENDPOINT = this.options.imdsEndpoint;
            if (this.options.s3Endpoint !== undefined) env.AWS_ENDPOINT_URL_S3 = this.options.s3Endpoint;
            env.AWS_ENDPOINT_URL_EC2 = this.options.ec2Endpoint ?? "http://127.0.0.1:9/";
            env.AWS_ENDPOINT_URL_CLOUDWATCH_LOGS = this.options.logsEndpoint ?? "http://127.0.0.1:9/";
        }
        return env;
    }

    private run(name: string, command: string, args: string[], caller: string): Promise<ProcessResult> {
        return new Promise((resolve) => {
            const child = spawn(command, args, { env: this.environment(caller), cwd: this.root, detached: true, stdio: ["ignore", "pipe", "pipe"] });
            let output = "";
            child.stdout.on("data", (chunk) => { output += chunk; });
            child.stderr.on("data", (chunk) => { output += chunk; });
            const timer = setTimeout(() => {
                try {
                    process.kill(-child.pid!, "SIGKILL");
                } catch {
                    // already gone
                }
                resolve({ name, code: "timeout", output });
            }, this.options.processTimeoutMs ?? 60000);
            child.on("close", (code) => {
                clearTimeout(timer);
                resolve({ name, code: code ?? -1, output });
            });
        });
    }

    /** cloud-init's init stage: bootcmd (every boot), write_files (first boot of the instance). */
    private async initStage(first: boolean): Promise<ProcessResult[]> {
        if (!this.cloudConfig) return [];
        const results: ProcessResult[] = [];
        if (this.cloudConfig.bootcmd) {
            const script = path.join(this.root, `sim-bootcmd-${this.boots}.sh`);
            fs.writeFileSync(script, this.cloudConfig.bootcmd, { mode: 0o700 });
            results.push(await this.run("bootcmd", "/bin/sh", [script], "cloud-init"));
        }
        if (first) {
            for (const file of this.cloudConfig.writeFiles) {
                fs.mkdirSync(path.dirname(file.path), { recursive: true });
                fs.writeFileSync(file.path, file.content);
                fs.chmodSync(file.path, parseInt(file.permissions ?? "0644", 8));
            }
        }
        return results;
    }

    /** cloud-init's final stage: per-boot scripts every boot; a `#!` user data script on the first boot. */
    private async finalStage(first: boolean): Promise<ProcessResult[]> {
        const results: ProcessResult[] = [];
        const perBoot = this.path("/var/lib/cloud/scripts/per-boot");
        for (const script of fs.readdirSync(perBoot).sort()) {
            results.push(await this.run(`per-boot ${script}`, path.join(perBoot, script), [], "cloud-init"));
        }
        if (first && this.userData.startsWith("#!")) {
            const script = path.join(this.root, "sim-user-data.sh");
            fs.writeFileSync(script, this.userData, { mode: 0o700 });
            results.push(await this.run("user-data script", script, [], "cloud-init"));
        }
        return results;
    }

    private amiJob(): Promise<ProcessResult> {
        return this.run("AMI @reboot job", "/bin/bash", [path.join(HERE, "ami-reboot-job.sh")], "cron");
    }

    /** The machine stops; the Docker daemon starts again and restarts the `restart: always` containers. */
    private dockerDaemonRestart(): Promise<ProcessResult> {
        const seen = path.join(this.records, `disk-env.${this.boots}`);
        fs.copyFileSync(this.path("/opt/openvidu/.env"), seen);
        return this.run("Docker daemon", "/bin/bash", [path.join(HERE, "docker.sh"), "--daemon-restart", seen], "docker");
    }

    /** The containers running now. */
    running(): string[] {
        const containers = path.join(this.dockerState, "containers");
        if (!fs.existsSync(containers)) return [];
        return fs.readdirSync(containers).filter((name) => /^status=running$/m.test(fs.readFileSync(path.join(containers, name), "utf8"))).sort();
    }

    /** Boots (first boot, then reboots) in `order`; `jitterMs` spreads the concurrent starts. */
    async boot(order: BootOrder, jitterMs = 0, scenario: BootScenario = {}): Promise<BootOutcome> {
        const first = this.boots === 0;
        this.boots++;
        const logFile = this.path("/var/log/openvidu-boot.log");
        const logBefore = fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8").length : 0;
        const processes = await this.initStage(first);
        if (!first) processes.push(await this.dockerDaemonRestart());
        if (scenario.firstRunMarkerRemoved) fs.rmSync(this.path("/var/lib/openvidu/.openvidu-first-run"), { force: true });
        if (order === "ami-job-first") {
            processes.push(await this.amiJob());
            processes.push(...await this.finalStage(first));
        } else if (order === "user-data-first") {
            processes.push(...await this.finalStage(first));
            processes.push(await this.amiJob());
        } else {
            const [cron, final] = await Promise.all([
                delay(Math.random() * jitterMs).then(() => this.amiJob()),
                delay(Math.random() * jitterMs).then(() => this.finalStage(first)),
            ]);
            processes.push(cron, ...final);
        }
        const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8").slice(logBefore) : "";
        return {
            events: this.takeEvents(), finalEnv: fs.readFileSync(this.path("/opt/openvidu/.env"), "utf8"), bootLog: log, processes,
            running: this.running(),
        };
    }

    private takeEvents(): LauncherEvent[] {
        const file = path.join(this.records, "events");
        if (!fs.existsSync(file)) return [];
        const events = fs.readFileSync(file, "utf8").trim().split("\n").map((line) => {
            const [event, caller, snapshot, detail] = line.split(" ");
            const env = snapshot && snapshot !== "-" ? fs.readFileSync(snapshot, "utf8") : undefined;
            return { event, caller, env, ...(detail ? { detail } : {}) } as LauncherEvent;
        });
        for (const name of fs.readdirSync(this.records)) fs.rmSync(path.join(this.records, name));
        return events;
    }

    dispose(): void {
        fs.rmSync(this.root, { recursive: true, force: true });
    }
}
