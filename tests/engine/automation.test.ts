/**
 * The Automation API module (automation/) driving the real Pulumi CLI:
 * deploy, preview, outputs, destroy, abort, a concurrent update, and what
 * leaves the module (no secret on a command line or in an error).
 *
 * There is no AWS provider plugin here, so the module's whole flow runs with
 * a stand-in inline program (setInlineProgram): dynamic resources that load
 * a module from node_modules the way the `.env` provider does, and the seven
 * outputs the real program exports. Everything else is the module's own code
 * and the real CLI and engine.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as automation from "@pulumi/pulumi/automation";
import { createWaiter, WaiterState } from "@smithy/util-waiter";
import {
    AutomationError, deploy, destroy, InlineProgram, OperationAbortedError, outputs, preview, setInlineProgram, StackBusyError, StackRequest,
} from "../../automation";
import { parse } from "yaml";
import { OpenViduStackConfig } from "../../config";
import { EngineSandbox, sandboxOrSkip } from "../support/pulumiCli";

const LICENSE = "license-7f3a9c-never-on-argv";

const CONFIG: OpenViduStackConfig = {
    domainName: "openvidu.example.com",
    license: LICENSE,
    certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666",
    masterAmiId: "ami-0123456789abcdef0",
    mediaAmiId: "ami-0fedcba9876543210",
    elasticsearchEnabled: false,
};

/**
 * A dynamic resource whose provider loads @aws-sdk/client-s3 when it runs in
 * the dynamic-provider host, as the `.env` provider does: it only works when
 * the host resolves modules from a directory with this package's node_modules.
 */
const slowProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: Record<string, unknown>) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const s3 = require("@aws-sdk/client-s3");
        await new Promise((resolve) => setTimeout(resolve, Number(inputs.delayMs)));
        return { id: `${inputs.label}-1`, outs: { ...inputs, sdk: typeof s3.S3Client } };
    },
};

class Step extends pulumi.dynamic.Resource {
    declare readonly sdk: pulumi.Output<string>;
    constructor(name: string, args: { label: string; delayMs: number }, opts?: pulumi.CustomResourceOptions) {
        super(slowProvider, name, { ...args, sdk: undefined }, opts);
    }
}

/** Waits until the file backend in `stateDir` holds an update lock of `stack` (a file under .pulumi/locks/.../<stack>/). */
async function untilLocked(stateDir: string, stack: string): Promise<void> {
    const locks = path.join(stateDir, ".pulumi", "locks");
    const locked = (): boolean => fs.existsSync(locks) && (fs.readdirSync(locks, { recursive: true }) as string[])
        .some((entry) => path.basename(path.dirname(path.join(locks, entry))) === stack && entry.endsWith(".json"));
    const result = await createWaiter({ client: {}, maxWaitTime: 120, minDelay: 0.1, maxDelay: 0.5 }, {},
        async () => ({ state: locked() ? WaiterState.SUCCESS : WaiterState.RETRY }));
    if (result.state !== WaiterState.SUCCESS) throw new Error(`the first update never locked stack ${stack}: ${result.state}`);
}

/**
 * Until the stack's checkpoint records `resource` being created: from then on the update only sleeps
 * in that resource's create, writing nothing, so another command can read the checkpoint whole
 * (the file backend rewrites it in place: read mid-write, it is cut, "failed to load checkpoint: EOF").
 */
async function untilCreating(stateDir: string, stack: string, resource: string): Promise<void> {
    const stacks = path.join(stateDir, ".pulumi", "stacks");
    const creating = (): boolean => fs.existsSync(stacks) && (fs.readdirSync(stacks, { recursive: true }) as string[])
        .filter((entry) => path.basename(entry) === `${stack}.json`)
        .some((entry) => {
            try {
                const checkpoint = JSON.parse(fs.readFileSync(path.join(stacks, entry), "utf8")) as
                    { checkpoint?: { latest?: { pending_operations?: Array<{ resource?: { urn?: string }; type?: string }> } } };
                return (checkpoint.checkpoint?.latest?.pending_operations ?? [])
                    .some((op) => op.type === "creating" && op.resource?.urn?.endsWith(`::${resource}`));
            } catch {
                return false; // being written: look again
            }
        });
    const result = await createWaiter({ client: {}, maxWaitTime: 120, minDelay: 0.1, maxDelay: 0.5 }, {},
        async () => ({ state: creating() ? WaiterState.SUCCESS : WaiterState.RETRY }));
    if (result.state !== WaiterState.SUCCESS) throw new Error(`the first update never started creating ${resource} in stack ${stack}: ${result.state}`);
}

/** The stand-in program: the real program's outputs, from config, behind two dynamic resources. */
function standInProgram(delayMs: number): InlineProgram {
    return () => {
        const config = new pulumi.Config("openvidu");
        const first = new Step("first", { label: "first", delayMs });
        const second = new Step("second", { label: "second", delayMs: 0 }, { dependsOn: first });
        const domain = config.require("domainName");
        return {
            loadBalancerUrl: pulumi.interpolate`https://${domain}/${second.sdk}`,
            inspectorUrl: `https://${domain}/inspector`,
            domainName: domain,
            bucketName: "bucket",
            masterAsgName: "masters",
            mediaAsgName: "media",
            openviduSecret: pulumi.secret("generated-secret"),
        };
    };
}

describe("the Automation API with the real Pulumi CLI", function () {
    this.timeout(300_000);
    let sandbox: EngineSandbox;
    let argvLog: string;
    let pulumiCommand: automation.PulumiCommand;
    let callerDir: string;
    let cwd: string;
    let previousProgram: InlineProgram;

    before(async function () {
        sandbox = sandboxOrSkip(this);
        // A `pulumi` that records every command line it is given, then runs the real one.
        const wrapperRoot = fs.mkdtempSync(path.join(os.tmpdir(), "openvidu-argv-"));
        fs.mkdirSync(path.join(wrapperRoot, "bin"));
        argvLog = path.join(wrapperRoot, "argv.log");
        fs.writeFileSync(path.join(wrapperRoot, "bin", "pulumi"),
            `#!/bin/sh\nprintf '%s\\n' "$*" >> '${argvLog}'\nexec '${sandbox.pulumi}' "$@"\n`, { mode: 0o755 });
        pulumiCommand = await automation.PulumiCommand.get({ root: wrapperRoot });
        // The caller runs from a directory without node_modules.
        callerDir = fs.mkdtempSync(path.join(os.tmpdir(), "openvidu-caller-"));
        cwd = process.cwd();
        process.chdir(callerDir);
        previousProgram = setInlineProgram(standInProgram(0));
    });
    after(() => {
        if (previousProgram) setInlineProgram(previousProgram);
        if (cwd) process.chdir(cwd);
        for (const dir of [callerDir, argvLog && path.dirname(argvLog)]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
        sandbox?.dispose();
    });

    function request(stackName: string, extra: Partial<StackRequest> = {}): StackRequest {
        return {
            stackName, region: "eu-west-1", config: CONFIG,
            workspace: { envVars: { ...sandbox.env }, pulumiCommand },
            ...extra,
        };
    }

    it("deploys, previews, reads outputs and destroys, from a caller directory without node_modules", async () => {
        const lines: string[] = [];
        const deployed = await deploy(request("life", { onOutput: (line) => lines.push(line) }));
        assert.strictEqual(deployed.loadBalancerUrl, "https://openvidu.example.com/function", "the provider loaded @aws-sdk/client-s3");
        assert.strictEqual(deployed.openviduSecret, "generated-secret");
        assert.match(lines.join(""), /second\s+created/);

        const planned = await preview(request("life"));
        assert.deepStrictEqual(planned.changeSummary, { same: 3 }, "nothing to change after the deploy");
        assert.strictEqual((await outputs(request("life"))).domainName, "openvidu.example.com");

        const destroyed = await destroy(request("life"));
        assert.strictEqual(destroyed.summary.resourceChanges?.delete, 3);
    });

    it("puts secrets on no command line and stores them encrypted", async () => {
        fs.writeFileSync(argvLog, "");
        await preview(request("argv"));
        const commandLines = fs.readFileSync(argvLog, "utf8");
        assert.match(commandLines, /config set --secret --raw --stack argv --non-interactive openvidu:license/, "the secret went through stdin");
        assert.match(commandLines, /config set-all/, "the plain values in one call");
        assert.ok(!commandLines.includes(LICENSE), "the license is on no command line");
        const exported = JSON.stringify(JSON.parse(sandbox.run(["stack", "export", "--stack", "organization/openvidu/argv"], { cwd: callerDir })));
        assert.ok(!exported.includes(LICENSE));
    });

    it("sets exactly the typed config: a key dropped from it is removed from the stack, other namespaces stay", async () => {
        // Stack config lives in the workspace's directory (Pulumi.exact.yaml): keep one across the calls.
        const workDir = fs.mkdtempSync(path.join(callerDir, "workspace-"));
        const workspace = { workDir, envVars: { ...sandbox.env }, pulumiCommand };
        await preview(request("exact", { config: { ...CONFIG, keyName: "ops-key" }, workspace }));
        const stack = await automation.LocalWorkspace.selectStack({ stackName: "exact", projectName: "openvidu", program: async () => ({}) }, workspace);
        assert.deepStrictEqual(await stack.getConfig("openvidu:keyName"), { value: "ops-key", secret: false });
        await stack.setConfig("aws:profile", { value: "ops" });
        await preview(request("exact", { workspace }));
        const config = await stack.getAllConfig();
        assert.strictEqual(config["openvidu:keyName"], undefined, "dropped from the typed config, removed");
        assert.deepStrictEqual(config["aws:profile"], { value: "ops", secret: false }, "not ours, kept");
        assert.deepStrictEqual(config["openvidu:license"], { value: LICENSE, secret: true });
    });

    it("stores lists and maps as YAML lists and maps, so a workDir holding this project's Pulumi.yaml (which declares list keys) previews", async () => {
        const workDir = fs.mkdtempSync(path.join(callerDir, "project-"));
        fs.copyFileSync(path.join(__dirname, "..", "..", "Pulumi.yaml"), path.join(workDir, "Pulumi.yaml"));
        const reader = "arn:aws:iam::123456789012:role/openvidu-preview";
        const previous = setInlineProgram(() => ({}));
        try {
            await preview(request("lists", {
                config: { ...CONFIG, envReaderArns: [reader], extraEnv: { OPENVIDU_WEBHOOK: "true" } },
                workspace: { workDir, envVars: { ...sandbox.env }, pulumiCommand },
            }));
        } finally {
            setInlineProgram(previous);
        }
        const stackFile = parse(fs.readFileSync(path.join(workDir, "Pulumi.lists.yaml"), "utf8"));
        assert.deepStrictEqual(stackFile.config["openvidu:envReaderArns"], [reader]);
        assert.deepStrictEqual(stackFile.config["openvidu:extraEnv"], { OPENVIDU_WEBHOOK: "true" });
    });

    it("redacts the request's secrets from every error that leaves the module", async () => {
        const previous = setInlineProgram(() => {
            throw new Error(`cannot use license ${new pulumi.Config("openvidu").require("license")}`);
        });
        try {
            await assert.rejects(preview(request("leak")), (error: unknown) => {
                assert.ok(error instanceof AutomationError, String(error));
                const text = `${error.message}\n${error.stack}\n${error.stdout}\n${error.stderr}`;
                assert.ok(text.includes("cannot use license [secret]"), "the failure is reported, the value masked");
                assert.ok(!text.includes(LICENSE));
                return true;
            });
        } finally {
            setInlineProgram(previous);
        }
    });

    it("aborts a running deploy through the signal: in-flight work finishes, nothing new starts, the state is saved", async () => {
        const previous = setInlineProgram(standInProgram(4000));
        const abort = new AbortController();
        try {
            const running = deploy(request("abort", {
                signal: abort.signal,
                onEvent: (event) => {
                    if (event.resourcePreEvent?.metadata.urn.endsWith("::first")) setTimeout(() => abort.abort(), 500);
                },
            }));
            await assert.rejects(running, OperationAbortedError);
        } finally {
            setInlineProgram(previous);
        }
        const state = JSON.parse(sandbox.run(["stack", "export", "--stack", "organization/openvidu/abort"], { cwd: callerDir }));
        const names = (state.deployment.resources ?? []).map((r: { urn: string }) => r.urn.split("::").pop());
        assert.ok(names.includes("first"), `the in-flight resource was saved: ${names.join(", ")}`);
        assert.ok(!names.includes("second"), "nothing started after the abort");
        await destroy(request("abort")); // and the stack is usable again
    });

    it("rejects an aborted signal before anything runs, with no unhandled rejection", async () => {
        const unhandled: unknown[] = [];
        const onUnhandled = (reason: unknown): void => { unhandled.push(reason); };
        process.on("unhandledRejection", onUnhandled);
        try {
            const abort = new AbortController();
            abort.abort();
            await assert.rejects(deploy(request("never", { signal: abort.signal })), OperationAbortedError);
            await new Promise((resolve) => setTimeout(resolve, 200));
        } finally {
            process.off("unhandledRejection", onUnhandled);
        }
        assert.deepStrictEqual(unhandled, []);
    });

    it("maps a concurrent update of the same stack to StackBusyError", async () => {
        // The first update holds the stack's lock for 15 s of its program; the second starts once the
        // lock is there and the first sleeps in its first resource's create (not after a fixed wait,
        // which a busy machine outruns), well within those 15 s.
        const previous = setInlineProgram(standInProgram(15000));
        try {
            const first = deploy(request("busy"));
            await untilLocked(sandbox.stateDir, "busy");
            await untilCreating(sandbox.stateDir, "busy", "first");
            await assert.rejects(deploy(request("busy")), (error: unknown) => {
                assert.ok(error instanceof StackBusyError, String(error));
                assert.match(error.message, /stack busy is being updated/);
                return true;
            });
            await first;
        } finally {
            setInlineProgram(previous);
        }
        await destroy(request("busy"));
    });
});
