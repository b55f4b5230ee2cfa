/**
 * Hand-made mutation testing: applies each one-line mutation of mutants.ts to
 * the source, runs the test files that should notice, records whether they
 * did (killed) or not (survived), and restores the file. Nothing is left
 * mutated, even when interrupted.
 * usage: npx ts-node scripts/mutation/run.ts [--only id,id] [--markdown]
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { Mutant, MUTANTS } from "./mutants";

const ROOT = path.resolve(__dirname, "../..");
const pending = new Map<string, string>();

function restoreAll(): void {
    for (const [file, text] of pending) fs.writeFileSync(file, text);
    pending.clear();
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => { restoreAll(); process.exit(130); });
}

/** Applies the mutation; false when its line is not (exactly once) in the file any more. */
function apply(mutant: Mutant): boolean {
    const file = path.join(ROOT, mutant.file);
    const original = fs.readFileSync(file, "utf8");
    if (original.split(mutant.from).length - 1 !== 1) return false;
    pending.set(file, original);
    fs.writeFileSync(file, original.replace(mutant.from, mutant.to));
    return true;
}

/** Runs the tests; killed when they fail. Asynchronous, so an interrupt still restores the source. */
async function killed(mutant: Mutant): Promise<{ killed: boolean; seconds: number; summary: string }> {
    const started = Date.now();
    const files = mutant.tests.filter((file) => fs.existsSync(path.join(ROOT, file)));
    const child = spawn("npx", ["mocha", ...files], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.resume();
    const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
    const summary = (stdout.match(/\d+ passed, \d+ failed, \d+ skipped/g) ?? ["no summary"]).pop()!;
    return { killed: status !== 0, seconds: (Date.now() - started) / 1000, summary };
}

async function main(): Promise<void> {
    const { values } = parseArgs({ options: { only: { type: "string" }, markdown: { type: "boolean", default: false } } });
    const only = values.only?.split(",");
    const selected = MUTANTS.filter((m) => !only || only.includes(m.id));
    const rows: string[] = [];
    let survivors = 0;
    for (const mutant of selected) {
        if (!apply(mutant)) {
            console.log(`${mutant.id.padEnd(28)} n/a      the mutated text is not in ${mutant.file} (exactly once): update the mutant`);
            rows.push(`| ${mutant.id} | \`${mutant.file}\` | ${mutant.what} | n/a | |`);
            continue;
        }
        let outcome: Awaited<ReturnType<typeof killed>>;
        try {
            outcome = await killed(mutant);
        } finally {
            restoreAll();
        }
        if (!outcome.killed) survivors++;
        const verdict = outcome.killed ? "killed" : "SURVIVED";
        console.log(`${mutant.id.padEnd(28)} ${verdict.padEnd(8)} ${outcome.summary} (${outcome.seconds.toFixed(0)} s)  ${mutant.what}`);
        const files = mutant.tests.filter((file) => fs.existsSync(path.join(ROOT, file)));
        rows.push(`| ${mutant.id} | \`${mutant.file}\` | ${mutant.what} | ${verdict} | ${files.join(", ")} |`);
    }
    console.log(`${selected.length} mutants: ${selected.length - survivors} killed, ${survivors} survived`);
    if (values.markdown) console.log(["| id | file | mutation | result | tests run |", "|---|---|---|---|---|", ...rows].join("\n"));
    if (survivors > 0) process.exitCode = 1;
}

main().catch((error) => { restoreAll(); console.error(error); process.exitCode = 1; });
