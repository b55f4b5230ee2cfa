/**
 * `npm test`'s global set-up and teardown (.mocharc.suite.js), run once in
 * mocha's main process, before any worker starts and after they all ended:
 * - the Pulumi CLI the engine tests use is built here, with no test's timeout
 *   running, and handed to every worker as PULUMI_CLI_BIN_DIR. The first run
 *   builds it from Go (minutes, printed); later runs find it in the cache
 *   (tools/pulumi-cli/build.sh). Without Go, nothing is set and the engine
 *   tests say why they skip (or fail, in CI).
 * - the run's one Ceph RGW cluster starts here (support/sharedRgw.ts) and is
 *   stopped in the teardown. Its start (~12 s, mostly waiting on the
 *   daemons) is not waited for here: the workers load their first files
 *   meanwhile, and a file that needs the cluster waits for it in its `before`
 *   hook, bounded by the start's own limits. Without Ceph, nothing is set and those files skip;
 *   a run of named files none of which asks for a cluster starts none.
 */
import { spawnSync } from "child_process";
import * as path from "path";
import { hasCommand } from "./support/commands";
import { runAsksForRgw, SharedRgw, startSharedRgw } from "./support/sharedRgw";

let sharedRgw: SharedRgw | undefined;

function buildPulumiCli(): void {
    if (process.env.PULUMI_CLI_BIN_DIR || !hasCommand("go")) return;
    const build = spawnSync("bash", [path.join(__dirname, "..", "tools", "pulumi-cli", "build.sh")], {
        encoding: "utf8", stdio: ["ignore", "pipe", "inherit"],
    });
    const binDir = build.stdout?.trim().split("\n").pop();
    if (build.status === 0 && binDir) process.env.PULUMI_CLI_BIN_DIR = binDir;
}

export function mochaGlobalSetup(): void {
    buildPulumiCli(); // first: a build (minutes, synchronous) would hold the cluster's start
    // Not for a run of named files none of which needs it: its start would only delay the run's end.
    if (runAsksForRgw(process.argv.slice(2), path.join(__dirname, ".."))) sharedRgw = startSharedRgw();
}

export async function mochaGlobalTeardown(): Promise<void> {
    await sharedRgw?.stop();
}
