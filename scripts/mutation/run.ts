/**
 * Hand-made mutation testing: applies each one-line mutation of mutants.ts to
 * the source, runs the test files that should notice, records whether they
 * did (killed) or not (survived), and restores the file. Nothing is left
 * mutated, even when interrupted.
 * usage: npx ts-node scripts/mutation/run.ts [--only id,id] [--area config|boot|security|env] [--markdown]
 *        npx ts-node scripts/mutation/run.ts --inventory   (the guards and their mutants; runs nothing)
 * A mutant whose line is gone (n/a) fails the run like a survivor: it guards nothing any more.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { ALL_MUTANTS } from "./catalog";
import { Area, AREAS, coveringMutants, Guard, guards } from "./inventory";
import { Mutant } from "./mutants";

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
    const grep = mutant.grep === undefined ? [] : ["--grep", mutant.grep];
    const child = spawn("npx", ["mocha", ...grep, ...files], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.resume();
    const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
    const summary = (stdout.match(/\d+ passed, \d+ failed, \d+ skipped/g) ?? ["no summary"]).pop()!;
    return { killed: status !== 0, seconds: (Date.now() - started) / 1000, summary };
}

/** Prints every guard of the inventory with the mutants covering it; true when each has one. */
function printInventory(all: Guard[]): boolean {
    let uncovered = 0;
    for (const area of AREAS) {
        const inArea = all.filter((g) => g.area === area);
        const rows = inArea.map((g) => ({ g, ids: coveringMutants(g, ALL_MUTANTS).map((m) => m.id) }));
        uncovered += rows.filter((r) => r.ids.length === 0).length;
        console.log(`${area}: ${rows.filter((r) => r.ids.length > 0).length}/${inArea.length} guards covered`);
        for (const { g, ids } of rows) {
            const where = `${g.file}:${g.line}${g.partition ? ` [${g.partition}]` : ""}`;
            console.log(`  ${ids.length > 0 ? "ok " : "NO "} ${where.padEnd(44)} ${g.text.split("\n")[0].slice(0, 70).padEnd(70)} ${ids.join(", ")}`);
        }
    }
    return uncovered === 0;
}

/** The mutants covering any guard of `area`. */
function mutantsOfArea(area: string): Mutant[] {
    if (!AREAS.includes(area as Area)) throw new Error(`--area must be one of ${AREAS.join(", ")} (got "${area}")`);
    const inArea = guards().filter((g) => g.area === area);
    return ALL_MUTANTS.filter((m) => inArea.some((g) => coveringMutants(g, [m]).length > 0));
}

async function main(): Promise<void> {
    const { values } = parseArgs({ options: {
        only: { type: "string" }, area: { type: "string" }, inventory: { type: "boolean", default: false }, markdown: { type: "boolean", default: false },
    } });
    if (values.inventory) {
        if (!printInventory(guards())) process.exitCode = 1;
        return;
    }
    const only = values.only?.split(",");
    const unknown = (only ?? []).filter((id) => !ALL_MUTANTS.some((m) => m.id === id));
    if (unknown.length > 0) throw new Error(`no mutant with id ${unknown.join(", ")}`);
    const pool = values.area === undefined ? ALL_MUTANTS : mutantsOfArea(values.area);
    const selected = pool.filter((m) => !only || only.includes(m.id));
    const rows: string[] = [];
    let survivors = 0;
    let stale = 0;
    const started = Date.now();
    for (const mutant of selected) {
        if (!apply(mutant)) {
            stale++;
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
    const minutes = ((Date.now() - started) / 60000).toFixed(1);
    console.log(`${selected.length} mutants: ${selected.length - survivors - stale} killed, ${survivors} survived, ${stale} n/a (${minutes} min)`);
    if (values.markdown) console.log(["| id | file | mutation | result | tests run |", "|---|---|---|---|---|", ...rows].join("\n"));
    if (survivors > 0 || stale > 0) process.exitCode = 1;
}

main().catch((error) => { restoreAll(); console.error(error); process.exitCode = 1; });
