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

/** .mocharc.suite.js as mocha loads it from the root, with `args` on mocha's command line. */
function suiteConfig(args: string[]): { parallel: boolean; jobs: number; spec: string[]; require: string[] } {
    const [cwd, argv] = [process.cwd(), process.argv];
    process.chdir(root); // the configuration lists files relative to where mocha runs: the root
    process.argv = [argv[0], "mocha", ...args];
    try {
        delete require.cache[require.resolve("../.mocharc.suite.js")];
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        return require("../.mocharc.suite.js");
    } finally {
        process.chdir(cwd);
        process.argv = argv;
    }
}

describe("the suite's set-up", () => {
    it("npm test runs the parallel configuration, which lists every test file exactly once", () => {
        const scripts = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).scripts;
        assert.strictEqual(scripts.test, "mocha --config .mocharc.suite.js");
        const config = suiteConfig([]);
        assert.strictEqual(config.parallel, true);
        assert.ok(config.jobs >= 2, `at least two workers (${config.jobs})`);
        assert.deepStrictEqual([...config.spec].sort(), testFiles().sort());
        assert.strictEqual(new Set(config.spec).size, config.spec.length, "a file listed twice runs twice");
    });

    it("files named on the command line run alone under the parallel configuration (mocha adds them to its list)", () => {
        assert.deepStrictEqual(suiteConfig(["--config", ".mocharc.suite.js", "tests/suite.test.ts", "tests/boot.test.ts"]).spec, []);
        assert.deepStrictEqual(suiteConfig(["--config", ".mocharc.suite.js", "tests/engine/*.test.ts"]).spec, []);
        assert.deepStrictEqual([...suiteConfig(["--jobs", "2", "--grep", "boot"]).spec].sort(), testFiles().sort());
    });

    it("no test file imports another: its tests would be registered again in the importing file's worker", () => {
        const importsOfTests = testFiles().flatMap((file) => {
            const text = fs.readFileSync(path.join(root, file), "utf8");
            return [...text.matchAll(/(?:from\s+|require\(\s*|import\(\s*)["']([^"']+\.test)(?:\.ts)?["']/g)].map((m) => `${file} imports ${m[1]}`);
        });
        assert.deepStrictEqual(importsOfTests, []);
    });
});
