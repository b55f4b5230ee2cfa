/**
 * The drift workflow's step (.github/workflows/drift.yml) against the real
 * Pulumi CLI and engine: a stack is deployed, something changes behind its
 * back, and the step runs `pulumi preview --refresh --expect-no-changes
 * --json` exactly as the workflow does. It must fail on drift and name the
 * resource (and `.env` keys), never a value.
 *
 * Where the model stops: the resources are dynamic resources standing in for
 * an AWS resource and for the `.env` provider (read reports the live values
 * of the managed keys; diff compares what it last wrote with the config, and
 * warns, by key name, when a key changed at run time is also changed by the
 * config). An AWS resource's stand-in returns inputs matching the live state
 * from read, as a bridged provider does, so the refresh diff sees drift; the
 * `.env` stand-in returns outputs only, as the real provider does.
 * There is no Node.js language host here, so the CLI runs the program through
 * the Automation API's in-process language server (`--client`).
 */
import * as assert from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import * as pulumi from "@pulumi/pulumi";
import * as automation from "@pulumi/pulumi/automation";
import { parse } from "yaml";
import { hasCommand } from "../support/commands";
import { engineSandbox, EngineSandbox, pulumiCliBinDir } from "../support/pulumiCli";

// The Automation API's language server and its gRPC service (not in the SDK's public typings).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { LanguageServer } = require("@pulumi/pulumi/automation/server");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const langrpc = require("@pulumi/pulumi/proto/language_grpc_pb");

const root = path.join(__dirname, "..", "..");
const OPERATOR_VALUE = "operator-value-5b1e";

/** Reads and writes the "live" side of a stand-in resource: a JSON file. */
const liveResource: pulumi.dynamic.ResourceProvider = {
    async create(inputs: Record<string, unknown>) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require("fs").writeFileSync(String(inputs.liveFile), JSON.stringify(inputs.settings));
        return { id: String(inputs.liveFile), outs: { ...inputs, lastWritten: inputs.settings } };
    },
    async read(id: string, props?: Record<string, unknown>) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const live = JSON.parse(require("fs").readFileSync(id, "utf8"));
        const refreshed = { ...props, settings: live };
        // An AWS provider hands back inputs that match the live resource, so a refresh diff sees drift;
        // the .env provider reports live values as outputs only (a run-time change is kept, not drift).
        return props?.kind === "aws" ? { id, props: refreshed, inputs: { kind: "aws", liveFile: props.liveFile, settings: live } } : { id, props: refreshed };
    },
    async diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
        const live = olds.settings as Record<string, string>;
        const wrote = olds.lastWritten as Record<string, string>;
        const want = news.settings as Record<string, string>;
        if (news.kind === "aws") {
            // An AWS resource: the live value against the config.
            return { changes: JSON.stringify(live) !== JSON.stringify(want) };
        }
        // The .env provider: what it last wrote against the config; a run-time change is kept.
        const changed = Object.keys(want).filter((key) => wrote[key] !== want[key]);
        for (const key of changed.filter((k) => live[k] !== wrote[k])) {
            console.warn(`.env: ${key} was changed at run time and is also changed by the stack config; the config value will be written`);
        }
        return { changes: changed.length > 0 };
    },
    async update(_id: string, _olds: Record<string, unknown>, news: Record<string, unknown>) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require("fs").writeFileSync(String(news.liveFile), JSON.stringify(news.settings));
        return { outs: { ...news, lastWritten: news.settings } };
    },
};

class Live extends pulumi.dynamic.Resource {
    constructor(name: string, args: { kind: "aws" | "env"; liveFile: string; settings: Record<string, string> }) {
        super(liveResource, name, { ...args, lastWritten: undefined });
    }
}

interface Scenario {
    /** The live change an operator makes after `pulumi up` (file → content). */
    liveChange: (files: { env: string; asg: string }) => void;
    /** The config of the preview (by default the deployed one). */
    recordingPublicAccess?: string;
}

describe("the drift workflow with the real Pulumi CLI", function () {
    this.timeout(400_000);
    let sandbox: EngineSandbox;
    let work: string;
    let counter = 0;

    before(function () {
        const cli = pulumiCliBinDir();
        if (!cli.binDir) {
            console.log(`      skipped: ${cli.unavailable}`);
            this.skip();
        }
        if (!hasCommand("jq")) {
            console.log("      skipped: jq is not installed (apt-get install jq; .ci/run installs it)");
            this.skip();
        }
        sandbox = engineSandbox(cli.binDir as string);
        work = fs.mkdtempSync(path.join(os.tmpdir(), "openvidu-drift-"));
    });
    after(() => {
        if (work) fs.rmSync(work, { recursive: true, force: true });
        sandbox?.dispose();
    });

    /** Deploys, applies the live change, then runs the workflow's step; returns its status, summary and log. */
    async function driftStep(scenario: Scenario): Promise<{ status: number | null; summary: string; log: string }> {
        const dir = path.join(work, `case-${++counter}`);
        // A stack of its own per case (one backend for all).
        const stackName = `prod${counter}`;
        const projectDir = path.join(dir, "project");
        fs.mkdirSync(projectDir, { recursive: true });
        fs.writeFileSync(path.join(projectDir, "Pulumi.yaml"), "name: drift\nruntime: nodejs\n");
        // The dynamic-provider host loads @pulumi/pulumi from the project directory.
        fs.symlinkSync(path.join(root, "node_modules"), path.join(projectDir, "node_modules"), "dir");
        const files = { env: path.join(dir, "live-env.json"), asg: path.join(dir, "live-asg.json") };
        const programWith = (recording: string) => async (): Promise<Record<string, unknown>> => {
            new Live("openvidu-env", { kind: "env", liveFile: files.env, settings: { OPENVIDU_RECORDING_PUBLIC_ACCESS: recording, OPENVIDU_CDR: "true" } });
            new Live("openvidu-master-asg", { kind: "aws", liveFile: files.asg, settings: { maxSize: "4" } });
            return {};
        };
        const deployed = programWith("false");
        const pulumiCommand = await automation.PulumiCommand.get({ root: path.dirname(path.dirname(sandbox.pulumi)) });
        const stack = await automation.LocalWorkspace.createOrSelectStack(
            { stackName, workDir: projectDir, program: deployed } as unknown as automation.InlineProgramArgs,
            { workDir: projectDir, envVars: sandbox.env, pulumiCommand, program: deployed },
        );
        await stack.up();
        scenario.liveChange(files);

        // The program is served in-process, as the Automation API does for inline programs.
        const server = new grpc.Server();
        server.addService(langrpc.LanguageRuntimeService, new LanguageServer(programWith(scenario.recordingPublicAccess ?? "false")));
        const port = await new Promise<number>((resolve, reject) =>
            server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
        try {
            // `pulumi` for the step: the real CLI, pointed at the served program and the project.
            const bin = path.join(dir, "bin");
            fs.mkdirSync(bin);
            fs.writeFileSync(path.join(bin, "pulumi"),
                `#!/bin/bash\nexec '${sandbox.pulumi}' "$@" --client=127.0.0.1:${port} --exec-kind auto.inline --cwd '${projectDir}'\n`, { mode: 0o755 });
            const step = parse(fs.readFileSync(path.join(root, ".github", "workflows", "drift.yml"), "utf8"))
                .jobs.drift.steps.find((s: { run?: string }) => s.run?.includes("pulumi preview")).run as string;
            const summary = path.join(dir, "summary.md");
            const result = await new Promise<{ status: number | null; log: string }>((resolve) => {
                const child = spawn("bash", ["-e", "-c", step], {
                    cwd: dir,
                    env: { ...process.env, ...sandbox.env, PATH: `${bin}:${sandbox.env.PATH}`, STACK: stackName, STACK_NAME: stackName, GITHUB_STEP_SUMMARY: summary },
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

    it("passes when nothing changed", async () => {
        const result = await driftStep({ liveChange: () => undefined });
        assert.strictEqual(result.status, 0, result.summary + result.log);
        assert.match(result.summary, /No drift/);
    });

    it("fails on a resource changed behind the stack's back, naming it, never the value", async () => {
        const result = await driftStep({ liveChange: (f) => fs.writeFileSync(f.asg, JSON.stringify({ maxSize: OPERATOR_VALUE })) });
        assert.notStrictEqual(result.status, 0, result.summary);
        assert.match(result.summary, /^update openvidu-master-asg:/m);
        assert.ok(!/openvidu-env/.test(result.summary), "an unchanged resource is listed");
        assert.ok(!(result.summary + result.log).includes(OPERATOR_VALUE), "the value reached the summary or the log");
    });

    it("fails when the stack no longer matches the code, naming the resource, never a value", async () => {
        // The code changes a .env key an operator also changed at run time: the update is drift.
        const result = await driftStep({
            liveChange: (f) => fs.writeFileSync(f.env, JSON.stringify({ OPENVIDU_RECORDING_PUBLIC_ACCESS: OPERATOR_VALUE, OPENVIDU_CDR: "true" })),
            recordingPublicAccess: "true",
        });
        assert.notStrictEqual(result.status, 0, result.summary);
        assert.match(result.summary, /^update openvidu-env:/m);
        assert.ok(!/openvidu-master-asg/.test(result.summary), "an unchanged resource is listed");
        assert.ok(!(result.summary + result.log).includes(OPERATOR_VALUE), "the value reached the summary or the log");
    });

    // The .env provider's read returns live values as outputs only, so a refresh diff does not see them.
    it("does not flag a .env key changed at run time that the config leaves alone (kept by `pulumi up`)", async () => {
        const result = await driftStep({
            liveChange: (f) => fs.writeFileSync(f.env, JSON.stringify({ OPENVIDU_RECORDING_PUBLIC_ACCESS: OPERATOR_VALUE, OPENVIDU_CDR: "true" })),
        });
        assert.strictEqual(result.status, 0, result.summary + result.log);
    });
});
