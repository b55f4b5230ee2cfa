/**
 * The Automation API module: the config mapping, validation before anything
 * runs, and the inline program being the very program `pulumi up` runs.
 * The module driving the real CLI (config, secrets, abort, errors) is tested
 * in tests/engine/automation.test.ts. The end-to-end deployment runs only
 * with OPENVIDU_E2E=1, a pulumi CLI and AWS credentials.
 */
import * as assert from "assert";
import * as automation from "@pulumi/pulumi/automation";
import { checkConfig, deploy, PulumiCliMissingError, setStackFactory, StackFactory, toStackConfig } from "../automation";
import { ConfigError, OpenViduStackConfig, SECRET_KEYS } from "../config";
import { runUnderMocks } from "../plan/run";
import { maskSecrets } from "./harness";
import { hasCommand } from "./support/commands";

const CONFIG: OpenViduStackConfig = {
    domainName: "openvidu.example.com",
    license: "test-license-key",
    certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666",
    masterAmiId: "ami-0123456789abcdef0",
    mediaAmiId: "ami-0fedcba9876543210",
    elasticsearchEnabled: false,
    minMediaNodes: 2,
    desiredMediaNodes: 2,
    maxMediaNodes: 6,
    extraEnv: { OPENVIDU_WEBHOOK: "true" },
};

/** A stack factory that records the inline program and stops there (there is no pulumi CLI here). */
function recordingFactory(): { factory: StackFactory; calls: automation.InlineProgramArgs[] } {
    const calls: automation.InlineProgramArgs[] = [];
    return {
        calls,
        factory: async (args) => {
            calls.push(args);
            throw new Error("stop: recorded");
        },
    };
}

describe("Automation API", () => {
    it("maps the typed config to the stack config pulumi would store, secrets as secrets", () => {
        const stackConfig = toStackConfig({ ...CONFIG, openviduSecret: "Abc_123" }, "eu-west-1");
        assert.deepStrictEqual(stackConfig["aws:region"], { value: "eu-west-1" });
        assert.deepStrictEqual(stackConfig["openvidu:domainName"], { value: "openvidu.example.com", secret: false });
        assert.deepStrictEqual(stackConfig["openvidu:license"], { value: "test-license-key", secret: true });
        assert.deepStrictEqual(stackConfig["openvidu:openviduSecret"], { value: "Abc_123", secret: true });
        assert.deepStrictEqual(stackConfig["openvidu:elasticsearchEnabled"], { value: "false", secret: false });
        assert.deepStrictEqual(stackConfig["openvidu:maxMediaNodes"], { value: "6", secret: false });
        assert.deepStrictEqual(stackConfig["openvidu:extraEnv"], { value: "{\"OPENVIDU_WEBHOOK\":\"true\"}", secret: false });
        const secretKeys = Object.entries(stackConfig).filter(([, v]) => v.secret).map(([k]) => k.replace("openvidu:", ""));
        assert.deepStrictEqual(secretKeys.sort(), ["license", "openviduSecret"].sort());
        assert.ok(secretKeys.every((k) => SECRET_KEYS.includes(k)));
        assert.strictEqual(stackConfig["openvidu:keyName"], undefined, "unset keys stay unset");
    });

    it("returns validation errors, with the program's messages, before any stack is created", async () => {
        const { factory, calls } = recordingFactory();
        const previous = setStackFactory(factory);
        try {
            const bad = { ...CONFIG, domainName: "Not A Domain", minMediaNodes: 9 };
            await assert.rejects(deploy({ stackName: "dev", region: "eu-west-1", config: bad }), (error: unknown) => {
                assert.ok(error instanceof ConfigError);
                const keys = error.problems.map((p) => p.key);
                assert.ok(keys.includes("openvidu:domainName") && keys.includes("openvidu:minMediaNodes"), keys.join(", "));
                return true;
            });
            assert.strictEqual(calls.length, 0, "nothing ran");
            assert.throws(() => checkConfig({ stackName: "dev", region: "", config: CONFIG }), /aws:region/);
        } finally {
            setStackFactory(previous);
        }
    });

    it("tells an API caller which request field to set, never to run `pulumi config set`", () => {
        const withoutLicense: Partial<OpenViduStackConfig> = { ...CONFIG };
        delete withoutLicense.license;
        const messages = (request: Parameters<typeof checkConfig>[0]): string[] => {
            try {
                checkConfig(request);
            } catch (error) {
                assert.ok(error instanceof ConfigError);
                return error.problems.map((p) => `${p.key}: ${p.message}`);
            }
            return [];
        };
        const noLicense = messages({ stackName: "dev", region: "eu-west-1", config: withoutLicense as OpenViduStackConfig });
        assert.deepStrictEqual(noLicense, ["openvidu:license: is required: set it with `config.license` in the request"]);
        const esOn = messages({ stackName: "dev", region: "", config: { ...CONFIG, elasticsearchEnabled: true } });
        assert.ok(esOn.includes("aws:region: is required: set it with the request's `region`"), esOn.join("\n"));
        assert.ok(esOn.some((m) => m.startsWith("openvidu:elasticsearchPassword:") && m.includes("`config.elasticsearchPassword` in the request")), esOn.join("\n"));
        assert.ok(esOn.some((m) => m.startsWith("openvidu:elasticsearchUrl:") && m.includes("(set it with `config.elasticsearchUrl` in the request, ")), esOn.join("\n"));
        assert.ok(![...noLicense, ...esOn].some((m) => m.includes("pulumi config set")), "a stack-file hint reached an API caller");
    });

    it("says the Pulumi CLI is missing (and how to give it) instead of `spawn pulumi ENOENT`", async function () {
        this.timeout(60_000);
        const saved = process.env.PATH;
        // Node stays reachable by its absolute path; no directory on PATH holds a `pulumi`.
        process.env.PATH = "/nonexistent-openvidu-test-path";
        try {
            await assert.rejects(deploy({ stackName: "dev", region: "eu-west-1", config: CONFIG }), (error: unknown) => {
                assert.ok(error instanceof PulumiCliMissingError, String(error));
                assert.match(String((error as Error).message), /The Pulumi CLI is not installed \(no `pulumi` on PATH\).*workspace\.pulumiCommand/);
                return true;
            });
        } finally {
            process.env.PATH = saved;
        }
    });

    it("runs the same program as index.ts: same resources and inputs for the same config", async () => {
        const { factory, calls } = recordingFactory();
        const previous = setStackFactory(factory);
        try {
            await assert.rejects(deploy({ stackName: "dev", region: "eu-west-1", config: CONFIG }), /stop: recorded/);
        } finally {
            setStackFactory(previous);
        }
        assert.strictEqual(calls.length, 1);
        assert.strictEqual(calls[0].projectName, "openvidu");
        const stackConfig = toStackConfig(CONFIG, "eu-west-1");
        const mockOptions = {
            stackName: "dev",
            config: Object.fromEntries(Object.entries(stackConfig).map(([k, v]) => [k, v.value])),
            secretKeys: Object.entries(stackConfig).filter(([, v]) => v.secret).map(([k]) => k),
        };
        const inline = await runUnderMocks({ ...mockOptions, program: () => calls[0].program() as unknown as Record<string, unknown> });
        const viaIndex = await runUnderMocks(mockOptions);
        const shape = (r: { type: string; name: string; inputs: unknown }): string => JSON.stringify([r.type, r.name, maskSecrets(r.inputs)]);
        assert.ok(inline.resources.length > 50);
        assert.deepStrictEqual(inline.resources.map(shape).sort(), viaIndex.resources.map(shape).sort());
    });

    it("the example's two environments are valid configurations", async () => {
        process.env.OPENVIDU_LICENSE ??= "example-license";
        const { environments } = await import("../examples/two-environments");
        assert.deepStrictEqual(environments.map((e) => e.stackName), ["staging", "production"]);
        for (const environment of environments) checkConfig(environment);
    });

    it("deploys a small stack end to end, checks the API through the load balancer, and destroys it", async function () {
        const missing = [
            process.env.OPENVIDU_E2E === "1" ? undefined : "OPENVIDU_E2E=1 is not set",
            hasCommand("pulumi") ? undefined : "no pulumi CLI on PATH",
            process.env.AWS_ACCESS_KEY_ID || process.env.AWS_PROFILE || process.env.AWS_ROLE_ARN ? undefined : "no AWS credentials",
        ].filter(Boolean);
        if (missing.length > 0) {
            console.log(`      skipped: ${missing.join("; ")} (see docs/automation-api.md, "End-to-end test")`);
            this.skip();
        }
        this.timeout(60 * 60 * 1000);
        const e2eConfig: OpenViduStackConfig = JSON.parse(process.env.OPENVIDU_E2E_CONFIG ?? "{}");
        const request = { stackName: process.env.OPENVIDU_E2E_STACK ?? "e2e", region: process.env.AWS_REGION ?? "eu-west-1", config: e2eConfig, onOutput: (line: string) => process.stdout.write(line) };
        const { destroy } = await import("../automation");
        try {
            const out = await deploy(request);
            const auth = Buffer.from(`OPENVIDUAPP:${out.openviduSecret}`).toString("base64");
            const answer = await fetch(`https://${out.domainName}/openvidu/api/config`, { headers: { Authorization: `Basic ${auth}` } });
            assert.strictEqual(answer.status, 200);
        } finally {
            await destroy(request);
        }
    });
});
