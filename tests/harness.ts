/**
 * Test helpers: run the real program under Pulumi's mocks with a given stack
 * config, and look up what it registered.
 */
import { CapturedResource, revealSecrets } from "../plan/capture";
import { MockCloud } from "../plan/mocks";
import { MockRun, MockRunOptions, startMocks } from "../plan/run";
import { SECRET_KEYS } from "../config/schema";
import { runProgramOnce } from "./support/programRuns";

export { isSecret, revealSecrets, maskSecrets } from "../plan/capture";

/** A valid, small configuration (short keys); tests override what they examine. */
export const VALID_CONFIG: Readonly<Record<string, string>> = {
    domainName: "openvidu.example.com",
    license: "test-license-key",
    certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666",
    masterAmiId: "ami-0123456789abcdef0",
    mediaAmiId: "ami-0fedcba9876543210",
    elasticsearchEnabled: "false",
};

export interface RunOptions {
    stackName?: string;
    /** `aws:region`; "" leaves it unset. @default "eu-west-1" */
    region?: string;
    /** Short keys that are stored in plain text despite being secret kinds. */
    plaintext?: string[];
    cloud?: Partial<MockCloud>;
    /** The program to run. @default the project's own (program.ts) */
    program?: MockRunOptions["program"];
    /** Short keys stored as secrets although not secret kinds (e.g. `extraEnv` set with --secret). */
    secret?: string[];
    /** Run as the first `pulumi preview` of a new stack (computed outputs unknown). */
    preview?: boolean;
}

function mockOptions(config: Record<string, string | undefined>, options: RunOptions): MockRunOptions {
    const region = options.region ?? "eu-west-1";
    const full: Record<string, string> = region === "" ? {} : { "aws:region": region };
    const secretKeys: string[] = [];
    for (const [key, value] of Object.entries(config)) {
        if (value === undefined) continue;
        full[`openvidu:${key}`] = value;
        if ((SECRET_KEYS.includes(key) && !options.plaintext?.includes(key)) || options.secret?.includes(key)) secretKeys.push(`openvidu:${key}`);
    }
    return { stackName: options.stackName ?? "dev", config: full, secretKeys, cloud: options.cloud, program: options.program, preview: options.preview };
}

/**
 * Runs the program with `config` (short keys → stack-file strings; undefined
 * removes a key of VALID_CONFIG when spread over it). Secret-kind keys are
 * passed as secrets unless listed in `plaintext`. Evaluated once per
 * configuration in a test process (support/programRuns.ts): the result is a
 * copy, free to change.
 */
export function runProgram(config: Record<string, string | undefined>, options: RunOptions = {}): Promise<MockRun> {
    return runProgramOnce(mockOptions(config, options));
}

/**
 * Runs the program expecting it to fail; returns the error and what was
 * registered before it failed (nothing, for a configuration error).
 */
export async function failProgram(
    config: Record<string, string | undefined>,
    options: RunOptions = {},
): Promise<{ error: unknown; resources: CapturedResource[] }> {
    const session = await startProgramMocks(config, options);
    try {
        await session.run();
    } catch (error) {
        return { error, resources: session.resources };
    }
    throw new Error("expected the program to fail, but it ran");
}

/**
 * Mocks set up with `config` (short keys, as runProgram takes them), for a test that runs a
 * program of its own in them; plan/run.ts's waitForRegistrations settles it.
 */
export function startProgramMocks(config: Record<string, string | undefined>, options: RunOptions = {}): ReturnType<typeof startMocks> {
    return startMocks(mockOptions(config, options));
}

/** The one resource of `type` (whose name ends with `nameSuffix`, if given); fails when not exactly one. */
export function one(run: MockRun, type: string, nameSuffix = ""): CapturedResource {
    const found = all(run, type).filter((r) => r.name.endsWith(nameSuffix));
    if (found.length !== 1) {
        throw new Error(`expected one ${type}${nameSuffix ? ` named *${nameSuffix}` : ""}, found ${found.length}: ` +
            found.map((r) => r.name).join(", "));
    }
    return found[0];
}

export function all(run: MockRun, type: string): CapturedResource[] {
    return run.resources.filter((r) => r.type === type);
}

/** Inputs with secrets unwrapped, for asserting on values. */
export function inputsOf(resource: CapturedResource): Record<string, any> {
    return revealSecrets(resource.inputs) as Record<string, any>;
}

/**
 * The `.env` values the program hands the EnvFile resource, secrets revealed, whatever
 * the grouping of its inputs (plain and secret settings): KEY → value.
 */
export function envFileValues(run: MockRun): Record<string, string> {
    const env = one(run, "pulumi-nodejs:dynamic/openvidu:EnvFile");
    const values: Record<string, string> = {};
    for (const [input, value] of Object.entries(inputsOf(env))) {
        if (input === "lastWritten" || value === null || typeof value !== "object" || Array.isArray(value)) continue;
        for (const [key, setting] of Object.entries(value as Record<string, unknown>)) {
            if (/^[A-Z][A-Z0-9_]*$/.test(key) && typeof setting === "string") values[key] = setting;
        }
    }
    return values;
}
