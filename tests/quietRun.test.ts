/**
 * A green run is quiet (tests/setup.ts): the Pulumi runtime's log lines of a
 * passing test are held back, a failing test prints them, and the AWS SDK's
 * Node.js notice is off. Runs mocha on a small spec of its own.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const root = path.join(__dirname, "..");

const SPEC = `
import * as assert from "assert";
describe("runtime log", () => {
    it("passes while the runtime logs an error", () => { console.error("error: [runtime] Invalid stack configuration (1 problem): held"); });
    it("fails after the runtime logged an error", () => { console.warn("warning: [runtime] shown"); assert.fail("on purpose"); });
    it("keeps other console output", () => { console.error("plain line"); });
});
`;

describe("a green run is quiet", function () {
    this.timeout(120_000);

    it("holds the runtime's log of passing tests, prints it for failing ones, keeps the rest", () => {
        const dir = fs.mkdtempSync(path.join(root, ".test-tmp-quiet-"));
        try {
            fs.writeFileSync(path.join(dir, "spec.test.ts"), SPEC);
            const result = spawnSync(process.execPath, [path.join(root, "node_modules", "mocha", "bin", "mocha.js"), path.join(dir, "spec.test.ts")], {
                cwd: root, encoding: "utf8",
            });
            const output = `${result.stdout}${result.stderr}`;
            assert.notStrictEqual(result.status, 0, "the spec has a failing test");
            assert.ok(!output.includes("held"), output);
            assert.match(output, /the Pulumi runtime's log of this test:\n {4}warning: \[runtime\] shown/);
            assert.match(output, /plain line/);
            assert.strictEqual(process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED, "true");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
