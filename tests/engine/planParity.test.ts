/**
 * The offline plan refuses exactly what the real Pulumi CLI refuses before it
 * runs a program (plan/projectConfig.ts models the CLI's checks of
 * Pulumi.yaml's declarations). Each case is a stack file; the real CLI
 * previews it with a program that only returns, so the CLI's own checks are
 * all that can fail; the plan's model reads the same files. Where the model
 * stops: the CLI stops at its first wrong type, the model lists them all, so
 * the cases have one mistake each.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as automation from "@pulumi/pulumi/automation";
import { loadConfig } from "../../config";
import { readStackConfig } from "../../plan/stackFile";
import { EngineSandbox, sandboxOrSkip } from "../support/pulumiCli";

const root = path.join(__dirname, "..", "..");

const BASE = [
    "config:",
    "  aws:region: eu-west-1",
    "  openvidu:domainName: openvidu.example.com",
    "  openvidu:masterAmiId: ami-0123456789abcdef0",
    "  openvidu:mediaAmiId: ami-0fedcba9876543210",
];

interface Case {
    why: string;
    /** Stack-file lines (the license is set encrypted by the test unless `plaintextLicense`). */
    lines: string[];
    plaintextLicense?: boolean;
    /** The key both must name, or undefined when both must accept. */
    refused?: string;
}

const CASES: Case[] = [
    { why: "a valid stack", lines: BASE },
    { why: "quoted integer and boolean, YAML True", lines: [...BASE, '  openvidu:maxMediaNodes: "3"', '  openvidu:recording: "false"', "  openvidu:coturnInMediaNodes: True"] },
    { why: "an undeclared key of any shape", lines: [...BASE, "  openvidu:subnetIds: subnet-0123456789abcdef0,subnet-0123456789abcdef1"] },
    { why: "yes for a boolean", lines: [...BASE, "  openvidu:recording: yes"], refused: "recording" },
    { why: "a fraction for an integer", lines: [...BASE, "  openvidu:maxMediaNodes: 2.5"], refused: "maxMediaNodes" },
    { why: "a word for an integer", lines: [...BASE, "  openvidu:desiredMediaNodes: several"], refused: "desiredMediaNodes" },
    { why: "a list for a string", lines: [...BASE.filter((l) => !l.includes("masterAmiId")), "  openvidu:masterAmiId:", "    - ami-0123456789abcdef0"], refused: "masterAmiId" },
    { why: "a map for a boolean", lines: [...BASE, "  openvidu:recording:", "    enabled: true"], refused: "recording" },
    { why: "the license in plain text", lines: [...BASE, "  openvidu:license: plain-license"], plaintextLicense: true, refused: "license" },
    { why: "a required key missing", lines: BASE.filter((l) => !l.includes("domainName")), refused: "domainName" },
    { why: "a YAML list of .env readers", lines: [...BASE, "  openvidu:envReaderArns:", "    - arn:aws:iam::123456789012:role/openvidu-preview"] },
    { why: "one .env reader as a string, not a list", lines: [...BASE, "  openvidu:envReaderArns: arn:aws:iam::123456789012:role/openvidu-preview"], refused: "envReaderArns" },
    { why: "the .env readers as a JSON string", lines: [...BASE, `  openvidu:envReaderArns: '["arn:aws:iam::123456789012:role/openvidu-preview"]'`], refused: "envReaderArns" },
];

describe("the offline plan refuses what the real Pulumi CLI refuses", function () {
    this.timeout(300_000);
    let sandbox: EngineSandbox;

    before(function () {
        sandbox = sandboxOrSkip(this);
    });
    after(() => sandbox?.dispose());

    for (const testCase of CASES) {
        it(`${testCase.why}: ${testCase.refused ? `both refuse, naming ${testCase.refused}` : "both accept"}`, async () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "openvidu-parity-"));
            try {
                fs.copyFileSync(path.join(root, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
                fs.writeFileSync(path.join(dir, "Pulumi.parity.yaml"), `${testCase.lines.join("\n")}\n`);
                const pulumiCommand = await automation.PulumiCommand.get({ root: path.dirname(path.dirname(sandbox.pulumi)) });
                const program = async (): Promise<Record<string, unknown>> => ({});
                const stack = await automation.LocalWorkspace.createOrSelectStack(
                    { stackName: "parity", workDir: dir, program } as unknown as automation.InlineProgramArgs,
                    { workDir: dir, envVars: sandbox.env, pulumiCommand, program },
                );
                if (!testCase.plaintextLicense) {
                    sandbox.run(["config", "set", "--secret", "--stack", "parity", "openvidu:license"], { cwd: dir, input: "a-license-key" });
                }
                let cliError: string | undefined;
                try {
                    await stack.preview();
                } catch (error) {
                    cliError = (error as Error).message;
                }
                const modelled = readStackConfig(dir, "parity").cliProblems.map((p) => p.key);
                if (testCase.refused === undefined) {
                    assert.strictEqual(cliError, undefined, "the CLI refused a stack the plan accepts");
                    assert.deepStrictEqual(modelled, []);
                } else {
                    assert.ok(cliError, "the CLI accepted a stack the plan refuses");
                    assert.match(cliError, new RegExp(`Stack 'parity' (is missing configuration value|with configuration key) '${testCase.refused}'`));
                    assert.deepStrictEqual(modelled, [`openvidu:${testCase.refused}`]);
                }
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });
    }
});

describe("keys outside openvidu: under the real Pulumi CLI", function () {
    this.timeout(300_000);
    let sandbox: EngineSandbox;

    before(function () {
        sandbox = sandboxOrSkip(this);
    });
    after(() => sandbox?.dispose());

    async function previewWithConfigLoader(lines: string[]): Promise<string | undefined> {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "openvidu-namespaces-"));
        try {
            fs.copyFileSync(path.join(root, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
            fs.writeFileSync(path.join(dir, "Pulumi.ns.yaml"), `${lines.join("\n")}\n`);
            // The program is the project's config loader: it sees what the CLI hands every program.
            const program = async (): Promise<Record<string, unknown>> => ({ domainName: loadConfig().domainName });
            const pulumiCommand = await automation.PulumiCommand.get({ root: path.dirname(path.dirname(sandbox.pulumi)) });
            const stack = await automation.LocalWorkspace.createOrSelectStack(
                { stackName: "ns", workDir: dir, program } as unknown as automation.InlineProgramArgs,
                { workDir: dir, envVars: { ...sandbox.env, AWS_REGION: "us-west-2" }, pulumiCommand, program },
            );
            sandbox.run(["config", "set", "--secret", "--stack", "ns", "openvidu:license"], { cwd: dir, input: "a-license-key" });
            await stack.preview();
            return undefined;
        } catch (error) {
            return (error as Error).message;
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    }

    const VALID = [...BASE, "  openvidu:certificateArn: arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666",
        "  openvidu:elasticsearchEnabled: false"];

    it("aws:regoin and openvido:* reach the program and are reported with the near name, though AWS_REGION is set", async () => {
        const error = await previewWithConfigLoader([...VALID, "  aws:regoin: eu-central-1", "  openvido:keyName: admin"]);
        assert.ok(error, "the preview passed");
        assert.match(error, /aws:regoin: is not a configuration key of the AWS provider; did you mean aws:region\?/);
        assert.match(error, /openvido:keyName: is in an unknown namespace "openvido"; did you mean openvidu:keyName\?/);
    });

    it("the AWS provider's own keys and Pulumi's stack tags pass", async () => {
        const error = await previewWithConfigLoader([...VALID, "  aws:profile: ops", "  aws:defaultTags:", "    tags:", "      team: video",
            "  pulumi:tags:", "    owner: video"]);
        assert.strictEqual(error, undefined);
    });
});
