/**
 * Reprints the performance figures of the foundation issue and of the CLI path:
 * - evaluating the program under mocks in a cold process (what `pulumi preview`
 *   spends running the program), loaded the way `pulumi new aws-typescript`
 *   sets it up (ts-node with type checking) vs. ts-node transpile-only with
 *   TypeScript's transpiler vs. this project's setup (ts-node with SWC; type
 *   checking done once by `npm run typecheck`) vs. precompiled JavaScript;
 * - `pulumi preview --stack dev` through the real CLI and a Node.js language
 *   host (scripts/bench/cliPath.ts): with SWC, with TypeScript's transpiler, and precompiled;
 * - the wall time of `npm test` (with --with-tests).
 * Each figure is the median of --runs runs, the cases taken in turn within a run: wall time,
 * and CPU time (user + system, every process of the run) where GNU time is installed; the
 * ratios compare CPU times then, which a busy machine changes far less.
 * usage: npm run bench [-- --runs N] [-- --no-cli] [-- --with-tests]
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import { cliPathBench } from "./bench/cliPath";
import { timeCommand, Timing } from "./bench/timing";

const root = path.join(__dirname, "..");
const node = process.execPath;

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
}

const seconds = (ms: number): string => (ms / 1000).toFixed(2);

interface Case {
    label: string;
    /** One run. */
    time: () => Timing;
}

/**
 * Runs the cases in turn, `runs` times (so a busy moment of the machine hits them all), and prints
 * each one's median wall time and, where measured, its median CPU time. Returns the medians compared
 * below: CPU time when measured (steady under load), wall time otherwise.
 */
function measure(runs: number, cases: Case[]): number[] {
    const times = cases.map(() => [] as Timing[]);
    for (let run = 0; run < runs; run++) cases.forEach((c, i) => times[i].push(c.time()));
    return cases.map((c, i) => {
        const wall = median(times[i].map((t) => t.wallMs));
        const cpus = times[i].flatMap((t) => (t.cpuMs === undefined ? [] : [t.cpuMs]));
        const cpu = cpus.length === times[i].length ? median(cpus) : undefined;
        console.log(`  ${c.label.padEnd(48)} median ${seconds(wall)} s  (runs: ${times[i].map((t) => seconds(t.wallMs)).join(", ")})` +
            (cpu === undefined ? "" : `  cpu ${seconds(cpu)} s (runs: ${cpus.map(seconds).join(", ")})`));
        return cpu ?? wall;
    });
}

const timeNode = (args: string[]): Timing => timeCommand(node, args, { cwd: root });

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
            { label: "ts-node with type checking (pulumi new default)", time: () => timeNode([loader, "typecheck", entry]) },
            { label: "ts-node transpile-only (TypeScript's transpiler)", time: () => timeNode([loader, "transpile", entry]) },
            { label: "ts-node with SWC (this project)", time: () => timeNode([loader, "swc", entry]) },
            { label: "precompiled JavaScript (tsc once, then node)", time: () => timeNode([path.join(outDir, "scripts", "bench", "evaluate.js")]) },
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
        const programs = ["swc", "typescript", "precompiled"] as const;
        const programCpu = new Map(programs.map((p) => [p, [] as number[]]));
        const preview = (program: typeof programs[number]): Timing => {
            const timing = bench.preview(program);
            programCpu.get(program)!.push(timing.programCpuMs);
            return timing;
        };
        const [swc, transpile, precompiled] = measure(runs, [
            { label: "pulumi preview, ts-node with SWC (this project)", time: () => preview("swc") },
            { label: "pulumi preview, ts-node transpile-only", time: () => preview("typescript") },
            { label: "pulumi preview, precompiled JavaScript", time: () => preview("precompiled") },
        ]);
        const signed = (ms: number): string => `${ms >= 0 ? "+" : ""}${seconds(ms)}`;
        console.log(`  against SWC, per preview: transpile-only ${signed(transpile - swc)} s, precompiled ${signed(precompiled - swc)} s (CPU time where measured)`);
        // The program's own process, without the engine's and providers' (whose CPU time varies more).
        const [swcProgram, transpileProgram, precompiledProgram] = programs.map((p) => median(programCpu.get(p)!));
        console.log(`  the program's process (cmd/run) alone, median cpu: SWC ${seconds(swcProgram)} s, transpile-only ${seconds(transpileProgram)} s, ` +
            `precompiled ${seconds(precompiledProgram)} s (runs: ${programs.map((p) => programCpu.get(p)!.map(seconds).join(", ")).join(" / ")})`);
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
        measure(1, [{ label: "npm test (wall time)", time: () => timeCommand("npm", ["test", "--silent"], { cwd: root }) }]);
    }
}

main();
