// `npm test`: every test file, files in parallel worker processes (mocha
// --parallel), each file in one worker from start to end. A single file
// (`npx mocha tests/<name>.test.ts`) runs with .mocharc.json alone, in one
// process, as before. tests/README.md, "How the suite runs", says what a
// test file may and may not assume under this.
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");
const base = require("./.mocharc.json");
const { namedTestFiles } = require("./tests/support/namedTestFiles");

// The files that take longest start first (measured: each 20 s of CPU or more,
// or waiting on a cluster), so that none of them starts last and runs alone.
// Any other file, a new one included, runs after them in name order.
const LONGEST_FIRST = [
    "tests/engine/envFile.test.ts",
    "tests/engine/cliPath.test.ts",
    "tests/boot.test.ts",
    "tests/package.test.ts",
    "tests/plan.test.ts",
    "tests/engine/automation.test.ts",
    "tests/engine/instanceRefresh.test.ts",
    "tests/engine/firstPreview.test.ts",
    "tests/engine/policyPack.test.ts",
    "tests/engine/planParity.test.ts",
    "tests/exampleValues.test.ts",
    "tests/amiNames.test.ts",
    "tests/docs.test.ts",
    "tests/docsClaims.test.ts",
    "tests/storage.test.ts",
];

function testFiles(dir) {
    return fs.readdirSync(dir, { withFileTypes: true })
        .flatMap((entry) => {
            const file = path.posix.join(dir, entry.name);
            if (entry.isDirectory()) return testFiles(file);
            return entry.name.endsWith(".test.ts") ? [file] : [];
        });
}

const all = testFiles("tests").sort();

// Test files named on the command line (`npx mocha --config .mocharc.suite.js tests/a.test.ts ...`)
// run alone: mocha adds them to `spec` rather than replacing it, so the list is left empty then.
const named = namedTestFiles(process.argv.slice(2)).length > 0;
const first = LONGEST_FIRST.filter((file) => all.includes(file));

// Workers beyond the cores: the engine and cluster tests spend much of their time waiting on
// other processes. Capped: each worker holds the SDKs (a few hundred MB). `npm test -- --jobs N` overrides.
const cores = typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;

module.exports = {
    ...base,
    // suiteSetup.ts: the Pulumi CLI built (or found in its cache) once, before the workers start.
    require: [...base.require, "tests/suiteSetup.ts"],
    parallel: true,
    jobs: Math.min(cores + 1, 8),
    spec: named ? [] : [...first, ...all.filter((file) => !first.includes(file))],
};
