/**
 * Docker Compose's own reading of a `.env` (compose-go's dotenv parser, built
 * from tools/compose-dotenv), beside the boot simulation's model of it
 * (bootSim/docker.sh, compose_reads_env), so a test can hold one to the other.
 */
import { spawnSync } from "child_process";
import * as path from "path";

const ROOT = path.resolve(__dirname, "../..");

/** The reader's path, or why it is not available (no Go, no module proxy). */
export function composeDotenvReader(): { binary?: string; unavailable?: string } {
    const built = spawnSync("bash", [path.join(ROOT, "tools/compose-dotenv/build.sh")], { encoding: "utf8", timeout: 600000 });
    if (built.status !== 0) return { unavailable: `tools/compose-dotenv/build.sh failed: ${(built.stderr || String(built.error)).trim().split("\n").pop()}` };
    return { binary: built.stdout.trim() };
}

/** compose-go's verdict on each file: "ok" or "error: ...". */
export function composeReads(binary: string, files: string[]): string[] {
    const result = spawnSync(binary, files, { encoding: "utf8" });
    if (result.status !== 0) throw new Error(`compose-dotenv failed: ${result.stderr}`);
    return result.stdout.trim().split("\n");
}

/** The simulation's model's verdict on a file. */
export function modelReads(file: string): boolean {
    const script = `. "${path.join(ROOT, "tests/support/bootSim/docker.sh")}"; compose_reads_env "$1"`;
    return spawnSync("bash", ["-c", script, "model", file]).status === 0;
}
