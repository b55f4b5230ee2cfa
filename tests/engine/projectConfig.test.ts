/**
 * The real Pulumi CLI reads the project's Pulumi.yaml and the shipped stack
 * files: its config checks (required keys, declared types, secrets) run
 * before any program, and mocks never apply them. The program here is the
 * project's own config loader (config/index.ts), run inline through the
 * Automation API with the project directory's Pulumi.yaml, so a preview
 * passes only if the CLI accepts the files and the program's validation
 * accepts the values the CLI hands over.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as automation from "@pulumi/pulumi/automation";
import { loadConfig } from "../../config";
import { EngineSandbox, pulumiCommandOf, sandboxOrSkip } from "../support/pulumiCli";

const root = path.join(__dirname, "..", "..");

/** A copy of the project files the CLI reads (Pulumi.yaml, the stack files), in a directory of its own. */
function projectCopy(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "openvidu-project-"));
    for (const file of ["Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml"]) fs.copyFileSync(path.join(root, file), path.join(dir, file));
    return dir;
}

/** The config loader as the program: it throws the program's ConfigError on a bad value. */
async function configProgram(): Promise<Record<string, unknown>> {
    const config = loadConfig();
    return { domainName: config.domainName, masters: config.masterNodes.desired };
}

describe("the real Pulumi CLI and the project's config files", function () {
    this.timeout(240_000);
    let sandbox: EngineSandbox;
    let projectDir: string;

    before(function () {
        sandbox = sandboxOrSkip(this);
    });
    beforeEach(() => { projectDir = projectCopy(); });
    afterEach(() => fs.rmSync(projectDir, { recursive: true, force: true }));
    after(() => sandbox?.dispose());

    async function stackOf(stackName: string): Promise<automation.Stack> {
        const pulumiCommand = await pulumiCommandOf(sandbox);
        return automation.LocalWorkspace.createOrSelectStack(
            { stackName, workDir: projectDir, program: configProgram } as unknown as automation.InlineProgramArgs,
            { workDir: projectDir, envVars: sandbox.env, pulumiCommand, program: configProgram },
        );
    }

    for (const stackName of ["dev", "prod"]) {
        it(`previews Pulumi.${stackName}.yaml as shipped, once the secrets its header lists are set`, async () => {
            const stack = await stackOf(stackName);
            const stackFile = (): string => fs.readFileSync(path.join(projectDir, `Pulumi.${stackName}.yaml`), "utf8");
            // The file's own instructions: "pulumi config set --secret openvidu:KEY <...>" comment lines.
            const secretKeys = [...stackFile().matchAll(/^#\s+pulumi config set --secret (openvidu:\w+)/gm)].map((m) => m[1]);
            assert.ok(secretKeys.includes("openvidu:license"), `Pulumi.${stackName}.yaml says how to set the license`);
            for (const key of secretKeys) {
                sandbox.run(["config", "set", "--secret", "--stack", stackName, key], { cwd: projectDir, input: `value-of-${key.split(":")[1]}` });
            }
            const result = await stack.preview();
            assert.strictEqual(result.changeSummary.create, 1, "the stack itself");
            // The secrets went in encrypted: the stack file holds ciphertext, never a value.
            assert.ok(!stackFile().includes("value-of-") && /openvidu:license:\s*\n\s*secure:/.test(stackFile()), stackFile());
        });
    }

    for (const stackName of ["dev", "prod"]) {
        it(`keeps Pulumi.${stackName}.yaml as committed when a user sets their first key: it is in the CLI's own form`, () => {
            const file = path.join(projectDir, `Pulumi.${stackName}.yaml`);
            const committed = fs.readFileSync(file, "utf8");
            sandbox.run(["stack", "select", "--create", stackName], { cwd: projectDir });
            sandbox.run(["config", "set", "--stack", stackName, "openvidu:keyName", "ops"], { cwd: projectDir });
            sandbox.run(["config", "rm", "--stack", stackName, "openvidu:keyName"], { cwd: projectDir });
            // Only the passphrase provider's salt is the CLI's own addition (another secrets provider adds its own line).
            const after = fs.readFileSync(file, "utf8").split("\n").filter((line) => !line.startsWith("encryptionsalt:")).join("\n");
            assert.strictEqual(after, committed, "the CLI rewrote the committed file: write it as the CLI does (quoted numbers and booleans)");
        });
    }

    it("demands exactly the required keys that are missing (the declared ones without a default)", async () => {
        const stack = await stackOf("dev");
        await assert.rejects(stack.preview(), (error: Error) => {
            assert.match(error.message, /Stack 'dev' is missing configuration value 'license'/);
            assert.doesNotMatch(error.message, /domainName|certificateArn|elasticsearchUrl|vpcId|extraEnv/);
            return true;
        });
    });

    it("rejects a value of the wrong type for a declared key before the program runs", async () => {
        const stack = await stackOf("dev");
        sandbox.run(["config", "set", "--secret", "--stack", "dev", "openvidu:license"], { cwd: projectDir, input: "a-license-key" });
        sandbox.run(["config", "set", "--stack", "dev", "openvidu:maxMediaNodes", "several"], { cwd: projectDir });
        await assert.rejects(stack.preview(), /maxMediaNodes/);
    });

    it("rejects the license stored in plain text (declared secret)", async () => {
        const stack = await stackOf("dev");
        sandbox.run(["config", "set", "--plaintext", "--stack", "dev", "openvidu:license", "a-license-key"], { cwd: projectDir });
        await assert.rejects(stack.preview(), /license.*secret|secret.*license/i);
    });
});
