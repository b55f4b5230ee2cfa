/**
 * The real Pulumi CLI for the engine tests: built from its Go module at the
 * version of the pinned @pulumi/pulumi (tools/pulumi-cli/build.sh, cached),
 * with a throwaway local file backend and a passphrase secrets provider, so no
 * account and no network are needed.
 *
 * What runs for real: the CLI and its engine (project config checks, preview
 * unknowns, state, secrets encryption, dynamic providers serialized into
 * state, policy packs). What is missing: the Node.js language host
 * (pulumi-language-nodejs is not served by the Go module proxy) and the AWS
 * provider plugin, so programs run inline through the Automation API (whose
 * SDK serves the language runtime to the CLI) and declare no AWS resources,
 * or declare them with the stand-in provider (standInPlugins). The CLI path
 * itself, index.ts under `pulumi preview`/`up`, runs with a stand-in language
 * host (support/languageHost/, engine/cliPath.test.ts).
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as automation from "@pulumi/pulumi/automation";
import { hasCommand } from "./commands";

const repoRoot = path.join(__dirname, "..", "..");

let built: { binDir?: string; unavailable?: string } | undefined;

/**
 * The directory holding `pulumi` and its Node launchers, building them on
 * first use (minutes) and reusing the cache afterwards. Throws in CI when the
 * CLI cannot be had; elsewhere returns the reason, for a printed skip.
 */
export function pulumiCliBinDir(): { binDir?: string; unavailable?: string } {
    if (built) return built;
    if (process.env.PULUMI_CLI_BIN_DIR) {
        built = { binDir: process.env.PULUMI_CLI_BIN_DIR };
    } else if (!hasCommand("go")) {
        built = { unavailable: "Go is not installed: the real-engine tests build the Pulumi CLI from its Go module (tools/pulumi-cli/build.sh)" };
    } else {
        const result = spawnSync("bash", [path.join(repoRoot, "tools", "pulumi-cli", "build.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
        built = result.status === 0
            ? { binDir: result.stdout.trim().split("\n").pop() }
            : { unavailable: `tools/pulumi-cli/build.sh failed (exit ${result.status})` };
    }
    if (built.unavailable && process.env.CI) throw new Error(`the real Pulumi CLI is required in CI: ${built.unavailable}`);
    return built;
}

/** A state backend, passphrase and PULUMI_HOME of its own, removed by dispose(). */
export interface EngineSandbox {
    /** Where the file backend keeps state (`file://` URL's path). */
    stateDir: string;
    /** Environment for the CLI (and the Automation API's `envVars`). */
    env: Record<string, string>;
    /** The `pulumi` binary. */
    pulumi: string;
    /** Runs `pulumi ARGS` in `cwd`; returns stdout, throws with stderr on failure. */
    run(args: string[], options?: { cwd?: string; input?: string }): string;
    dispose(): void;
}

export const TEST_PASSPHRASE = "engine-test-passphrase";

export function engineSandbox(binDir: string): EngineSandbox {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "openvidu-engine-"));
    const stateDir = path.join(home, "state");
    fs.mkdirSync(stateDir);
    const env: Record<string, string> = {
        PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ""}`,
        PULUMI_HOME: path.join(home, "pulumi-home"),
        PULUMI_BACKEND_URL: `file://${stateDir}`,
        PULUMI_CONFIG_PASSPHRASE: TEST_PASSPHRASE,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        PULUMI_SKIP_CONFIRMATIONS: "true",
    };
    const pulumi = path.join(binDir, "pulumi");
    return {
        stateDir,
        env,
        pulumi,
        run(args, options = {}) {
            const result = spawnSync(pulumi, [...args, "--non-interactive"], {
                cwd: options.cwd ?? home, env: { ...process.env, ...env }, input: options.input ?? "", encoding: "utf8",
            });
            if (result.status !== 0) throw new Error(`pulumi ${args[0]} ${args[1] ?? ""} failed (${result.status}):\n${result.stderr}${result.stdout}`);
            return result.stdout;
        },
        dispose() {
            fs.rmSync(home, { recursive: true, force: true });
        },
    };
}

/**
 * For a mocha `before` hook: a sandbox with the real CLI, or a skip that
 * prints why it cannot be had (in CI, pulumiCliBinDir throws instead).
 */
export function sandboxOrSkip(context: Mocha.Context): EngineSandbox {
    const cli = pulumiCliBinDir();
    if (!cli.binDir) {
        console.log(`      skipped: ${cli.unavailable}`);
        context.skip();
    }
    return engineSandbox(cli.binDir as string);
}

/** The Automation API's handle on the sandbox's CLI. */
export function pulumiCommandOf(sandbox: EngineSandbox): Promise<automation.PulumiCommand> {
    return automation.PulumiCommand.get({ root: path.dirname(path.dirname(sandbox.pulumi)) });
}

/**
 * A directory of stand-in provider plugins (tests/support/stand-in-aws-provider.js)
 * for the given packages, each reporting the version of the SDK this project pins.
 */
export function standInPlugins(packages: string[]): { dir: string; dispose(): void } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "openvidu-plugins-"));
    const script = path.join(repoRoot, "tests", "support", "stand-in-aws-provider.js");
    for (const name of packages) {
        const version = JSON.parse(fs.readFileSync(path.join(repoRoot, "node_modules", "@pulumi", name, "package.json"), "utf8")).version;
        fs.writeFileSync(path.join(dir, `pulumi-resource-${name}`), `#!/bin/sh\nSTAND_IN_VERSION=${version} exec node '${script}' "$@"\n`, { mode: 0o755 });
    }
    return { dir, dispose: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** `pulumi version` of a bin dir (e.g. "v3.248.0"). */
export function cliVersion(binDir: string): string {
    return execFileSync(path.join(binDir, "pulumi"), ["version"], { encoding: "utf8" }).trim();
}
