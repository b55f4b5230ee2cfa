/**
 * Hand-made mutation testing: applies each one-line mutation of mutants.ts to
 * the source, runs the test files that should notice, records whether they
 * did (killed) or not (survived), and restores the file. Nothing is left
 * mutated, even when interrupted.
 * usage: npx ts-node scripts/mutation/run.ts [--only id,id] [--markdown]
 */
import { spawnSync } from "child_process";
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

/** Runs the tests; true when they fail (the mutant is killed). */
function killed(mutant: Mutant): { killed: boolean; seconds: number; summary: string } {
    const started = Date.now();
    const files = mutant.tests.filter((file) => fs.existsSync(path.join(ROOT, file)));
    const result = spawnSync("npx", ["mocha", ...files], { cwd: ROOT, encoding: "utf8", timeout: 600_000 });
    const summary = (result.stdout.match(/\d+ passed, \d+ failed, \d+ skipped/g) ?? ["no summary"]).pop()!;
    return { killed: result.status !== 0, seconds: (Date.now() - started) / 1000, summary };
}

function main(): void {
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
        let outcome: ReturnType<typeof killed>;
        try {
            outcome = killed(mutant);
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

main();
