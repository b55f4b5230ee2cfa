/**
 * npm as a user meets it in this repository: its errors are visible, the
 * offline plan's `--json` stays pure, and a missing `npm ci` or an
 * unsupported Node.js says so in one line (scripts/check-install.js).
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const root = path.join(__dirname, "..");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { installProblems } = require("../scripts/check-install.js") as {
    installProblems: (root: string, nodeVersion: string, tools: string[]) => string[];
};

/** npm in `cwd`, without the variables of the npm that runs the tests. */
function npm(cwd: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("npm_") && key !== "INIT_CWD"));
    const result = spawnSync("npm", args, { cwd, encoding: "utf8", env });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("npm in this repository", function () {
    this.timeout(120_000);

    it("says a mistyped script's name (npm's own error is not silenced)", () => {
        const { status, stderr } = npm(root, "run", "pln");
        assert.notStrictEqual(status, 0);
        assert.match(stderr, /Missing script: "pln"/);
    });

    it("keeps `npm run plan -- --json`'s stdout one JSON document (npm's banner goes to stderr)", () => {
        const { status, stdout, stderr } = npm(root, "run", "plan", "--", "--stack", "dev", "--json");
        assert.strictEqual(status, 0, stderr);
        assert.strictEqual(JSON.parse(stdout).kind, "offline-plan");
        assert.match(stderr, /> openvidu-enterprise-ha-aws@[\d.]+ plan/);
    });

    it("says to run `npm ci` when the toolchain is not installed, not `ts-node: not found`", () => {
        const bare = fs.mkdtempSync(path.join(os.tmpdir(), "openvidu-npm-"));
        try {
            for (const file of ["package.json", ".npmrc", path.join("scripts", "check-install.js")]) {
                fs.mkdirSync(path.dirname(path.join(bare, file)), { recursive: true });
                fs.copyFileSync(path.join(root, file), path.join(bare, file));
            }
            const { status, stderr } = npm(bare, "run", "plan", "--", "--stack", "dev");
            assert.notStrictEqual(status, 0);
            assert.match(stderr, /error: ts-node is not installed: run `npm ci` in .* first/);
            assert.ok(!/ts-node: not found/.test(stderr), "the script itself never ran");
        } finally {
            fs.rmSync(bare, { recursive: true, force: true });
        }
    });

    it("refuses a Node.js outside package.json's engines, naming the range", () => {
        assert.deepStrictEqual(installProblems(root, "v18.19.0", []),
            ["Node.js v18.19.0 is not supported: this program needs Node.js >=20.19.0 <25 (package.json \"engines\")"]);
        assert.strictEqual(installProblems(root, "v25.0.0", []).length, 1);
        assert.strictEqual(installProblems(root, "v20.18.9", []).length, 1);
        assert.deepStrictEqual(installProblems(root, "v20.19.0", ["ts-node", "mocha"]), []);
        assert.deepStrictEqual(installProblems(root, "v24.11.1", []), []);
    });
});
