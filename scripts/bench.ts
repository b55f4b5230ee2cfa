/**
 * Reprints the performance figures of the foundation issue:
 * - evaluating the program under mocks in a cold process (what `pulumi preview`
 *   spends running the program), loaded the way `pulumi new aws-typescript`
 *   sets it up (ts-node with type checking) vs. this project's setup
 *   (transpile-only, type checking done once by `npm run typecheck`) vs.
 *   precompiled JavaScript;
 * - the wall time of `npm test` (with --with-tests).
 * usage: npm run bench [-- --runs N] [-- --with-tests]
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";

const root = path.join(__dirname, "..");
const node = process.execPath;

function timeCommand(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
    const started = process.hrtime.bigint();
    const result = spawnSync(command, args, { cwd: root, env, encoding: "utf8" });
    if (result.status !== 0) {
        throw new Error(`${command} ${args.join(" ")} failed:\n${result.stderr}\n${result.stdout}`);
    }
    return Number(process.hrtime.bigint() - started) / 1e6;
}

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
}

function measure(label: string, runs: number, command: string, args: string[]): { label: string; ms: number } {
    const times = Array.from({ length: runs }, () => timeCommand(command, args));
    console.log(`  ${label.padEnd(48)} median ${(median(times) / 1000).toFixed(2)} s  (runs: ${times.map((t) => (t / 1000).toFixed(2)).join(", ")})`);
    return { label, ms: median(times) };
}

function main(): void {
    const { values } = parseArgs({ options: { runs: { type: "string", default: "3" }, "with-tests": { type: "boolean", default: false } } });
    const runs = Number(values.runs);
    const entry = path.join(root, "scripts", "bench", "evaluate.ts");
    const loader = path.join(root, "scripts", "bench", "load.js");
    // Inside the project (bin/ is git-ignored) so the compiled code finds node_modules.
    fs.mkdirSync(path.join(root, "bin"), { recursive: true });
    const outDir = fs.mkdtempSync(path.join(root, "bin", "bench-"));

    console.log(`Program evaluation under mocks, cold process, stack dev (${os.cpus().length} cores, node ${process.version}):`);
    const typecheck = measure("ts-node with type checking (pulumi new default)", runs, node, [loader, "typecheck", entry]);
    const transpile = measure("ts-node transpile-only (this project)", runs, node, [loader, "transpile", entry]);
    execFileSync(node, [require.resolve("typescript/bin/tsc"), "-p", root, "--outDir", outDir, "--noCheck"], { cwd: root });
    const precompiled = measure("precompiled JavaScript (tsc once, then node)", runs, node, [path.join(outDir, "scripts", "bench", "evaluate.js")]);
    fs.rmSync(outDir, { recursive: true, force: true });
    console.log(`  speed-up of this project's setup over the default: ${(typecheck.ms / transpile.ms).toFixed(1)}x ` +
        `(precompiled: ${(typecheck.ms / precompiled.ms).toFixed(1)}x)`);

    if (values["with-tests"]) {
        console.log("Test suite:");
        measure("npm test (wall time)", 1, "npm", ["test", "--silent"]);
    }
}

main();
