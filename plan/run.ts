/**
 * Runs the program in-process under Pulumi's mocks and returns what it
 * registered and exported. Shared by the offline plan and the tests, so both
 * exercise exactly the program `pulumi up` runs.
 */
import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE } from "../config/schema";
import { captureCalls, CapturedCall, captureRegistrations, CapturedResource } from "./capture";
import { DEFAULT_CLOUD, MockCloud, mockCloud } from "./mocks";

export interface MockRunOptions {
    /** Stack name (as `pulumi up --stack NAME`). */
    stackName: string;
    /** Full keys (`openvidu:domainName`, `aws:region`) → values as the engine passes them (strings). */
    config: Record<string, string>;
    /** Full keys whose values are secrets. */
    secretKeys: string[];
    /** Overrides of the mock cloud's answers (e.g. subnet zones). */
    cloud?: Partial<MockCloud>;
    /** The program to run; by default the project's own (program.ts). */
    program?: () => Record<string, unknown>;
    /**
     * Run as `pulumi preview` of a new stack: what a resource computes (ids, generated
     * secrets, endpoints) is unknown, as the engine reports it before anything exists.
     */
    preview?: boolean;
}

export interface MockRun {
    resources: CapturedResource[];
    /** Stack outputs; secret ones in the wire form that isSecret() recognises. */
    outputs: Record<string, unknown>;
    /** The provider functions (data sources) the program called, in order, with the mock cloud's answers. */
    calls: CapturedCall[];
}

// Drains the SDK's queue of outstanding registrations; internal to the SDK, not in its typings.
const runtimeRpc = pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> };

/** Mocks set up with a stack's config, recording registrations; run a program in it once. */
export interface MockSession {
    /** Everything registered so far, in order. */
    resources: CapturedResource[];
    /** Every provider function called so far, in order. */
    calls: CapturedCall[];
    /** Runs the program (by default the project's own), settles outputs and waits for all registrations. */
    run(program?: () => Record<string, unknown>): Promise<MockRun>;
}

export async function startMocks(options: MockRunOptions): Promise<MockSession> {
    const region = options.config["aws:region"] ?? DEFAULT_CLOUD.region;
    const cloud: MockCloud = { ...DEFAULT_CLOUD, region, ...options.cloud };
    pulumi.runtime.setAllConfig(options.config, options.secretKeys);
    const preview = options.preview ?? false;
    await pulumi.runtime.setMocks(mockCloud(cloud, preview), CONFIG_NAMESPACE, options.stackName, preview, "organization");
    const resources = captureRegistrations();
    const calls = captureCalls();
    return {
        resources,
        calls,
        async run(program) {
            // A failure inside an output (e.g. a check on a lookup's result) reaches the engine as an
            // unhandled rejection, and the resources depending on it never settle: fail the run with it.
            let onFailure: (error: unknown) => void = () => undefined;
            const failed = new Promise<never>((_, reject) => { onFailure = reject; });
            failed.catch(() => undefined);
            let failure = false;
            const listener = (error: unknown): void => { failure = true; onFailure(error); };
            process.on("unhandledRejection", listener);
            try {
                // Loaded lazily: importing the program first would read config before it is set.
                const main = program ?? (await import("../program")).openviduProgram;
                const outputs: Record<string, unknown> = {};
                for (const [key, value] of Object.entries(main())) {
                    outputs[key] = await Promise.race([settle(value), failed]);
                }
                await Promise.race([waitForRegistrations(), failed]);
                return { resources, outputs, calls };
            } catch (error) {
                // Registrations that depend on the failed value never finish: do not wait for them.
                failure = true;
                throw error;
            } finally {
                process.off("unhandledRejection", listener);
                if (!failure) await waitForRegistrations();
            }
        },
    };
}

export async function runUnderMocks(options: MockRunOptions): Promise<MockRun> {
    return (await startMocks(options)).run(options.program);
}

/** Waits until every registration the program started has settled (the SDK's internal queue). */
export async function waitForRegistrations(): Promise<void> {
    if (typeof runtimeRpc.waitForRPCs !== "function") {
        throw new Error("this @pulumi/pulumi no longer exports runtime.waitForRPCs; update plan/run.ts");
    }
    await runtimeRpc.waitForRPCs();
}

/** The value of an output, wrapped like a wire secret when it is secret. */
async function settle(value: unknown): Promise<unknown> {
    const output: pulumi.Output<unknown> = pulumi.output(value as pulumi.Input<unknown>);
    // The SDK's own promise of the value (internal, untyped): unlike apply(), it rejects when
    // the output failed (e.g. a lookup-time config check), so a failing program cannot hang here.
    const resolved = await (output as unknown as { promise(): Promise<unknown> }).promise();
    if (await pulumi.isSecret(output)) {
        return { [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value: resolved };
    }
    return resolved;
}
