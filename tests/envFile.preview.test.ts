/**
 * The first `pulumi preview` of a new stack, under mocks that answer as the
 * engine does then (computed outputs unknown): the `.env` resource's inputs
 * as the SDK sends them, handed to the provider's check and diff the way the
 * engine hands them over (secrets decrypted, unknowns as the sentinel string).
 * tests/engine/envFile.test.ts runs the same against the real engine.
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { EnvFileInputs, EnvFileOutputs, envFileProvider, UNKNOWN } from "../components/envFile/provider";
import { MockRun } from "../plan/run";
import { isSecret, one, runProgram, VALID_CONFIG } from "./harness";
import { envFileInputs } from "./support/envFileInputs";

const ENV_TYPE = "pulumi-nodejs:dynamic/openvidu:EnvFile";

/** The wire form as a provider that does not accept secrets receives it: secrets unwrapped, unknowns kept. */
function asEngineSendsIt(value: unknown): unknown {
    if (isSecret(value)) return asEngineSendsIt(value.value);
    if (Array.isArray(value)) return value.map(asEngineSendsIt);
    if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asEngineSendsIt(v)]));
    return value;
}

describe(".env in the first preview of a new stack (mocks in preview mode)", () => {
    let run: MockRun;
    let wire: Record<string, unknown>;
    before(async () => {
        run = await runProgram({ ...VALID_CONFIG }, { stackName: "prod", preview: true });
        wire = one(run, ENV_TYPE).wire;
    });

    it("uses the engine's own unknown sentinel", () => {
        assert.strictEqual(UNKNOWN, pulumi.runtime.unknownValue);
    });

    it("sends each secret value as a secret of its own: the generated ones unknown, the map and the configured ones known", () => {
        const secrets = wire.secretSettings as Record<string, unknown>;
        assert.notStrictEqual(secrets, UNKNOWN, "the whole map would be unknown while one value is");
        assert.strictEqual(secrets.COTURN_SHARED_SECRET_KEY, UNKNOWN, "generated at `up`: unknown in the preview");
        assert.strictEqual(secrets.OPENVIDU_SECRET, UNKNOWN);
        assert.ok(isSecret(secrets.OPENVIDU_PRO_LICENSE), "a known value is wrapped as a secret on its own");
        assert.strictEqual((secrets.OPENVIDU_PRO_LICENSE as { value: unknown }).value, VALID_CONFIG.license);
        assert.strictEqual(wire.bucket, UNKNOWN, "the bucket's name is computed at create");
    });

    it("passes check, naming no problem, with those unknowns", async () => {
        const news = asEngineSendsIt(wire) as EnvFileInputs;
        const checked = await envFileProvider.check!({} as EnvFileInputs, news);
        assert.deepStrictEqual(checked.failures, []);
    });

    it("diff of an existing stack whose generated values become unknown reports a change, without reading S3", async () => {
        const news = asEngineSendsIt(wire) as EnvFileInputs;
        const olds = { ...envFileInputs(), bucket: UNKNOWN, lastWritten: {}, unmanagedKeys: [] } as EnvFileOutputs;
        const diff = await envFileProvider.diff!("b/.env", olds, news);
        assert.deepStrictEqual([diff.changes, diff.replaces], [true, []]);
    });

    it("check and diff also survive a map that is unknown as a whole", async () => {
        const news = { ...envFileInputs(), secretSettings: UNKNOWN, settings: UNKNOWN } as unknown as EnvFileInputs;
        assert.deepStrictEqual((await envFileProvider.check!({} as EnvFileInputs, news)).failures, []);
        const olds = { ...envFileInputs(), lastWritten: {}, unmanagedKeys: [] } as EnvFileOutputs;
        assert.strictEqual((await envFileProvider.diff!("cluster-bucket/.env", olds, news)).changes, true);
    });
});
