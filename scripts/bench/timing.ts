/**
 * Times a command: its wall time and, where GNU time is installed, the CPU time
 * of it and every process it waited for (user + system). On a shared machine the
 * wall time follows the load; the CPU time is what the work itself costs.
 */
import { spawnSync, SpawnSyncOptions } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const GNU_TIME = "/usr/bin/time";

export interface Timing {
    wallMs: number;
    /** undefined without GNU time. */
    cpuMs?: number;
}

export function timeCommand(command: string, args: string[], options: SpawnSyncOptions = {}): Timing {
    const useTime = fs.existsSync(GNU_TIME);
    const dir = useTime ? fs.mkdtempSync(path.join(os.tmpdir(), "bench-time-")) : "";
    const report = path.join(dir, "time");
    const [file, argv] = useTime ? [GNU_TIME, ["-f", "%U %S", "-o", report, command, ...args]] : [command, args];
    const started = process.hrtime.bigint();
    const result = spawnSync(file, argv, { encoding: "utf8", ...options });
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    try {
        if (result.status !== 0) {
            throw new Error(`${command} ${args.join(" ")} failed (${result.status}):\n${String(result.stderr)}\n${String(result.stdout)}`);
        }
        if (!useTime) return { wallMs };
        const [user, system] = fs.readFileSync(report, "utf8").trim().split("\n").pop()!.split(" ").map(Number);
        return { wallMs, cpuMs: (user + system) * 1000 };
    } finally {
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    }
}
