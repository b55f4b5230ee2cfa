/**
 * `pulumi preview --policy-pack policy` with the real CLI: the engine starts
 * the pack (policy/, as shipped) and its mandatory policies fail a preview.
 * The AWS provider is a stand-in (tests/support/stand-in-aws-provider.js)
 * that accepts every resource as declared; the policies judge those inputs.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as aws from "@pulumi/aws";
import * as automation from "@pulumi/pulumi/automation";
import { engineSandbox, EngineSandbox, pulumiCliBinDir } from "../support/pulumiCli";

const root = path.join(__dirname, "..", "..");
const policyPack = path.join(root, "policy");

describe("the policy pack in the real Pulumi CLI", function () {
    this.timeout(300_000);
    let sandbox: EngineSandbox;
    let pluginDir: string;

    before(function () {
        const cli = pulumiCliBinDir();
        if (!cli.binDir) {
            console.log(`      skipped: ${cli.unavailable}`);
            this.skip();
        }
        sandbox = engineSandbox(cli.binDir as string);
        pluginDir = fs.mkdtempSync(path.join(os.tmpdir(), "openvidu-plugins-"));
        const script = path.join(root, "tests", "support", "stand-in-aws-provider.js");
        fs.writeFileSync(path.join(pluginDir, "pulumi-resource-aws"), `#!/bin/sh\nexec node '${script}' "$@"\n`, { mode: 0o755 });
    });
    after(() => {
        if (pluginDir) fs.rmSync(pluginDir, { recursive: true, force: true });
        sandbox?.dispose();
    });

    async function previewWithPack(stackName: string, actions: string[]): Promise<{ ok: boolean; output: string }> {
        const pulumiCommand = await automation.PulumiCommand.get({ root: path.dirname(path.dirname(sandbox.pulumi)) });
        const stack = await automation.LocalWorkspace.createOrSelectStack({
            projectName: "openvidu", stackName,
            program: async () => {
                new aws.iam.RolePolicy("masters", {
                    role: "openvidu-master",
                    policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: actions, Resource: "*" }] }),
                });
                return {};
            },
        }, {
            envVars: { ...sandbox.env, PATH: `${pluginDir}${path.delimiter}${sandbox.env.PATH}` },
            pulumiCommand,
            projectSettings: { name: "openvidu", runtime: "nodejs", main: root },
        });
        await stack.setConfig("aws:region", { value: "eu-west-1" });
        let output = "";
        try {
            await stack.preview({ policyPacks: [policyPack], onOutput: (line) => { output += line; } });
            return { ok: true, output };
        } catch (error) {
            return { ok: false, output: `${output}\n${(error as Error).message}` };
        }
    }

    it("loads the pack and passes a statement with named actions", async () => {
        const result = await previewWithPack("narrow", ["ec2:DescribeInstances", "s3:GetObject"]);
        assert.ok(result.ok, result.output);
        assert.match(result.output, /openvidu-guardrails/, "the pack ran");
    });

    it("fails the preview on a whole-service wildcard, naming the policy and the resource", async () => {
        const result = await previewWithPack("wide", ["s3:*"]);
        assert.ok(!result.ok, "a mandatory policy stops the preview");
        assert.match(result.output, /\[mandatory\]\s+no-iam-wildcard-action\s+\(aws:iam\/rolePolicy:RolePolicy: masters\)/);
        assert.match(result.output, /grants "s3:\*"/);
    });
});
