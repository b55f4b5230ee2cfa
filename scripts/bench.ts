/**
 * Reprints the performance figures of the foundation issue and of the CLI path:
 * - evaluating the program under mocks in a cold process (what `pulumi preview`
 *   spends running the program), loaded the way `pulumi new aws-typescript`
 *   sets it up (ts-node with type checking) vs. ts-node transpile-only with
 *   TypeScript's transpiler vs. this project's setup (ts-node with SWC; type
 *   checking done once by `npm run typecheck`) vs. precompiled JavaScript;
 * - `pulumi preview --stack dev` through the real CLI and a Node.js language
 *   host (scripts/bench/cliPath.ts), with SWC and with TypeScript's transpiler;
 * - the wall time of `npm test` (with --with-tests).
 * Each figure is the median of --runs runs, the cases taken in turn within a run.
 * usage: npm run bench [-- --runs N] [-- --no-cli] [-- --with-tests]
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import { cliPathBench } from "./bench/cliPath";

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

interface Case {
    label: string;
    /** One run; its wall time in milliseconds. */
    time: () => number;
}

/** Runs the cases in turn, `runs` times (so a busy moment of the machine hits them all), and prints each median. */
function measure(runs: number, cases: Case[]): number[] {
    const times = cases.map(() => [] as number[]);
    for (let run = 0; run < runs; run++) cases.forEach((c, i) => times[i].push(c.time()));
    return cases.map((c, i) => {
        console.log(`  ${c.label.padEnd(48)} median ${(median(times[i]) / 1000).toFixed(2)} s  (runs: ${times[i].map((t) => (t / 1000).toFixed(2)).join(", ")})`);
        return median(times[i]);
    });
}

function programEvaluation(runs: number): void {
    const entry = path.join(root, "scripts", "bench", "evaluate.ts");
    const loader = path.join(root, "scripts", "bench", "load.js");
    // Inside the project (bin/ is git-ignored) so the compiled code finds node_modules.
    fs.mkdirSync(path.join(root, "bin"), { recursive: true });
    const outDir = fs.mkdtempSync(path.join(root, "bin", "bench-"));
    try {
        execFileSync(node, [require.resolve("typescript/bin/tsc"), "-p", root, "--outDir", outDir, "--noCheck"], { cwd: root });
        console.log(`Program evaluation under mocks, cold process, stack dev (${os.cpus().length} cores, node ${process.version}):`);
        const [typecheck, transpile, swc, precompiled] = measure(runs, [
            { label: "ts-node with type checking (pulumi new default)", time: () => timeCommand(node, [loader, "typecheck", entry]) },
            { label: "ts-node transpile-only (TypeScript's transpiler)", time: () => timeCommand(node, [loader, "transpile", entry]) },
            { label: "ts-node with SWC (this project)", time: () => timeCommand(node, [loader, "swc", entry]) },
            { label: "precompiled JavaScript (tsc once, then node)", time: () => timeCommand(node, [path.join(outDir, "scripts", "bench", "evaluate.js")]) },
        ]);
        console.log(`  speed-up of this project's setup over the default: ${(typecheck / swc).toFixed(1)}x ` +
            `(transpile-only: ${(typecheck / transpile).toFixed(1)}x, precompiled: ${(typecheck / precompiled).toFixed(1)}x)`);
    } finally {
        fs.rmSync(outDir, { recursive: true, force: true });
    }
}

function cliPath(runs: number): void {
    const bench = cliPathBench();
    if (typeof bench === "string") {
        console.log(`CLI path: skipped (${bench})`);
        return;
    }
    try {
        console.log("CLI path, pulumi preview --stack dev (real CLI, stand-in language host and AWS provider):");
        const [swc, transpile] = measure(runs, [
            { label: "pulumi preview, ts-node with SWC (this project)", time: () => bench.preview("swc") },
            { label: "pulumi preview, ts-node transpile-only", time: () => bench.preview("typescript") },
        ]);
        console.log(`  SWC saves ${((transpile - swc) / 1000).toFixed(2)} s per preview`);
    } finally {
        bench.dispose();
    }
}

function main(): void {
    const { values } = parseArgs({ options: {
        runs: { type: "string", default: "3" },
        "no-cli": { type: "boolean", default: false },
        "with-tests": { type: "boolean", default: false },
    } });
    const runs = Number(values.runs);
    programEvaluation(runs);
    if (!values["no-cli"]) cliPath(runs);
    if (values["with-tests"]) {
        console.log("Test suite:");
        measure(1, [{ label: "npm test (wall time)", time: () => timeCommand("npm", ["test", "--silent"]) }]);
    }
}

main();
