/**
 * The dynamic provider behind EnvFile: seeds the cluster's `.env` in S3 and
 * co-owns it with the running cluster (three-way merge, conditional writes,
 * bounded retries). Logic lives in dotenv.ts/merge.ts; S3 calls in s3.ts.
 * No secret value ever appears in a message: only keys and the object's address.
 */
import type * as pulumi from "@pulumi/pulumi";
import { foreignClusterKeys, foreignClusterMessage } from "./adoption";
import { parseEnv, renderEnv, settingsOf } from "./dotenv";
import { AUTORESTART_KEY } from "./keys";
import { mergeEnv, MergeResult, Settings } from "./merge";
import { EnvFileInputs, EnvFileOutputs } from "./props";
import { announceRestart, reportOverwritten, reportRunTimeChanges, reportUnchecked, RunTimeChange, runTimeChanges } from "./reports";
import { deleteObject, LiveObject, ObjectAddress, isReadDenied, readObject, stackConfig, WriteConflict, writeObject } from "./s3";

export { RunTimeChange, runTimeChanges } from "./reports";

export type { EnvFileInputs, EnvFileOutputs } from "./props";

/** How many times a write is re-read, re-merged and retried when someone else wrote in between. */
export const MAX_WRITE_ATTEMPTS = 5;

/** What the engine sends for a value not known yet (during a preview); the SDK's `runtime.unknownValue`. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

const KEY_SYNTAX = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A map input, or nothing while the whole map is unknown. */
function mapOf(value: unknown): Record<string, string> {
    return value !== null && typeof value === "object" && !Array.isArray(value) ? value as Record<string, string> : {};
}

/** True when a property, or a value in one of the maps, is not known yet (a preview before its source exists). */
export function hasUnknowns(inputs: EnvFileInputs): boolean {
    const top = [inputs.bucket, inputs.key, inputs.region, inputs.settings, inputs.secretSettings, inputs.keyOrder] as unknown[];
    const values = [...Object.values(mapOf(inputs.settings)), ...Object.values(mapOf(inputs.secretSettings))];
    return [...top, ...values].some((value) => value === UNKNOWN);
}

export function desiredSettings(inputs: EnvFileInputs): Settings {
    const all: Record<string, string> = {};
    const secret = mapOf(inputs.secretSettings);
    const plain = mapOf(inputs.settings);
    for (const key of Array.isArray(inputs.keyOrder) ? inputs.keyOrder : []) {
        const value = secret[key] ?? plain[key];
        if (value !== undefined) all[key] = value;
    }
    return all;
}

function address(inputs: EnvFileInputs): ObjectAddress {
    return { bucket: inputs.bucket, key: inputs.key, region: inputs.region, access: inputs.access };
}

function problems(inputs: EnvFileInputs): pulumi.dynamic.CheckFailure[] {
    const failures: pulumi.dynamic.CheckFailure[] = [];
    if (!inputs.bucket) failures.push({ property: "bucket", reason: "a bucket name is required" });
    if (!inputs.key) failures.push({ property: "key", reason: "an object key is required" });
    const plain = mapOf(inputs.settings);
    const secret = mapOf(inputs.secretSettings);
    for (const key of [...Object.keys(plain), ...Object.keys(secret)]) {
        if (!KEY_SYNTAX.test(key)) failures.push({ property: "settings", reason: `${key} is not a valid .env key` });
    }
    for (const [key, value] of [...Object.entries(plain), ...Object.entries(secret)]) {
        if (value !== UNKNOWN && /[\r\n]/.test(String(value))) failures.push({ property: "settings", reason: `the value of ${key} spans several lines` });
    }
    for (const key of Object.keys(plain)) {
        if (key in secret) failures.push({ property: "settings", reason: `${key} is both secret and not` });
    }
    return failures;
}

/** What a write starts from: the live file, the merge with it, and the keys whose last write was overwritten. */
interface WritePlan {
    live?: LiveObject;
    /** The live file's settings (parsed once): empty when there is no file. */
    liveSettings: Map<string, string>;
    merge: MergeResult;
    text: string;
    /** Managed keys a writer that had not seen our last write set back to their values before it. */
    overwritten: string[];
    /** `RM_*` keys of the live file that name another cluster's resources (adoption.ts). */
    foreign: string[];
}

/**
 * The merge base: what this provider last wrote, except where that write was
 * lost. The file changed since our write (another ETag) and a key is back at the
 * exact value our write replaced: a writer that read the file before our write
 * saved its copy after it. That is not an operator's decision, so the base for
 * that key is the value before our write, and the desired value is written again.
 */
function mergeBase(olds: Partial<EnvFileOutputs>, live: Map<string, string> | undefined, liveEtag: string | undefined): { base: Settings; overwritten: string[] } {
    const base: Record<string, string> = { ...olds.lastWritten };
    const overwritten: string[] = [];
    if (live === undefined || olds.writtenEtag === undefined || liveEtag === olds.writtenEtag) return { base, overwritten };
    for (const [key, before] of Object.entries(olds.replacedByLastWrite ?? {})) {
        if (live.get(key) === before && base[key] !== before) {
            base[key] = before;
            overwritten.push(key);
        }
    }
    return { base, overwritten };
}

/** Reads the file as it is now and merges the desired settings into it. */
async function planWrite(inputs: EnvFileInputs, olds: Partial<EnvFileOutputs>): Promise<WritePlan> {
    const live = await readObject(address(inputs));
    const liveDocument = live && parseEnv(live.text);
    const liveSettings = liveDocument ? settingsOf(liveDocument) : new Map<string, string>();
    const { base, overwritten } = mergeBase(olds, liveDocument && liveSettings, live?.etag);
    const desired = desiredSettings(inputs);
    const keepExisting = Array.isArray(inputs.keepExisting) ? inputs.keepExisting : [];
    const merge = mergeEnv({ live: liveDocument, lastWritten: base, desired, header: inputs.header, keepExisting });
    const foreign = foreignClusterKeys(liveSettings, desired, olds.lastWritten ?? {});
    return { live, liveSettings, merge, text: renderEnv(merge.document), overwritten, foreign };
}

function target(inputs: EnvFileInputs): string {
    return `s3://${inputs.bucket}/${inputs.key}`;
}

/** The refusal to write another cluster's file, unless the stack config takes it over. */
function foreignFileProblem(inputs: EnvFileInputs, plan: WritePlan): string | undefined {
    if (plan.foreign.length === 0 || inputs.takeover === true) return undefined;
    return foreignClusterMessage(target(inputs), plan.foreign, inputs.takeoverConfig ?? "openvidu:envTakeover");
}

/** Keys a write of `plan` changes in the file (a key's value, added or removed): none when it writes nothing. */
function keysWritten(plan: WritePlan): string[] {
    return [...new Set([...plan.merge.changed, ...plan.merge.removed])];
}

/** The auto-restart value the masters run with, as far as the state knows (the file unread). */
function recordedAutoRestart(olds: Partial<EnvFileOutputs>): string | undefined {
    return (olds.fileAtLastUp ?? olds.lastWritten)?.[AUTORESTART_KEY];
}

interface WriteResult {
    merge: MergeResult;
    etag: string;
    /** Values this write replaced or removed, by key. */
    replaced: Record<string, string>;
}

/**
 * The record of a write of ours that landed after its `up` failed ("may have been applied"): the
 * file already holds the config's new values, so nothing is written, and what those keys held at
 * the last `up` is what that write replaced. Kept, so lost-write detection stays on.
 */
function landedUnrecorded(olds: Partial<EnvFileOutputs>, live: Map<string, string>, desired: Settings): Record<string, string> {
    const replaced: Record<string, string> = {};
    for (const key of changedKeys(olds.lastWritten ?? {}, desired)) {
        const atLastUp = olds.fileAtLastUp?.[key];
        if (key in desired && live.get(key) === desired[key] && atLastUp !== undefined && atLastUp !== desired[key]) replaced[key] = atLastUp;
    }
    return replaced;
}

/**
 * Reads, merges and writes until the write lands on the version it merged
 * with. A conflicting writer (the cluster's `/restart`) makes it start over.
 * Writes nothing when the merged file is the live file.
 */
async function mergeAndWrite(inputs: EnvFileInputs, olds: Partial<EnvFileOutputs>): Promise<WriteResult> {
    const target = address(inputs);
    for (let attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
        const plan = await planWrite(inputs, olds);
        const { live, liveSettings: before, merge, text, overwritten } = plan;
        const refused = foreignFileProblem(inputs, plan);
        if (refused !== undefined) throw new Error(refused);
        if (live !== undefined && text === live.text) return { merge, etag: live.etag, replaced: landedUnrecorded(olds, before, desiredSettings(inputs)) };
        try {
            const etag = await writeObject(target, text, live === undefined ? { ifNoneMatch: true } : { ifMatch: live.etag });
            reportOverwritten(target, overwritten);
            const replaced = Object.fromEntries([...merge.changed, ...merge.removed].filter((k) => before.has(k)).map((k) => [k, before.get(k)!]));
            return { merge, etag, replaced };
        } catch (error) {
            if (!(error instanceof WriteConflict)) throw error;
        }
    }
    throw new Error(
        `s3://${target.bucket}/${target.key} kept changing while it was being written (${MAX_WRITE_ATTEMPTS} attempts); ` +
        "nothing was written. Run `pulumi up` again once the cluster is not restarting.",
    );
}

/** Managed keys whose desired value differs from what was last written (added, changed or dropped). */
export function changedKeys(lastWritten: Settings, desired: Settings): string[] {
    return [...new Set([...Object.keys(lastWritten), ...Object.keys(desired)])].filter((key) => lastWritten[key] !== desired[key]);
}

function outputsOf(inputs: EnvFileInputs, written: WriteResult): EnvFileOutputs {
    const lastWritten = { ...desiredSettings(inputs) };
    const file = settingsOf(written.merge.document);
    const unmanagedKeys = [...file.keys()].filter((key) => !(key in lastWritten));
    return {
        ...inputs, lastWritten, unmanagedKeys, writtenEtag: written.etag, replacedByLastWrite: written.replaced,
        fileAtLastUp: Object.fromEntries(file),
    };
}

/** Inputs other than the settings whose change is an update (recorded in state, nothing to write). */
const RECORDED_INPUTS = ["region", "deleteOnDestroy", "deleteOnDestroyConfig", "access", "header", "keyOrder", "__provider"] as const;

function recordedInputsChanged(olds: EnvFileOutputs, news: EnvFileInputs): boolean {
    // __provider: the engine runs `read` and `delete` with the code kept in state, so a new
    // provider must reach the state even when the file does not change (pulumi/pulumi#6238).
    return RECORDED_INPUTS.some((p) => JSON.stringify(olds[p] ?? null) !== JSON.stringify(news[p] ?? null));
}

/** The configured value of `inputs.deleteOnDestroyConfig` when set, else what the last `up` recorded. */
function deletesOnDestroy(props: EnvFileInputs): boolean {
    const configured = props.deleteOnDestroyConfig ? stackConfig.get?.(props.deleteOnDestroyConfig) : undefined;
    if (String(configured) === "true") return true;
    if (String(configured) === "false") return false;
    return props.deleteOnDestroy === true;
}

/**
 * Before a first write to an existing file: refuses another cluster's (unless taken over) and
 * announces what the write restarts. An unreadable file is left to the write, which fails on it.
 */
async function checkAdoption(inputs: EnvFileInputs): Promise<pulumi.dynamic.CheckFailure[]> {
    let plan: WritePlan;
    try {
        plan = await planWrite(inputs, {});
    } catch (error) {
        reportUnchecked(error);
        return [];
    }
    const refusal = foreignFileProblem(inputs, plan);
    if (refusal !== undefined) return [{ property: "bucket", reason: refusal }];
    if (plan.live !== undefined) announceRestart(target(inputs), keysWritten(plan), plan.liveSettings.get(AUTORESTART_KEY));
    return [];
}

export const envFileProvider: pulumi.dynamic.ResourceProvider<EnvFileInputs, EnvFileOutputs> = {
    async configure(request) {
        stackConfig.get = (key) => request.config.get(key);
    },

    async check(olds, news) {
        const failures = problems(news);
        // A new file (a create, or another bucket): whose is the object already there? The
        // preview of an adoption must fail before anything is created, not the `up` half-way.
        const newTarget = olds?.bucket !== news.bucket || olds?.key !== news.key;
        if (failures.length === 0 && newTarget && news.bucket !== UNKNOWN && news.key !== UNKNOWN) {
            failures.push(...await checkAdoption(news));
        }
        return { inputs: news, failures };
    },

    async diff(_id, olds, news) {
        const replaces = (["bucket", "key"] as const).filter((p) => olds[p] !== news[p]);
        if (replaces.length > 0) return { changes: true, replaces, deleteBeforeReplace: false };
        // During a preview some values are not known yet: they may change the file.
        const configKeys = changedKeys(olds.lastWritten ?? {}, desiredSettings(news));
        if (hasUnknowns(news)) {
            announceRestart(target(news), configKeys, recordedAutoRestart(olds), true);
            return { changes: true, replaces: [], deleteBeforeReplace: false };
        }
        const configChanged = configKeys.length > 0;
        let fileChanges = false;
        let changedAtRunTime = false;
        let plan: WritePlan | undefined;
        try {
            // The live file, not only the last write: a managed key deleted there is restored,
            // and a lost write is made again.
            plan = await planWrite(news, olds);
        } catch (error) {
            // S3 unreadable: the preview still shows the input diff, and says what it could not check;
            // `up` fails on S3 errors.
            reportUnchecked(error);
            announceRestart(target(news), configKeys, recordedAutoRestart(olds));
        }
        if (plan !== undefined) {
            const refusal = foreignFileProblem(news, plan);
            if (refusal !== undefined) throw new Error(refusal);
            fileChanges = plan.live === undefined || plan.text !== plan.live.text;
            // A key changed at run time is drift even when `up` keeps it: the preview names it, and
            // the update records the file as the stack's (writing nothing for that key).
            // Without a record (a state of 0.2.0 or earlier) or a file, there is nothing to compare with.
            const atRunTime = plan.live !== undefined && olds.fileAtLastUp !== undefined
                ? runTimeChanges(olds.fileAtLastUp, plan.liveSettings)
                : new Map<string, RunTimeChange>();
            changedAtRunTime = atRunTime.size > 0;
            reportRunTimeChanges(plan, atRunTime);
            reportOverwritten(address(news), plan.overwritten);
            announceRestart(target(news), keysWritten(plan), plan.live ? plan.liveSettings.get(AUTORESTART_KEY) : recordedAutoRestart(olds));
        }
        return { changes: configChanged || fileChanges || changedAtRunTime || recordedInputsChanged(olds, news), replaces: [], deleteBeforeReplace: false };
    },

    async create(inputs) {
        // An existing file (a bucket adopted from the CloudFormation template) is merged, never overwritten.
        const written = await mergeAndWrite(inputs, {});
        return { id: `${inputs.bucket}/${inputs.key}`, outs: outputsOf(inputs, written) };
    },

    async update(_id, olds, news) {
        const written = await mergeAndWrite(news, olds);
        return { outs: outputsOf(news, written) };
    },

    async read(id, props) {
        if (props === undefined) throw new Error(`cannot import ${id}: create the EnvFile resource instead (it adopts an existing .env)`);
        let live: LiveObject | undefined;
        try {
            live = await readObject(address(props));
        } catch (error) {
            if (!isReadDenied(error)) throw error;
            // A read-only role (a drift check, a preview with --refresh) may not read the .env: the
            // refresh of every other resource goes on, and this one keeps what the last `up` recorded.
            reportUnchecked(error);
            return { id, props };
        }
        // Gone (deleted by hand): an empty id tells `pulumi refresh` so, and the next `pulumi up` seeds it again.
        if (live === undefined) return {};
        const liveSettings = settingsOf(parseEnv(live.text));
        // Report the live values of the managed keys, so `pulumi refresh` shows what an operator changed;
        // lastWritten and writtenEtag stay what this program wrote (the next merge's base).
        const pick = (from: Record<string, string>): Record<string, string> =>
            Object.fromEntries(Object.keys(from).filter((k) => liveSettings.has(k)).map((k) => [k, liveSettings.get(k)!]));
        const managed = new Set([...Object.keys(props.settings), ...Object.keys(props.secretSettings)]);
        return {
            id,
            props: {
                ...props,
                settings: pick(props.settings),
                secretSettings: pick(props.secretSettings),
                unmanagedKeys: [...liveSettings.keys()].filter((k) => !managed.has(k)),
            },
        };
    },

    async delete(_id, props) {
        // Configuration data in a retained bucket: kept unless the stack config says otherwise.
        if (deletesOnDestroy(props)) await deleteObject(address(props));
    },
};
