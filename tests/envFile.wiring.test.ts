/**
 * How the program wires the `.env` resource (under mocks), checked with
 * literal values: the destroy behaviour the stack config chose, and the
 * generated coturn secret never in a plain input.
 */
import * as assert from "assert";
import { EnvFile } from "../components/envFile";
import { maskSecrets } from "../plan/capture";
import { envFileValues, isSecret, one, runProgram, VALID_CONFIG } from "./harness";

const ENV_TYPE = "pulumi-nodejs:dynamic/openvidu:EnvFile";

describe(".env wiring in the program", () => {
    it("keeps the .env on destroy unless openvidu:deleteEnvOnDestroy is true", async () => {
        const kept = await runProgram({ ...VALID_CONFIG });
        assert.strictEqual(one(kept, ENV_TYPE).inputs.deleteOnDestroy, false);
        const deleted = await runProgram({ ...VALID_CONFIG, deleteEnvOnDestroy: "true" });
        assert.strictEqual(one(deleted, ENV_TYPE).inputs.deleteOnDestroy, true);
    });

    it("makes each secret setting a secret input of its own, whatever the caller hands in", async () => {
        const run = await runProgram({ ...VALID_CONFIG }, {
            program: () => {
                new EnvFile("env", { bucket: "b", region: "eu-west-1", settings: { A: "1" }, secretSettings: { S: "plain-secret-value" }, keyOrder: ["A", "S"], header: [] });
                return {};
            },
        });
        const secretSettings = one(run, ENV_TYPE).wire.secretSettings as Record<string, unknown>;
        assert.ok(!isSecret(secretSettings), "not one secret map");
        assert.ok(isSecret(secretSettings.S), "the value, handed in plain, is a secret");
    });

    it("carries the generated coturn secret only as a secret: never in any plain input of any resource", async () => {
        const run = await runProgram({ ...VALID_CONFIG });
        const coturn = envFileValues(run).COTURN_SHARED_SECRET_KEY;
        assert.strictEqual(coturn?.length, 32);
        for (const resource of run.resources) {
            assert.ok(!JSON.stringify(maskSecrets(resource.inputs)).includes(coturn), `coturn's secret in plain text in ${resource.name}`);
        }
    });
});
