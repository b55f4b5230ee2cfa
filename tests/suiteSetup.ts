/**
 * `npm test`'s global set-up (.mocharc.suite.js), run once in mocha's main
 * process before any worker starts: the Pulumi CLI the engine tests use is
 * built here, with no test's timeout running, and handed to every worker as
 * PULUMI_CLI_BIN_DIR. The first run builds it from Go (minutes, printed);
 * later runs find it in the cache (tools/pulumi-cli/build.sh). Without Go,
 * nothing is set and the engine tests say why they skip (or fail, in CI).
 */
import { spawnSync } from "child_process";
import * as path from "path";
import { hasCommand } from "./support/commands";

export function mochaGlobalSetup(): void {
    if (process.env.PULUMI_CLI_BIN_DIR || !hasCommand("go")) return;
    const build = spawnSync("bash", [path.join(__dirname, "..", "tools", "pulumi-cli", "build.sh")], {
        encoding: "utf8", stdio: ["ignore", "pipe", "inherit"],
    });
    const binDir = build.stdout?.trim().split("\n").pop();
    if (build.status === 0 && binDir) process.env.PULUMI_CLI_BIN_DIR = binDir;
}
