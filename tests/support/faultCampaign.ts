/**
 * One run of the `.env` fault campaign, decided by its seed: a scenario
 * (a new file, an adopted operator file, an update that changes a secret),
 * faults drawn request by request (S3 errors, resets before and after S3
 * applied a write, truncated and aborted bodies, delays, a hang, spurious
 * 412s), another writer editing just before a write, a stale writer saving
 * its older copy just after one. Then the invariants: a well-formed file, no
 * operator key lost, the desired values after success, the previous object
 * after a failure that says nothing was applied, no secret in any message,
 * bounded time, and a repeat without faults that converges and then writes
 * nothing. Returns what was violated (nothing, when all holds).
 */
import * as assert from "assert";
import { EnvFileInputs, EnvFileOutputs, envFileProvider } from "../../components/envFile/provider";
import { envFileInputs, SECRET_VALUES } from "./envFileInputs";
import { FaultFixture, seededRandom } from "./faultFixture";
import { Fault, Seen } from "./faultProxy";

const FAULTS: Record<string, Fault[]> = {
    GET: ["500", "503", "reset-before", "truncate", "abort-body", "delay", "hang"],
    PUT: ["500", "503", "412", "reset-before", "reset-after", "delay", "hang"],
    HEAD: ["500", "503", "delay"],
    DELETE: ["500", "reset-after"],
};
/** Fault kinds left out (OPENVIDU_FAULT_SKIP=hang,truncate), e.g. to run the campaign against code that hangs. */
const SKIPPED = (process.env.OPENVIDU_FAULT_SKIP ?? "").split(",");
/** Faults per run at most, so that the SDK's backoffs keep a run short. */
const MAX_FAULTS = 5;
/** A run (its repeat included) takes at most this long, in real time. */
export const RUN_BOUND_MS = 30_000;
const OPERATOR_SECRET = "coturn-Kd8w2Zr5";

export interface RunReport {
    seed: number;
    scenario: string;
    faults: Fault[];
    outcome: "written" | "failed";
    violations: string[];
    ms: number;
}

function settings(text: string | undefined): Map<string, string> {
    const map = new Map<string, string>();
    for (const line of (text ?? "").split("\n")) {
        const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
        if (match) map.set(match[1], match[2]);
    }
    return map;
}

/** OpenVidu's launcher and the masters' check read this: KEY=value, comments, blank lines, no key twice. */
function malformed(text: string): string | undefined {
    if (!text.endsWith("\n")) return "no final newline";
    const seen = new Set<string>();
    for (const line of text.slice(0, -1).split("\n")) {
        if (line === "" || line.startsWith("#")) continue;
        const key = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(line)?.[1];
        if (key === undefined) return `a line that is not KEY=value (${line.length} characters)`;
        if (seen.has(key)) return `${key} twice`;
        seen.add(key);
    }
    return undefined;
}

interface Start {
    scenario: string;
    olds?: EnvFileOutputs;
    news: EnvFileInputs;
    /** The file before the run (undefined: none). */
    before?: string;
    secrets: string[];
}

/** A new file, an operator's file to adopt, or an update (with a key the operator added) that changes a secret. */
async function start(seed: number, f: FaultFixture, bucket: string, scenario: string): Promise<Start> {
    const newSecret = `secret-${seed}Nq`;
    const news: EnvFileInputs = envFileInputs({
        settings: { ...envFileInputs().settings, OPENVIDU_CDR: "true" },
        secretSettings: { ...envFileInputs().secretSettings, OPENVIDU_SECRET: newSecret },
    }, bucket);
    let olds: EnvFileOutputs | undefined;
    if (scenario === "adopt") {
        await f.write(bucket, `# the operator's file\nDOMAIN_OR_PUBLIC_IP=old.example.com\nOPENVIDU_SECRET=${SECRET_VALUES[1]}\nCOTURN_SHARED_SECRET_KEY=${OPERATOR_SECRET}\n# a note\nOPENVIDU_WEBHOOK=true\n`);
    }
    if (scenario === "update") {
        olds = (await envFileProvider.create!(envFileInputs({}, bucket))).outs as EnvFileOutputs;
        await f.write(bucket, `${await f.read(bucket)}COTURN_SHARED_SECRET_KEY=${OPERATOR_SECRET}\n`);
    }
    return { scenario, olds, news, before: await f.read(bucket), secrets: [...SECRET_VALUES, newSecret, OPERATOR_SECRET] };
}

/** Draws a fault for some requests (at most MAX_FAULTS, one hang), recording what it drew. */
function faultPlan(random: () => number, faults: Fault[]): (seen: Seen) => Fault {
    let hung = false;
    return (seen) => {
        if (faults.length >= MAX_FAULTS || random() >= 0.3) return "none";
        const kinds = FAULTS[seen.method] ?? ["none"];
        const fault = kinds[Math.floor(random() * kinds.length)];
        if (SKIPPED.includes(fault) || (fault === "hang" && hung)) return "none";
        hung ||= fault === "hang";
        faults.push(fault);
        return fault;
    };
}

/** Another writer just before our first write (a key of its own), a stale writer just after our first applied one. */
function otherWriters(f: FaultFixture, bucket: string, seed: number, editor: boolean, stale: boolean, operatorKeys: Map<string, string>) {
    const state = { staleCopy: undefined as string | undefined, staleWritten: false, puts: 0 };
    return {
        state,
        async beforeWrite(): Promise<void> {
            if (++state.puts === 1 && editor) {
                await f.write(bucket, `${(await f.read(bucket)) ?? ""}EDITOR_KEY=${seed}\n`);
                operatorKeys.set("EDITOR_KEY", String(seed));
            }
            state.staleCopy = await f.read(bucket);
        },
        async afterWrite(_seen: Seen, status: number): Promise<void> {
            if (!stale || state.staleWritten || status !== 200 || state.staleCopy === undefined) return;
            state.staleWritten = true;
            await f.write(bucket, state.staleCopy);
        },
    };
}

/** The invariants right after the run (the repeat is checked apart). */
function checkRun(s: Start, after: string | undefined, error: Error | undefined, warnings: string[], operatorKeys: Map<string, string>, staleWritten: boolean): string[] {
    const violations: string[] = [];
    const message = error?.message;
    for (const text of [message ?? "", ...warnings]) {
        if (s.secrets.some((secret) => text.includes(secret))) violations.push(`a secret in a message: ${text.slice(0, 60)}...`);
    }
    if (message !== undefined && (message.includes("\n") || !/^(cannot (read|write) |s3:\/\/)/.test(message))) violations.push(`message not one line naming the object: ${message}`);
    if (after !== undefined && malformed(after)) violations.push(`malformed file: ${malformed(after)}`);
    const live = settings(after);
    for (const [key, value] of operatorKeys) {
        if (live.get(key) !== value) violations.push(`operator key ${key} lost or changed`);
    }
    if (error === undefined && !staleWritten) {
        for (const [key, value] of Object.entries(desiredOf(s.news))) if (live.get(key) !== value) violations.push(`after success, ${key} is not the desired value`);
    }
    if (message !== undefined && !message.includes("may have been applied")) {
        const prior = settings(s.before);
        for (const key of ["OPENVIDU_CDR", "OPENVIDU_SECRET"]) {
            if (live.get(key) !== prior.get(key)) violations.push(`a failure that says nothing was applied, yet ${key} changed: ${message}`);
        }
    }
    return violations;
}

function desiredOf(news: EnvFileInputs): Record<string, string> {
    return { ...news.settings, ...news.secretSettings };
}

export async function runSeed(seed: number, f: FaultFixture, bucketPrefix: string): Promise<RunReport> {
    const started = Date.now();
    const random = seededRandom(seed);
    const bucket = `${bucketPrefix}-${seed}`;
    await f.createBucket(bucket);
    const s = await start(seed, f, bucket, ["create", "adopt", "update"][Math.floor(random() * 3)]);
    const operatorKeys = new Map([...settings(s.before)].filter(([key]) => !s.news.keyOrder.includes(key)));
    const faults: Fault[] = [];
    const plan = faultPlan(random, faults);
    const editor = random() < 0.3;
    const writers = otherWriters(f, bucket, seed, editor, s.scenario !== "create" && random() < 0.3, operatorKeys);
    const run = await f.through({ plan, beforeWrite: writers.beforeWrite, afterWrite: writers.afterWrite },
        () => s.olds ? envFileProvider.update!(`${bucket}/.env`, s.olds, s.news) : envFileProvider.create!(s.news));
    const after = await f.read(bucket);
    const violations = checkRun(s, after, run.error, run.warnings, operatorKeys, writers.state.staleWritten);
    if (violations.length > 0 || process.env.OPENVIDU_FAULT_DEBUG) {
        // What the run did, for the seed's rerun (never a value: statuses, faults, lengths).
        const requests = run.proxy.log.map((r) => `${r.method}${r.conditional ? "?" : ""}:${r.fault}:${r.status ?? "-"}`).join(" ");
        console.log(`      seed ${seed}: ${requests}; editor ${editor}, stale ${writers.state.staleWritten}; ${s.before?.length ?? 0} -> ${after?.length ?? 0} bytes`);
    }
    violations.push(...await repeat(f, bucket, run.error === undefined ? run.result!.outs as EnvFileOutputs : s.olds, s.news, operatorKeys, desiredOf(s.news)));
    const ms = Date.now() - started;
    if (ms > RUN_BOUND_MS) violations.push(`took ${ms} ms`);
    return { seed, scenario: s.scenario, faults, outcome: run.error ? "failed" : "written", violations, ms };
}

/** Without faults, `pulumi up` again converges (desired values, operator keys kept), and once more writes nothing. */
async function repeat(f: FaultFixture, bucket: string, olds: EnvFileOutputs | undefined, news: EnvFileInputs,
    operatorKeys: Map<string, string>, desired: Record<string, string>): Promise<string[]> {
    const violations: string[] = [];
    const up = (from: EnvFileOutputs | undefined): Promise<unknown> => from ? envFileProvider.update!(`${bucket}/.env`, from, news) : envFileProvider.create!(news);
    const again = await f.through({ plan: () => "none" }, () => up(olds));
    if (again.error) return [`the repeat failed: ${again.error.message}`];
    const live = settings(await f.read(bucket));
    for (const [key, value] of Object.entries(desired)) if (live.get(key) !== value) violations.push(`after the repeat, ${key} is not the desired value`);
    for (const [key, value] of operatorKeys) if (live.get(key) !== value) violations.push(`after the repeat, operator key ${key} lost`);
    const outs = (again.result as { outs: EnvFileOutputs }).outs;
    const third = await f.through({ plan: () => "none" }, () => up(outs));
    if (third.error) violations.push(`the second repeat failed: ${third.error.message}`);
    if (third.proxy.log.some((r) => r.method === "PUT")) violations.push("the second repeat wrote again (not idempotent)");
    return violations;
}

/** Seeds of the default run: short enough for `npm test`, every fault kind drawn (checked below). */
export function campaignSeeds(defaultRuns: number): number[] {
    const one = process.env.OPENVIDU_FAULT_SEED;
    if (one !== undefined) return [Number(one)];
    const runs = Number(process.env.OPENVIDU_FAULT_RUNS ?? defaultRuns);
    return Array.from({ length: runs }, (_, i) => i + 1);
}

export function summarize(reports: RunReport[]): string {
    const kinds = new Map<string, number>();
    for (const fault of reports.flatMap((r) => r.faults)) kinds.set(fault, (kinds.get(fault) ?? 0) + 1);
    const written = reports.filter((r) => r.outcome === "written").length;
    const slowest = Math.max(...reports.map((r) => r.ms));
    return `${reports.length} runs: ${written} written, ${reports.length - written} failed cleanly; faults ${[...kinds].map(([k, n]) => `${k}×${n}`).join(" ")}; slowest run ${slowest} ms`;
}

export function assertNoViolations(reports: RunReport[]): void {
    const broken = reports.filter((r) => r.violations.length > 0);
    assert.deepStrictEqual(broken.map((r) => `seed ${r.seed} (${r.scenario}; faults ${r.faults.join(",") || "none"}; rerun with OPENVIDU_FAULT_SEED=${r.seed}): ${r.violations.join("; ")}`), []);
}
