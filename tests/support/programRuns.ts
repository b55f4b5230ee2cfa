/**
 * The program under mocks, evaluated once per configuration in a test
 * process: most test files run it with the same few configurations
 * (VALID_CONFIG and a key or two), and each evaluation costs about a second of
 * CPU. A repeated run gets a deep copy of the first run's result (so a test
 * that changes what it got changes nothing for the next), the same global
 * mock state (config and mocks set as the run would set them), and what the
 * program logged (pulumi.log) logged again, so tests reading the log see it.
 *
 * Only successful runs of the project's own program are kept: a failing run
 * or a test's own program always runs. `OPENVIDU_PROGRAM_CACHE=0` turns it
 * off (every run evaluates the program, as before).
 */
import * as pulumi from "@pulumi/pulumi";
import { MockRun, MockRunOptions, runUnderMocks, startMocks } from "../../plan/run";

/** Distinct configurations kept per process (a run is ~1 MB: user data, policies). */
const KEPT = 64;
const LEVELS = ["debug", "info", "warn", "error"] as const;
type Level = (typeof LEVELS)[number];
type Log = Record<Level, (message: string, ...rest: unknown[]) => Promise<void>>;

interface Kept {
    run: MockRun;
    logged: Array<{ level: Level; message: string }>;
}

const kept = new Map<string, Kept>();
const stats = { evaluated: 0, reused: 0 };
// OPENVIDU_PROGRAM_CACHE_STATS=1: how many runs were evaluated and reused, printed when the process ends.
if (process.env.OPENVIDU_PROGRAM_CACHE_STATS) {
    process.on("exit", () => process.stderr.write(`program runs under mocks: ${stats.evaluated} evaluated, ${stats.reused} reused\n`));
}

function cacheKey(options: MockRunOptions): string | undefined {
    if (options.program || process.env.OPENVIDU_PROGRAM_CACHE === "0") return undefined;
    // The region falls back to the environment's when aws:region is not set (config/index.ts).
    const environment = { AWS_REGION: process.env.AWS_REGION, AWS_DEFAULT_REGION: process.env.AWS_DEFAULT_REGION };
    return JSON.stringify([options.stackName, options.config, options.secretKeys, options.cloud ?? null, options.preview ?? false, environment]);
}

/**
 * Runs `fn`, recording what the program logs through pulumi.log (passed on as before). A test
 * may replace pulumi.log's functions to read the log: a repeated run logs through the same ones.
 */
async function recordingLog<T>(fn: () => Promise<T>): Promise<{ result: T; logged: Kept["logged"] }> {
    const log = pulumi.log as unknown as Log;
    const logged: Kept["logged"] = [];
    const originals = LEVELS.map((level) => [level, log[level]] as const);
    for (const [level, original] of originals) {
        log[level] = (message, ...rest) => {
            logged.push({ level, message });
            return original(message, ...rest);
        };
    }
    try {
        return { result: await fn(), logged };
    } finally {
        for (const [level, original] of originals) log[level] = original;
    }
}

/** runUnderMocks, evaluated once per configuration in this process. */
export async function runProgramOnce(options: MockRunOptions): Promise<MockRun> {
    const key = cacheKey(options);
    if (key === undefined) return runUnderMocks(options);
    const hit = kept.get(key);
    if (hit) {
        stats.reused++;
        kept.delete(key);
        kept.set(key, hit); // most recently used last
        await startMocks(options); // the global config and mocks as this run leaves them
        const log = pulumi.log as unknown as Log;
        for (const { level, message } of hit.logged) await log[level](message);
        return structuredClone(hit.run);
    }
    stats.evaluated++;
    const { result, logged } = await recordingLog(() => runUnderMocks(options));
    kept.set(key, { run: structuredClone(result), logged });
    if (kept.size > KEPT) kept.delete(kept.keys().next().value as string);
    return result;
}
