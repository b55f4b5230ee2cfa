/**
 * tools/pulumi-cli/build.sh under concurrency: two test processes (or two
 * checkouts) that need the CLI at once build it once. A stand-in `go` on PATH
 * writes a small `pulumi` that prints the version, after a pause long enough
 * for the second run to arrive; it counts its own runs.
 */
import * as assert from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const root = path.join(__dirname, "..");
const version = `v${JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).dependencies["@pulumi/pulumi"]}`;

const FAKE_GO = `#!/bin/bash
# Stand-in for \`go build ... -o OUT\`: counts runs, pauses, writes a pulumi that prints its version.
echo run >> "$FAKE_GO_RUNS"
out=""; while [ $# -gt 0 ]; do [ "$1" = "-o" ] && out="$2"; shift; done
sleep 2
printf '#!/bin/sh\\necho %s\\n' "${version}" > "$out"
chmod +x "$out"
`;

function run(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        const child = spawn("bash", [path.join(root, "tools", "pulumi-cli", "build.sh")], { env });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => { stdout += d; });
        child.stderr.on("data", (d) => { stderr += d; });
        child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
}

describe("the Pulumi CLI build (tools/pulumi-cli/build.sh)", () => {
    it("builds once when two runs start together; both print the same bin directory", async () => {
        const work = fs.mkdtempSync(path.join(os.tmpdir(), "openvidu-cli-build-"));
        try {
            const fakeBin = path.join(work, "fake-bin");
            fs.mkdirSync(fakeBin);
            fs.writeFileSync(path.join(fakeBin, "go"), FAKE_GO, { mode: 0o755 });
            const runs = path.join(work, "runs");
            const env = { ...process.env, PATH: `${fakeBin}:${process.env.PATH}`, PULUMI_CLI_CACHE: path.join(work, "cache"), FAKE_GO_RUNS: runs };
            const [a, b] = await Promise.all([run(env), run(env)]);
            assert.strictEqual(a.code, 0, a.stderr);
            assert.strictEqual(b.code, 0, b.stderr);
            const bin = path.join(work, "cache", version, "bin");
            assert.deepStrictEqual([a.stdout.trim(), b.stdout.trim()], [bin, bin]);
            assert.strictEqual(fs.readFileSync(runs, "utf8").trim().split("\n").length, 1, "go build ran once");
            assert.ok(!fs.existsSync(path.join(bin, "pulumi.tmp")), "no half-written binary left");
        } finally {
            fs.rmSync(work, { recursive: true, force: true });
        }
    });
});
