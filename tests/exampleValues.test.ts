/**
 * Example values cannot pass silently (config/examples.ts): the committed
 * stack files' samples are named by the offline plan (text and --json) and
 * by every preview and update, a filled-in stack is not.
 */
import * as assert from "assert";
import { validateConfig } from "../config";
import { exampleValues } from "../config/examples";
import { runProgram, VALID_CONFIG } from "./harness";
import { planInProcess } from "./support/offlinePlan";
import { runtimeLog } from "./setup";

const typed = (config: Record<string, string>) => validateConfig(config, { stackName: "prod", region: "eu-west-1", secretKeys: "all" });

const OWN = {
    ...VALID_CONFIG,
    domainName: "video.acme.io",
    certificateArn: "arn:aws:acm:eu-west-1:210987654321:certificate/0a1b2c3d-1111-2222-3333-444455556666",
    masterAmiId: "ami-0a1b2c3d4e5f60718",
    mediaAmiId: "ami-0b1c2d3e4f5a60718",
    deployerRoleArn: "arn:aws:iam::210987654321:role/ci-deploy",
};

describe("example values", function () {
    this.timeout(120_000);

    it("names each example value by its key, and none of a filled-in stack", () => {
        assert.deepStrictEqual(exampleValues(typed(OWN)), []);
        const keys = (config: Record<string, string>) => exampleValues(typed({ ...OWN, ...config })).map((e) => e.key);
        assert.deepStrictEqual(keys({ domainName: "openvidu.example.com" }), ["openvidu:domainName"]);
        assert.deepStrictEqual(keys({ domainName: "staging.openvidu.example.org" }), ["openvidu:domainName"]);
        assert.deepStrictEqual(keys({ domainName: "example.community.io" }), [], "only the reserved names");
        assert.deepStrictEqual(keys({ deployerRoleArn: "arn:aws:iam::123456789012:role/openvidu-deploy" }), ["openvidu:deployerRoleArn"]);
        assert.deepStrictEqual(keys({ certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000" }),
            ["openvidu:certificateArn"]);
        assert.deepStrictEqual(keys({ masterAmiId: "ami-0123456789abcdef0" }), ["openvidu:masterAmiId"]);
        assert.match(exampleValues(typed({ ...OWN, deployerRoleArn: "arn:aws:iam::123456789012:role/x" }))[0].message, /your deployer/);
    });

    for (const [stack, expected] of [
        ["dev", ["openvidu:domainName", "openvidu:certificateArn", "openvidu:deployerRoleArn", "openvidu:masterAmiId", "openvidu:mediaAmiId"]],
        ["prod", ["openvidu:domainName", "openvidu:deployerRoleArn", "openvidu:masterAmiId", "openvidu:mediaAmiId", "openvidu:hostedZoneId"]],
    ] as const) {
        it(`the offline plan lists Pulumi.${stack}.yaml's example values (text and --json)`, async () => {
            const plan = (...args: string[]) => planInProcess(["--stack", stack, ...args]);
            const json = await plan("--json");
            assert.strictEqual(json.status, 0, json.stderr);
            assert.deepStrictEqual(JSON.parse(json.stdout).exampleValues.map((e: { key: string }) => e.key), expected);
            const text = await plan();
            assert.match(text.stdout, /Example values still in the stack file/);
            for (const key of expected) assert.ok(text.stdout.includes(`  ${key} is an example value`), key);
        });
    }

    it("every preview and update warns, naming the key (the program's log)", async () => {
        await runProgram({ ...OWN, domainName: "openvidu.example.com" });
        assert.deepStrictEqual(runtimeLog().filter((line) => line.includes("is an example value")),
            ["warning: [runtime] openvidu:domainName is an example value (a domain reserved for examples): set your own before deploying"]);
        await runProgram({ ...OWN });
        assert.deepStrictEqual(runtimeLog().filter((line) => line.includes("openvidu:domainName is an example value")).length, 1, "no new warning");
    });
});
