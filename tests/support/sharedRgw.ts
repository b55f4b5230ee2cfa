/**
 * One Ceph RGW cluster per `npm test` run, shared by every test file that
 * needs one (tests/README.md, "How the suite runs"): mocha's main process
 * starts it in the global set-up (`startSharedRgw`, tests/suiteSetup.ts) and
 * stops it in the global teardown; its exit and signal hooks (support/rgw.ts)
 * stop it on a failing run or Ctrl-C. Workers find it through a file named by
 * OPENVIDU_RGW_SHARED, set before they start and written once the cluster
 * answers (or failed). A file run alone (`npx mocha tests/<file>.test.ts`)
 * has no such file and starts and stops its own cluster, as before.
 *
 * Files sharing the cluster keep apart by name: each names its buckets, users
 * and roles with its own prefix (tests/README.md lists them).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { createWaiter, WaiterState } from "@smithy/util-waiter";
import { STS_CONFIGURATION } from "./bootSim/roleCredentials";
import { cephCommands, Rgw, RgwOptions, rgwUnavailable, startRgw } from "./rgw";

// The rule .mocharc.suite.js (JavaScript, loaded before ts-node) applies to the same arguments.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { namedTestFiles } = require("./namedTestFiles") as { namedTestFiles(args: readonly string[]): string[] };

/** The file (in the main process's directory for the run) saying where the run's cluster is. */
export const SHARED_RGW_ENV = "OPENVIDU_RGW_SHARED";

/**
 * The shared cluster's further ceph.conf lines: the boot simulation's STS settings. They only add
 * the STS API and its session tokens; a request signed with a user's own keys is answered as before.
 */
export const SHARED_CONFIGURATION: readonly string[] = STS_CONFIGURATION;

/** How long a worker waits for the main process's start: its three attempts' own limits, and more. */
const SHARED_START_SECONDS = 600;

type SharedState = Pick<Rgw, "conf" | "endpoint" | "accessKey" | "secretKey"> | { error: string };

export interface SharedRgw {
    /** Stops the cluster (once started) and removes the run's directory. */
    stop(): Promise<void>;
}

/**
 * Whether a run of mocha with command line `args` (from the repository's root) has a file that asks
 * for a cluster: every file of `npm test`, or a named file (`tests/a.test.ts`) calling rgwForFile.
 */
export function runAsksForRgw(args: readonly string[], root: string): boolean {
    const named = namedTestFiles(args);
    if (named.length === 0 || named.some((arg) => arg.includes("*"))) return true;
    return named.some((file) => {
        try {
            return /\brgwForFile/.test(fs.readFileSync(path.resolve(root, file), "utf8"));
        } catch {
            return true; // mocha says what is wrong with the name
        }
    });
}

/**
 * In mocha's main process, before any worker starts: names the state file in the environment the
 * workers inherit and starts the cluster. Undefined (nothing set) where Ceph is not installed.
 */
export function startSharedRgw(): SharedRgw | undefined {
    if (rgwUnavailable() !== undefined) return undefined;
    // Named and owned as a cluster's directory is: the orphan reaper (support/rgw.ts) removes it after a run killed outright.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "openvidu-rgw-shared-"));
    fs.writeFileSync(path.join(dir, "owner"), String(process.pid));
    const stateFile = path.join(dir, "cluster.json");
    process.env[SHARED_RGW_ENV] = stateFile;
    const write = (state: SharedState): void => {
        fs.writeFileSync(`${stateFile}.new`, JSON.stringify(state));
        fs.renameSync(`${stateFile}.new`, stateFile); // whole or absent, for a worker reading it
    };
    const cluster = startRgw({ extraConfiguration: [...SHARED_CONFIGURATION] }).then(
        (rgw) => {
            write({ conf: rgw.conf, endpoint: rgw.endpoint, accessKey: rgw.accessKey, secretKey: rgw.secretKey });
            return rgw;
        },
        (error: Error) => {
            write({ error: error.message });
            return undefined;
        },
    );
    return {
        stop: async () => {
            (await cluster)?.stop();
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}

function readState(stateFile: string): SharedState | undefined {
    try {
        return JSON.parse(fs.readFileSync(stateFile, "utf8")) as SharedState;
    } catch {
        return undefined; // not written yet
    }
}

/** The run's shared cluster, once the main process has started it; its stop() leaves it running. */
async function sharedRgw(stateFile: string): Promise<Rgw> {
    let state: SharedState | undefined;
    const result = await createWaiter({ client: {}, maxWaitTime: SHARED_START_SECONDS, minDelay: 0.25, maxDelay: 1 }, {},
        async () => {
            state = readState(stateFile);
            return { state: state ? WaiterState.SUCCESS : WaiterState.RETRY };
        });
    if (result.state !== WaiterState.SUCCESS || state === undefined) {
        throw new Error(`the run's shared RGW cluster was not started within ${SHARED_START_SECONDS} s (${stateFile}: ${result.state})`);
    }
    if ("error" in state) throw new Error(`the run's shared RGW cluster did not start: ${state.error}`);
    const run = cephCommands(state.conf);
    return { ...state, admin: (args) => run("radosgw-admin", args), stop: () => undefined };
}

/**
 * A cluster for one test file: the run's shared cluster under `npm test` when it was started with
 * every line of `options.extraConfiguration`, otherwise one of the file's own (stopped by stop()).
 */
export async function rgwForFile(options: RgwOptions = {}): Promise<Rgw> {
    const stateFile = process.env[SHARED_RGW_ENV];
    const fits = (options.extraConfiguration ?? []).every((line) => SHARED_CONFIGURATION.includes(line));
    return stateFile && fits ? sharedRgw(stateFile) : startRgw(options); // startRgw retries by itself, printing why
}

/**
 * rgwForFile, or the test (a `before` hook's `this`) skipped with the reason printed where Ceph is
 * not installed; `alsoMissing` are the file's other missing tools, said in the same line.
 */
export async function rgwForFileOrSkip(context: Mocha.Context, options: RgwOptions = {}, alsoMissing: (string | undefined)[] = []): Promise<Rgw> {
    const missing = [rgwUnavailable(), ...alsoMissing].filter(Boolean);
    if (missing.length > 0) {
        console.log(`      skipped: ${missing.join("; ")}`);
        context.skip();
    }
    return rgwForFile(options);
}
