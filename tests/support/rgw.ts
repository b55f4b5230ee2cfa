/**
 * A throwaway single-node Ceph cluster with the RADOS Gateway, a production
 * S3 implementation that honours conditional writes, for the `.env`
 * provider's concurrency tests. One monitor, one memstore OSD and the
 * gateway, no cephx, all on 127.0.0.1; config, data, logs and pid files
 * live in one temporary directory, and stop() kills exactly the daemons
 * started here. Starts in ~12 s.
 */
import { execFileSync } from "child_process";
import { randomUUID } from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { hasCommand } from "./commands";

export interface Rgw {
    endpoint: string;
    accessKey: string;
    secretKey: string;
    /** Runs radosgw-admin against this cluster (users, caps, roles); returns its output. */
    admin(args: string[]): string;
    stop(): void;
}

const BINARIES = ["monmaptool", "ceph-mon", "ceph-osd", "ceph", "radosgw", "radosgw-admin"];

/** Why RGW cannot run here, or undefined when it can. */
export function rgwUnavailable(): string | undefined {
    const missing = BINARIES.filter((binary) => !hasCommand(binary));
    if (missing.length === 0) return undefined;
    return `${missing.join(", ")} not installed (apt-get install radosgw ceph-mon ceph-osd ceph-common; .ci/run does)`;
}

function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.listen(0, "127.0.0.1", () => {
            const port = (server.address() as net.AddressInfo).port;
            server.close(() => resolve(port));
        });
        server.on("error", reject);
    });
}

async function answers(url: string): Promise<boolean> {
    try {
        await fetch(url);
        return true;
    } catch {
        return false;
    }
}

function configuration(dir: string, fsid: string, monPort: number, rgwPort: number): string {
    return `[global]
fsid = ${fsid}
mon host = [v1:127.0.0.1:${monPort}]
auth cluster required = none
auth service required = none
auth client required = none
ms bind msgr2 = false
ms bind ipv6 = false
public addr = 127.0.0.1
cluster addr = 127.0.0.1
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
osd objectstore = memstore
memstore device bytes = 536870912
osd crush chooseleaf type = 0
run dir = ${dir}/run
log file = ${dir}/log/$name.log
admin socket = ${dir}/run/$name.asok
pid file = ${dir}/run/$name.pid
mon data = ${dir}/mon
osd data = ${dir}/osd
keyring = ${dir}/keyring
rgw crypt require ssl = false
rgw frontends = beast endpoint=127.0.0.1:${rgwPort}
`;
}

export interface RgwOptions {
    /** Further `[global]` lines of ceph.conf (e.g. the STS settings of the boot simulation). */
    extraConfiguration?: string[];
}

export async function startRgw(options: RgwOptions = {}): Promise<Rgw> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "openvidu-rgw-"));
    for (const sub of ["run", "log", "mon", "osd"]) fs.mkdirSync(path.join(dir, sub));
    const [monPort, rgwPort] = [await freePort(), await freePort()];
    const fsid = randomUUID();
    const conf = path.join(dir, "ceph.conf");
    fs.writeFileSync(conf, configuration(dir, fsid, monPort, rgwPort) + (options.extraConfiguration ?? []).map((line) => `${line}\n`).join(""));
    const run = (command: string, args: string[]): string =>
        execFileSync(command, ["-c", conf, ...args], { stdio: ["ignore", "pipe", "pipe"], timeout: 60000 }).toString().trim();
    const stop = (): void => {
        const runDir = path.join(dir, "run");
        for (const pidFile of fs.existsSync(runDir) ? fs.readdirSync(runDir).filter((f) => f.endsWith(".pid")) : []) {
            try {
                process.kill(Number(fs.readFileSync(path.join(runDir, pidFile), "utf8")), "SIGKILL");
            } catch {
                // already gone
            }
        }
        fs.rmSync(dir, { recursive: true, force: true });
    };
    try {
        execFileSync("monmaptool", ["--create", "--addv", "a", `[v1:127.0.0.1:${monPort}]`, "--fsid", fsid, path.join(dir, "monmap")], { stdio: "pipe" });
        run("ceph-mon", ["--mkfs", "-i", "a", "--monmap", path.join(dir, "monmap")]);
        run("ceph-mon", ["-i", "a"]);
        // The OSD must be made with the uuid the monitor registered, or the monitor never lets it boot.
        const osdUuid = randomUUID();
        const osdId = run("ceph", ["osd", "new", osdUuid]);
        run("ceph-osd", ["-i", osdId, "--mkfs", "--osd-uuid", osdUuid]);
        run("ceph-osd", ["-i", osdId]);
        run("radosgw", ["-n", "client.rgw"]);
        const endpoint = `http://127.0.0.1:${rgwPort}`;
        const deadline = Date.now() + 90_000;
        while (!(await answers(endpoint))) {
            if (Date.now() > deadline) throw new Error("the gateway did not answer within 90 s");
            await new Promise((r) => setTimeout(r, 250));
        }
        const [accessKey, secretKey] = ["OVTESTACCESSKEY0", "ov-test-secret-key-not-a-real-one"];
        run("radosgw-admin", ["user", "create", "--uid=test", "--display-name=test", `--access-key=${accessKey}`, `--secret=${secretKey}`]);
        return { endpoint, accessKey, secretKey, admin: (args) => run("radosgw-admin", args), stop };
    } catch (error) {
        const logDir = path.join(dir, "log");
        const logs = fs.existsSync(logDir)
            ? fs.readdirSync(logDir).map((f) => `--- ${f}\n${fs.readFileSync(path.join(logDir, f), "utf8").split("\n").slice(-10).join("\n")}`)
            : [];
        stop();
        throw new Error(`could not start the RGW test cluster: ${(error as Error).message}\n${logs.join("\n")}`, { cause: error });
    }
}
