/**
 * Runs the drift workflow's step (.github/workflows/drift.yml) as written,
 * with the real Pulumi CLI, against a stack deployed by a test.
 *
 * The step calls `pulumi preview` itself. There is no Node.js language host
 * here, so the program is served in-process by the Automation API's language
 * server, and the `pulumi` on the step's PATH is the real CLI pointed at it
 * (`--client`), as the Automation API does for inline programs.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import * as automation from "@pulumi/pulumi/automation";
import { parse } from "yaml";
import { EngineSandbox } from "./pulumiCli";

// The Automation API's language server and its gRPC service (not in the SDK's public typings).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { LanguageServer } = require("@pulumi/pulumi/automation/server");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const langrpc = require("@pulumi/pulumi/proto/language_grpc_pb");

const root = path.join(__dirname, "..", "..");

export interface DriftStepResult {
    /** The step's exit status: 0 means no drift. */
    status: number | null;
    /** What the step wrote to the job summary. */
    summary: string;
    /** The step's stdout and stderr. */
    log: string;
}

export interface DriftStepOptions {
    sandbox: EngineSandbox;
    /** The directory holding the project's Pulumi.yaml and stack files. */
    projectDir: string;
    stackName: string;
    /** The program as the code stands now (what the preview compares the stack with). */
    program: automation.PulumiFn;
    /** A scratch directory of this run's own (the step's working directory). */
    dir: string;
    /** More environment for the CLI and its providers (e.g. an S3 endpoint). */
    env?: Record<string, string>;
}

/** The step's shell script, read from the workflow. */
export function driftStepScript(): string {
    const workflow = parse(fs.readFileSync(path.join(root, ".github", "workflows", "drift.yml"), "utf8"));
    return workflow.jobs.drift.steps.find((s: { run?: string }) => s.run?.includes("pulumi preview")).run as string;
}

export async function runDriftStep(options: DriftStepOptions): Promise<DriftStepResult> {
    const { sandbox, projectDir, stackName, program, dir } = options;
    fs.mkdirSync(dir, { recursive: true });
    const server = new grpc.Server();
    server.addService(langrpc.LanguageRuntimeService, new LanguageServer(program));
    const port = await new Promise<number>((resolve, reject) =>
        server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
    try {
        const bin = path.join(dir, "bin");
        fs.mkdirSync(bin, { recursive: true });
        fs.writeFileSync(path.join(bin, "pulumi"),
            `#!/bin/bash\nexec '${sandbox.pulumi}' "$@" --client=127.0.0.1:${port} --exec-kind auto.inline --cwd '${projectDir}'\n`, { mode: 0o755 });
        const summary = path.join(dir, "summary.md");
        fs.writeFileSync(summary, "");
        const result = await new Promise<{ status: number | null; log: string }>((resolve) => {
            const child = spawn("bash", ["-e", "-c", driftStepScript()], {
                cwd: dir,
                env: {
                    ...process.env, ...sandbox.env, ...options.env,
                    PATH: `${bin}:${sandbox.env.PATH}`, STACK: stackName, STACK_NAME: stackName, GITHUB_STEP_SUMMARY: summary,
                },
            });
            let log = "";
            child.stdout.on("data", (d) => { log += d; });
            child.stderr.on("data", (d) => { log += d; });
            child.on("close", (status) => resolve({ status, log }));
        });
        return { ...result, summary: fs.readFileSync(summary, "utf8") };
    } finally {
        server.forceShutdown();
    }
}
