/**
 * The suite's own set-up: `npm test` runs every test file exactly once, in
 * parallel worker processes (.mocharc.suite.js), and no file depends on being
 * loaded in the same process as another (tests/README.md, "How the suite runs").
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

const root = path.join(__dirname, "..");

/** Every `*.test.ts` under tests/, as paths from the repository root. */
function testFiles(dir = "tests"): string[] {
    return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
        const file = `${dir}/${entry.name}`;
        if (entry.isDirectory()) return testFiles(file);
        return entry.name.endsWith(".test.ts") ? [file] : [];
    });
}

describe("the suite's set-up", () => {
    it("npm test runs the parallel configuration, which lists every test file exactly once", () => {
        const scripts = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).scripts;
        assert.strictEqual(scripts.test, "mocha --config .mocharc.suite.js");
        const cwd = process.cwd();
        process.chdir(root); // the configuration lists files relative to where mocha runs: the root
        try {
            delete require.cache[require.resolve("../.mocharc.suite.js")];
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const config = require("../.mocharc.suite.js");
            assert.strictEqual(config.parallel, true);
            assert.ok(config.jobs >= 2, `at least two workers (${config.jobs})`);
            assert.deepStrictEqual([...config.spec].sort(), testFiles().sort());
            assert.strictEqual(new Set(config.spec).size, config.spec.length, "a file listed twice runs twice");
        } finally {
            process.chdir(cwd);
        }
    });

    it("no test file imports another: its tests would be registered again in the importing file's worker", () => {
        const importsOfTests = testFiles().flatMap((file) => {
            const text = fs.readFileSync(path.join(root, file), "utf8");
            return [...text.matchAll(/(?:from\s+|require\(\s*|import\(\s*)["']([^"']+\.test)(?:\.ts)?["']/g)].map((m) => `${file} imports ${m[1]}`);
        });
        assert.deepStrictEqual(importsOfTests, []);
    });
});
