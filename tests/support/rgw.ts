/**
 * A throwaway single-node Ceph cluster with the RADOS Gateway, a production
 * S3 implementation that honours conditional writes, for the `.env`
 * provider's concurrency tests. One monitor, one memstore OSD and the
 * gateway, no cephx, all on 127.0.0.1. Starts in ~15 s. Test files get one
 * through support/sharedRgw.ts: one cluster for a whole `npm test` run.
 *
 * Why starts used to fail ("ceph-osd ... mon_cmd_maybe_osd_create fail:
 * 'wrong fsid'", about 1 start in 10, more under load): a Ceph 16 daemon or
 * CLI first fetches the monitor map to read the monitors' config, then builds
 * its real client's first map from the addresses alone, with a zero fsid,
 * until the monitor's own map arrives. A command sent in that window is
 * refused ("handle_command on fsid 00000000-... != <fsid>" in the monitor's
 * log): the OSD's init-time CRUSH commands (it then exits), or the CLI's
 * first call ("problem getting command descriptions from mon", EPERM). So the
 * OSD sends no command at init (`osd crush update on start` and `osd class
 * update on start` off; the CLI places it in the CRUSH map before it starts),
 * and a CLI call refused that way, before it did anything, is sent again.
 *
 * Isolated, because other clusters may start on the same machine at the same
 * time (another test run, a benchmark):
 * - each attempt has its own directory (config, mon and osd data, logs, pid
 *   files) and its own fsid; nothing is ever reused;
 * - its ports are a block reserved with a lock file, outside the kernel's
 *   ephemeral range (so no bind(0) listener or outgoing connection can take
 *   them between choosing and binding) and outside Ceph's default 6800-7300
 *   (so two clusters' OSDs never race for the same port);
 * - it checks that the monitor answering on its port is its own (same fsid);
 * - stop() and the process's exit kill exactly the daemons started here
 *   (pid files, checked against each process's command line), so no daemon
 *   outlives its test run; orphans of runs that died are reaped.
 * A start that still fails is retried from scratch (new directory, fsid and
 * ports) with the reason printed.
 *
 * Diagnosis: OPENVIDU_RGW_DEBUG=1 raises the daemons' log levels;
 * OPENVIDU_RGW_KEEP_FAILED=<dir> keeps a failed attempt's config and logs there.
 */
import { execFileSync } from "child_process";
import { randomInt, randomUUID } from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { hasCommand } from "./commands";

export interface Rgw {
    /** The cluster's ceph.conf: what a Ceph command needs to reach it (`cephCommands`). */
    conf: string;
    /** Reasons of the attempts that failed before this one started (retried). */
    failedAttempts?: string[];
    /** CLI calls the monitor refused in the zero-fsid window and that were sent again (see above). */
    resentCommands?: number;
    endpoint: string;
    accessKey: string;
    secretKey: string;
    /** Runs radosgw-admin against this cluster (users, caps, roles); returns its output. */
    admin(args: string[]): string;
    stop(): void;
}

const BINARIES = ["monmaptool", "ceph-mon", "ceph-osd", "ceph", "radosgw", "radosgw-admin"];
const DIR_PREFIX = "openvidu-rgw-";
const ATTEMPTS = 3;
/** Port blocks: [mon, gateway, OSD messengers ×6]. Below the ephemeral range (32768-60999 here). */
const PORTS = { low: 20000, high: 29999, block: 8 };
// Not under DIR_PREFIX: the orphan reaper scans those names for cluster directories.
const PORT_LOCKS = path.join(os.tmpdir(), "openvidu-rgw.ports");

/** Why RGW cannot run here, or undefined when it can. */
export function rgwUnavailable(): string | undefined {
    const missing = BINARIES.filter((binary) => !hasCommand(binary));
    if (missing.length === 0) return undefined;
    return `${missing.join(", ")} not installed (apt-get install radosgw ceph-mon ceph-osd ceph-common; .ci/run does)`;
}

function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

/** A process that is running and not a zombie. */
function running(pid: number): boolean {
    try {
        return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
    } catch {
        return false;
    }
}

/** Whether the daemon `name` of a cluster directory (by its pid file) is running. */
function daemonRunning(dir: string, name: string): boolean {
    const pid = Number(readOr(path.join(dir, "run", `${name}.pid`), "0"));
    return pid === 0 || running(pid); // no pid file yet: still starting
}

function commandLine(pid: number): string {
    try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
    } catch {
        return "";
    }
}

/** Kills the daemons of a cluster directory: only processes whose command line names its config. */
function killDaemons(dir: string): void {
    const runDir = path.join(dir, "run");
    const conf = path.join(dir, "ceph.conf");
    const pids = (fs.existsSync(runDir) ? fs.readdirSync(runDir).filter((f) => f.endsWith(".pid")) : [])
        .map((f) => Number(fs.readFileSync(path.join(runDir, f), "utf8").trim()))
        .filter((pid) => Number.isInteger(pid) && pid > 0 && commandLine(pid).includes(conf));
    for (const pid of pids) {
        try {
            process.kill(pid, "SIGKILL");
        } catch {
            // already gone
        }
    }
    // Wait (briefly) until they are gone, so their ports and files are free for the next cluster.
    const deadline = Date.now() + 5000;
    while (pids.some(running) && Date.now() < deadline) execFileSync("sleep", ["0.05"]);
}

/** Reaps clusters whose test process died without stopping them (e.g. a run killed mid-test). */
function reapOrphans(): void {
    for (const name of fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith(DIR_PREFIX))) {
        const dir = path.join(os.tmpdir(), name);
        const owner = Number(readOr(path.join(dir, "owner"), "0"));
        if (owner > 0 && !alive(owner)) {
            killDaemons(dir);
            fs.rmSync(dir, { recursive: true, force: true });
        }
    }
    if (!fs.existsSync(PORT_LOCKS)) return;
    for (const lock of fs.readdirSync(PORT_LOCKS)) {
        const owner = Number(readOr(path.join(PORT_LOCKS, lock), "0"));
        if (!alive(owner)) fs.rmSync(path.join(PORT_LOCKS, lock), { force: true });
    }
}

function readOr(file: string, fallback: string): string {
    try {
        return fs.readFileSync(file, "utf8").trim();
    } catch {
        return fallback;
    }
}

function bindable(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const server = net.createServer();
        server.once("error", () => resolve(false));
        server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
    });
}

interface PortBlock {
    mon: number;
    gateway: number;
    osdLow: number;
    osdHigh: number;
    release(): void;
}

/** Reserves a block of ports no other cluster started through this file holds, each free right now. */
async function reservePorts(): Promise<PortBlock> {
    fs.mkdirSync(PORT_LOCKS, { recursive: true });
    const blocks = Math.floor((PORTS.high - PORTS.low + 1) / PORTS.block);
    for (let tries = 0; tries < 50; tries++) {
        const base = PORTS.low + randomInt(blocks) * PORTS.block;
        const lock = path.join(PORT_LOCKS, String(base));
        try {
            fs.writeFileSync(lock, String(process.pid), { flag: "wx" });
        } catch {
            continue; // another cluster holds this block
        }
        const ports = Array.from({ length: PORTS.block }, (_, i) => base + i);
        if ((await Promise.all(ports.map(bindable))).every(Boolean)) {
            return {
                mon: base, gateway: base + 1, osdLow: base + 2, osdHigh: base + PORTS.block - 1,
                release: () => fs.rmSync(lock, { force: true }),
            };
        }
        fs.rmSync(lock, { force: true }); // something else listens there: try another block
    }
    throw new Error(`no free block of ${PORTS.block} ports in ${PORTS.low}-${PORTS.high}`);
}

async function answers(url: string): Promise<boolean> {
    try {
        await fetch(url);
        return true;
    } catch {
        return false;
    }
}

async function until(what: string, seconds: number, check: () => boolean | Promise<boolean>): Promise<void> {
    const deadline = Date.now() + seconds * 1000;
    while (!(await check())) {
        if (Date.now() > deadline) throw new Error(`${what} within ${seconds} s`);
        await new Promise((r) => setTimeout(r, 250));
    }
}

function configuration(dir: string, fsid: string, ports: PortBlock): string {
    return `[global]
fsid = ${fsid}
mon host = [v1:127.0.0.1:${ports.mon}]
auth cluster required = none
auth service required = none
auth client required = none
ms bind msgr2 = false
ms bind ipv6 = false
ms bind port min = ${ports.osdLow}
ms bind port max = ${ports.osdHigh}
public addr = 127.0.0.1
cluster addr = 127.0.0.1
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
osd objectstore = memstore
memstore device bytes = 536870912
osd crush chooseleaf type = 0
osd crush update on start = false
osd class update on start = false
run dir = ${dir}/run
log file = ${dir}/log/$name.log
admin socket = ${dir}/run/$name.asok
pid file = ${dir}/run/$name.pid
mon data = ${dir}/mon
osd data = ${dir}/osd
keyring = ${dir}/keyring
rgw crypt require ssl = false
rgw frontends = beast endpoint=127.0.0.1:${ports.gateway}
${process.env.OPENVIDU_RGW_DEBUG ? "debug monc = 20\ndebug ms = 1\ndebug osd = 10\n" : ""}`;
}

export interface RgwOptions {
    /** Further `[global]` lines of ceph.conf (e.g. the STS settings of the boot simulation). */
    extraConfiguration?: string[];
}

/** The last lines of each daemon log, for a failure message. */
function logTails(dir: string): string {
    const logDir = path.join(dir, "log");
    if (!fs.existsSync(logDir)) return "";
    return fs.readdirSync(logDir)
        .map((f) => `--- ${f}\n${fs.readFileSync(path.join(logDir, f), "utf8").trimEnd().split("\n").slice(-10).join("\n")}`)
        .join("\n");
}

/** Stop functions of the clusters running in this process. */
const live = new Set<() => void>();
let hooked = false;
/** The signal that stopped this process's clusters: a start it cut short is not retried. */
let interruptedBy: NodeJS.Signals | undefined;

/**
 * A test run that ends without stopping its cluster (a timeout with --exit,
 * Ctrl-C, a CI job killed) must not leave daemons behind.
 */
function track(stop: () => void): void {
    if (!hooked) {
        hooked = true;
        process.on("exit", () => [...live].forEach((s) => s()));
        for (const signal of ["SIGINT", "SIGTERM"] as const) {
            process.once(signal, () => {
                interruptedBy = signal;
                [...live].forEach((s) => s());
                process.kill(process.pid, signal); // then end as the signal would have (or as mocha ends on it: its listener runs too)
            });
        }
    }
    live.add(stop);
}

/**
 * Runs a Ceph command (a daemon, `ceph`, `radosgw-admin`) against the cluster of `conf`; a call the
 * monitor refused in the zero-fsid window (see above) did nothing, so it is sent again.
 */
export function cephCommands(conf: string, onResend: () => void = () => undefined): (command: string, args: string[]) => string {
    return (command, args) => {
        for (let tries = 1; ; tries++) {
            try {
                return execFileSync(command, ["-c", conf, ...args], { stdio: ["ignore", "pipe", "pipe"], timeout: 60000 }).toString().trim();
            } catch (error) {
                const stderr = String((error as { stderr?: Buffer }).stderr ?? "");
                if (tries >= 10 || !/wrong fsid|problem getting command descriptions/.test(stderr)) throw error;
                onResend();
                execFileSync("sleep", ["0.2"]);
            }
        }
    };
}

/** One attempt: a new directory, fsid and port block. */
async function startOnce(options: RgwOptions): Promise<Rgw> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), DIR_PREFIX));
    fs.writeFileSync(path.join(dir, "owner"), String(process.pid));
    for (const sub of ["run", "log", "mon", "osd"]) fs.mkdirSync(path.join(dir, sub));
    let ports: PortBlock | undefined;
    let stopped = false;
    let resent = 0;
    const stop = (): void => {
        if (stopped) return;
        stopped = true;
        live.delete(stop);
        killDaemons(dir);
        fs.rmSync(dir, { recursive: true, force: true });
        ports?.release();
    };
    track(stop);
    try {
        ports = await reservePorts();
        const fsid = randomUUID();
        const conf = path.join(dir, "ceph.conf");
        fs.writeFileSync(conf, configuration(dir, fsid, ports) + (options.extraConfiguration ?? []).map((line) => `${line}\n`).join(""));
        const run = cephCommands(conf, () => resent++);
        execFileSync("monmaptool", ["--create", "--addv", "a", `[v1:127.0.0.1:${ports.mon}]`, "--fsid", fsid, path.join(dir, "monmap")], { stdio: "pipe" });
        run("ceph-mon", ["--mkfs", "-i", "a", "--monmap", path.join(dir, "monmap")]);
        run("ceph-mon", ["-i", "a"]);
        const answering = run("ceph", ["fsid"]);
        if (answering !== fsid) throw new Error(`the monitor on port ${ports.mon} is another cluster's (fsid ${answering}, not ${fsid})`);
        // The OSD must be made with the uuid the monitor registered, or the monitor never lets it boot.
        const osdUuid = randomUUID();
        const osdId = run("ceph", ["osd", "new", osdUuid]);
        run("ceph-osd", ["-i", osdId, "--mkfs", "--osd-uuid", osdUuid]);
        // In the CRUSH map before it starts, so its data can be placed (the OSD itself does not, see above).
        run("ceph", ["osd", "crush", "add", `osd.${osdId}`, "1", "root=default"]);
        run("ceph-osd", ["-i", osdId]);
        await until("the OSD did not come up", 60, () => JSON.parse(run("ceph", ["osd", "stat", "--format", "json"])).num_up_osds >= 1);
        run("radosgw", ["-n", "client.rgw"]);
        const endpoint = `http://127.0.0.1:${ports.gateway}`;
        await until("the gateway did not answer", 90, async () => {
            if (!daemonRunning(dir, "client.rgw")) throw new Error("radosgw exited");
            return answers(endpoint);
        });
        const [accessKey, secretKey] = ["OVTESTACCESSKEY0", "ov-test-secret-key-not-a-real-one"];
        run("radosgw-admin", ["user", "create", "--uid=test", "--display-name=test", `--access-key=${accessKey}`, `--secret=${secretKey}`]);
        return { conf, endpoint, accessKey, secretKey, admin: (args) => run("radosgw-admin", args), stop, resentCommands: resent };
    } catch (error) {
        const e = error as Error & { stderr?: Buffer };
        const detail = [e.message.split("\n")[0], e.stderr?.toString().trim().split("\n").slice(-3).join(" / ")].filter(Boolean).join(": ");
        const logs = logTails(dir);
        // OPENVIDU_RGW_KEEP_FAILED=<dir>: keep a failed attempt's logs and config there, for diagnosis.
        const keep = process.env.OPENVIDU_RGW_KEEP_FAILED;
        if (keep) fs.cpSync(dir, path.join(keep, path.basename(dir)), { recursive: true, filter: (f) => !f.endsWith(".asok") && !f.includes(`${path.sep}osd${path.sep}`) });
        stop();
        throw new Error(`${detail}\n${logs}`, { cause: error });
    }
}

/** Starts a cluster, retrying from scratch (printing why) when an attempt fails. */
export async function startRgw(options: RgwOptions = {}): Promise<Rgw> {
    reapOrphans();
    const failedAttempts: string[] = [];
    for (let attempt = 1; ; attempt++) {
        try {
            const rgw = await startOnce(options);
            return { ...rgw, failedAttempts };
        } catch (error) {
            const [reason, ...logs] = (error as Error).message.split("\n");
            failedAttempts.push(reason);
            if (interruptedBy) throw new Error(`the RGW test cluster's start was stopped by ${interruptedBy}`, { cause: error });
            if (attempt >= ATTEMPTS) {
                throw new Error(`could not start the RGW test cluster in ${ATTEMPTS} attempts: ${failedAttempts.join(" | ")}\n${logs.join("\n")}`, { cause: error });
            }
            console.warn(`      RGW test cluster: attempt ${attempt} failed (${reason}); retrying with a new directory, fsid and ports`);
        }
    }
}
