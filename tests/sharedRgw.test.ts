/**
 * One Ceph RGW cluster per `npm test` run (support/sharedRgw.ts): a run of
 * three probe files under the suite's own configuration (.mocharc.suite.js:
 * parallel workers, its global set-up and teardown) must show every file the
 * same cluster, and leave no daemon behind, one of its tests failing.
 * Skipped, with the reason printed, where Ceph is not installed.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { rgwUnavailable } from "./support/rgw";
import { runAsksForRgw, SHARED_RGW_ENV } from "./support/sharedRgw";

const root = path.join(__dirname, "..");
const PROBES = 3;

interface Probe { probe: number; endpoint: string; conf: string; users: string }

/** A test file that records which cluster rgwForFile gave it (and that its admin answers), then stops it. */
function probeFile(n: number, out: string): string {
    return `import * as fs from "fs";
import { rgwForFile } from ${JSON.stringify(path.join(root, "tests", "support", "sharedRgw"))};
describe("probe ${n}", function () {
    this.timeout(600000);
    it("reaches a cluster", async () => {
        const rgw = await rgwForFile();
        const users = rgw.admin(["user", "list"]);
        fs.appendFileSync(${JSON.stringify(out)}, JSON.stringify({ probe: ${n}, endpoint: rgw.endpoint, conf: rgw.conf, users }) + "\\n");
        rgw.stop();
    });
    ${n === PROBES ? "it(\"fails, so the run fails\", () => { throw new Error(\"failing on purpose\"); });" : ""}
});
`;
}

/** Processes whose command line names `conf`: the daemons of that cluster. */
function daemonsOf(conf: string): string[] {
    return fs.readdirSync("/proc").filter((pid) => /^\d+$/.test(pid)).flatMap((pid) => {
        try {
            const commandLine = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
            return commandLine.includes(conf) ? [`${pid}: ${commandLine}`] : [];
        } catch {
            return []; // ended meanwhile
        }
    });
}

describe("which runs start the shared RGW cluster", () => {
    it("npm test's, and a run of named files only when one of them asks for a cluster", () => {
        assert.strictEqual(runAsksForRgw([], root), true);
        assert.strictEqual(runAsksForRgw(["--config", ".mocharc.suite.js", "--jobs", "2"], root), true);
        assert.strictEqual(runAsksForRgw(["--config", ".mocharc.suite.js", "tests/suite.test.ts", "tests/naming.test.ts"], root), false);
        assert.strictEqual(runAsksForRgw(["--config", ".mocharc.suite.js", "tests/suite.test.ts", "tests/envFile.rgw.test.ts"], root), true);
        assert.strictEqual(runAsksForRgw(["--config", ".mocharc.suite.js", "tests/engine/*.test.ts"], root), true);
    });
});

describe("one Ceph RGW per npm test run", function () {
    this.timeout(600000);
    let dir: string | undefined;
    before(function () {
        const reason = rgwUnavailable();
        if (reason !== undefined) {
            console.log(`      skipped: ${reason}`);
            this.skip();
        }
    });
    after(() => {
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("every file of a run under the suite's configuration reaches the same cluster, stopped when the run ends (failing)", () => {
        dir = fs.mkdtempSync(path.join(root, ".test-tmp-shared-rgw-"));
        const out = path.join(dir, "probes.jsonl");
        const files = Array.from({ length: PROBES }, (_, i) => {
            const file = path.join(dir!, `probe${i + 1}.ts`);
            fs.writeFileSync(file, probeFile(i + 1, out));
            return file;
        });
        const config = path.join(dir, "mocharc.js");
        // The suite's configuration as npm test uses it, with the probes as its only files, on two workers.
        fs.writeFileSync(config, `module.exports = { ...require(${JSON.stringify(path.join(root, ".mocharc.suite.js"))}), jobs: 2, spec: ${JSON.stringify(files)} };\n`);
        const env = { ...process.env };
        delete env[SHARED_RGW_ENV]; // under npm test, this run's own cluster: the probes' run starts its own
        const run = spawnSync(process.execPath, [require.resolve("mocha/bin/mocha.js"), "--config", config], { cwd: root, env, encoding: "utf8", timeout: 540000 });
        const output = `${run.stdout}${run.stderr}`;
        assert.strictEqual(run.status, 1, `the probes' run fails by one test:\n${output}`);
        assert.match(output, /3 passed, 1 failed/, output);

        const probes: Probe[] = fs.readFileSync(out, "utf8").trim().split("\n").map((line) => JSON.parse(line));
        assert.deepStrictEqual(probes.map((p) => p.probe).sort(), [1, 2, 3]);
        assert.deepStrictEqual([...new Set(probes.map((p) => p.endpoint))].length, 1, `one cluster for the run: ${probes.map((p) => p.endpoint)}`);
        assert.deepStrictEqual([...new Set(probes.map((p) => p.conf))].length, 1);
        assert.match(probes[0].users, /"test"/, "radosgw-admin reached the cluster");

        const conf = probes[0].conf;
        assert.deepStrictEqual(daemonsOf(conf), [], "no daemon of the run's cluster outlives the run");
        assert.ok(!fs.existsSync(path.dirname(conf)), `the cluster's directory is removed: ${path.dirname(conf)}`);
    });
});
