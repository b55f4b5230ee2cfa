/**
 * How the program wires the `.env` resource (under mocks), checked with
 * literal values: the destroy behaviour the stack config chose, and the
 * generated coturn secret never in a plain input.
 */
import * as assert from "assert";
import { maskSecrets } from "../plan/capture";
import { envFileValues, one, runProgram, VALID_CONFIG } from "./harness";

const ENV_TYPE = "pulumi-nodejs:dynamic/openvidu:EnvFile";

describe(".env wiring in the program", () => {
    it("keeps the .env on destroy unless openvidu:deleteEnvOnDestroy is true", async () => {
        const kept = await runProgram({ ...VALID_CONFIG });
        assert.strictEqual(one(kept, ENV_TYPE).inputs.deleteOnDestroy, false);
        const deleted = await runProgram({ ...VALID_CONFIG, deleteEnvOnDestroy: "true" });
        assert.strictEqual(one(deleted, ENV_TYPE).inputs.deleteOnDestroy, true);
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
