/**
 * The drift workflow's step (.github/workflows/drift.yml) against the real
 * Pulumi CLI and engine: a stack is deployed, something changes behind its
 * back, and the step runs `pulumi preview --refresh --expect-no-changes
 * --json` exactly as the workflow does. It must fail on drift and name the
 * resource, never a value.
 *
 * Where the model stops: the AWS plugin cannot run here, so a dynamic
 * resource stands in for an AWS resource. Its read returns inputs matching
 * the live state, as a bridged provider does, so the refresh diff sees drift.
 * The `.env` provider's side of drift (keys changed at run time) is played
 * with the real provider against a real S3 server in tests/engine/envFile.test.ts.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as automation from "@pulumi/pulumi/automation";
import { hasCommand } from "../support/commands";
import { DriftStepResult, runDriftStep } from "../support/driftStep";
import { EngineSandbox, pulumiCommandOf, sandboxOrSkip } from "../support/pulumiCli";

const root = path.join(__dirname, "..", "..");
const OPERATOR_VALUE = "operator-value-5b1e";

/** Reads and writes the "live" side of a stand-in AWS resource: a JSON file. */
const liveResource: pulumi.dynamic.ResourceProvider = {
    async create(inputs: Record<string, unknown>) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require("fs").writeFileSync(String(inputs.liveFile), JSON.stringify(inputs.settings));
        return { id: String(inputs.liveFile), outs: inputs };
    },
    async read(id: string, props?: Record<string, unknown>) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const live = JSON.parse(require("fs").readFileSync(id, "utf8"));
        // A bridged AWS provider hands back inputs that match the live resource, so a refresh diff sees drift.
        return { id, props: { ...props, settings: live }, inputs: { liveFile: props?.liveFile, settings: live } };
    },
    async diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
        return { changes: JSON.stringify(olds.settings) !== JSON.stringify(news.settings) };
    },
    async update(_id: string, _olds: Record<string, unknown>, news: Record<string, unknown>) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require("fs").writeFileSync(String(news.liveFile), JSON.stringify(news.settings));
        return { outs: news };
    },
};

class LiveAwsResource extends pulumi.dynamic.Resource {
    constructor(name: string, args: { liveFile: string; settings: Record<string, string> }) {
        super(liveResource, name, args);
    }
}

describe("the drift workflow with the real Pulumi CLI", function () {
    this.timeout(400_000);
    let sandbox: EngineSandbox;
    let work: string;
    let counter = 0;

    before(function () {
        sandbox = sandboxOrSkip(this);
        if (!hasCommand("jq")) {
            console.log("      skipped: jq is not installed (apt-get install jq; .ci/run installs it)");
            this.skip();
        }
        work = fs.mkdtempSync(path.join(os.tmpdir(), "openvidu-drift-"));
    });
    after(() => {
        if (work) fs.rmSync(work, { recursive: true, force: true });
        sandbox?.dispose();
    });

    /** Deploys, applies the live change to the stand-in's file, then runs the workflow's step. */
    async function driftAfter(liveChange: (liveFile: string) => void): Promise<DriftStepResult> {
        const dir = path.join(work, `case-${++counter}`);
        // A stack of its own per case (one backend for all).
        const stackName = `prod${counter}`;
        const projectDir = path.join(dir, "project");
        fs.mkdirSync(projectDir, { recursive: true });
        fs.writeFileSync(path.join(projectDir, "Pulumi.yaml"), "name: drift\nruntime: nodejs\n");
        // The dynamic-provider host loads @pulumi/pulumi from the project directory.
        fs.symlinkSync(path.join(root, "node_modules"), path.join(projectDir, "node_modules"), "dir");
        const liveFile = path.join(dir, "live-asg.json");
        const program = async (): Promise<Record<string, unknown>> => {
            new LiveAwsResource("openvidu-master-asg", { liveFile, settings: { maxSize: "4" } });
            return {};
        };
        const stack = await automation.LocalWorkspace.createOrSelectStack(
            { stackName, workDir: projectDir, program } as unknown as automation.InlineProgramArgs,
            { workDir: projectDir, envVars: sandbox.env, pulumiCommand: await pulumiCommandOf(sandbox), program },
        );
        await stack.up();
        liveChange(liveFile);
        return runDriftStep({ sandbox, projectDir, stackName, program, dir: path.join(dir, "step") });
    }

    it("passes when nothing changed", async () => {
        const result = await driftAfter(() => undefined);
        assert.strictEqual(result.status, 0, result.summary + result.log);
        assert.match(result.summary, /No drift/);
    });

    it("fails on a resource changed behind the stack's back, naming it, never the value", async () => {
        const result = await driftAfter((liveFile) => fs.writeFileSync(liveFile, JSON.stringify({ maxSize: OPERATOR_VALUE })));
        assert.notStrictEqual(result.status, 0, result.summary);
        assert.match(result.summary, /^update openvidu-master-asg:/m);
        assert.ok(!(result.summary + result.log).includes(OPERATOR_VALUE), "the value reached the summary or the log");
    });
});
