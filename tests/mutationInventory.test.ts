/**
 * The mutation run's catalogue, checked without running a mutant (fast, so
 * every `npm test` keeps it honest): each mutant still applies to the source,
 * and every guard of the inventory (config rules with each partition, boot
 * checks, security defaults, .env parsing and merge rules) has a mutant.
 * Whether the mutants are killed is scripts/mutation/run.ts's job.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { ALL_MUTANTS } from "../scripts/mutation/catalog";
import { AREAS, coveringMutants, guards, lineOf, SECURITY_DEFAULTS, SECURITY_LOOKING, SECURITY_NOT_DEFAULTS, spanOf } from "../scripts/mutation/inventory";

const ROOT = path.resolve(__dirname, "..");

describe("mutation inventory (scripts/mutation/)", () => {
    it("every mutant's text is in its file exactly once, its tests exist, and ids are unique", () => {
        const stale = ALL_MUTANTS.filter((m) => spanOf(m) === undefined).map((m) => `${m.id} (${m.file})`);
        assert.deepStrictEqual(stale, [], "update or drop these mutants: their line changed");
        const missing = ALL_MUTANTS.flatMap((m) => m.tests.filter((file) => !fs.existsSync(path.join(ROOT, file))).map((file) => `${m.id}: ${file}`));
        assert.deepStrictEqual(missing, []);
        const ids = ALL_MUTANTS.map((m) => m.id);
        assert.deepStrictEqual(ids.filter((id, i) => ids.indexOf(id) !== i), []);
        assert.deepStrictEqual(ALL_MUTANTS.filter((m) => m.from === m.to).map((m) => m.id), [], "a mutant changes something");
    });

    for (const area of AREAS) {
        it(`every ${area} guard has a mutant`, () => {
            const inArea = guards().filter((g) => g.area === area);
            assert.ok(inArea.length >= 10, `the ${area} inventory found ${inArea.length} guards: its pattern no longer matches the code`);
            const uncovered = inArea.filter((g) => coveringMutants(g, ALL_MUTANTS).length === 0)
                .map((g) => `${g.file}:${g.line}${g.partition ? ` [${g.partition}]` : ""} ${g.text}`);
            assert.deepStrictEqual(uncovered, [], "add a mutant (scripts/mutation/mutants*.ts) and the test that kills it");
        });
    }

    it("covers each partition's regions and ARN forms in config/rules.ts (aws, aws-cn, aws-us-gov)", () => {
        const partitions = new Set(guards().filter((g) => g.file === "config/rules.ts").map((g) => g.partition).filter(Boolean));
        assert.deepStrictEqual([...partitions].sort(), ["aws", "aws-cn", "aws-us-gov"]);
    });

    it("lists every security-looking line of components/ as a default to guard, or says why it is none", () => {
        const listed = new Set([...Object.values(SECURITY_DEFAULTS).flat(), ...SECURITY_NOT_DEFAULTS].map((anchor) => anchor.split("\n").pop()!.trim()));
        const unlisted: string[] = [];
        const walk = (dir: string): string[] => fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })
            .flatMap((e) => (e.isDirectory() ? walk(`${dir}/${e.name}`) : e.name.endsWith(".ts") ? [`${dir}/${e.name}`] : []));
        for (const file of walk("components")) {
            fs.readFileSync(path.join(ROOT, file), "utf8").split("\n").forEach((text, i) => {
                const line = text.trim();
                if (/^(\/\/|\*|\/\*\*)/.test(line) || !SECURITY_LOOKING.test(line)) return;
                if (![...listed].some((anchor) => line.includes(anchor) || anchor.includes(line))) unlisted.push(`${file}:${i + 1} ${line}`);
            });
        }
        assert.deepStrictEqual(unlisted, [], "add each to SECURITY_DEFAULTS (with a mutant) or SECURITY_NOT_DEFAULTS (with the reason)");
    });

    it("finds a line as the mutants do: exactly once, else not at all", () => {
        assert.strictEqual(lineOf("config/rules.ts", "export function region(value: string): Problem {") !== undefined, true);
        assert.strictEqual(lineOf("config/rules.ts", "return undefined;"), undefined, "a text found several times is no line");
    });
});
