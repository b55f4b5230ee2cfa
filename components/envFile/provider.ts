/**
 * The dynamic provider behind EnvFile: seeds the cluster's `.env` in S3 and
 * co-owns it with the running cluster (three-way merge, conditional writes,
 * bounded retries). Logic lives in dotenv.ts/merge.ts; S3 calls in s3.ts.
 * No secret value ever appears in a message: only keys and the object's address.
 */
import type * as pulumi from "@pulumi/pulumi";
import { parseEnv, renderEnv, settingsOf } from "./dotenv";
import { mergeEnv, MergeResult, Settings } from "./merge";
import { deleteObject, LiveObject, ObjectAddress, isReadDenied, readObject, S3Access, stackConfig, WriteConflict, writeObject } from "./s3";

/** The provider's inputs, as the engine passes them (secrets decrypted; during a preview, unknowns as UNKNOWN). */
export interface EnvFileInputs {
    bucket: string;
    key: string;
    region: string;
    /** Managed keys whose values are not secret. */
    settings: Record<string, string>;
    /** Managed keys whose values are secret (each value a secret of its own in state). */
    secretSettings: Record<string, string>;
    /** Every managed key, in the order a new file lists them. */
    keyOrder: string[];
    /** Comment lines a new file starts with. */
    header: string[];
    deleteOnDestroy: boolean;
    /**
     * A stack config key (`openvidu:deleteEnvOnDestroy`) whose value, when set, decides
     * deletion at destroy time: `pulumi destroy` runs with the state of the last `up`,
     * and the current config wins over the value recorded there.
     */
    deleteOnDestroyConfig?: string;
    /** How the S3 client authenticates (profile, roles to assume): never a secret. */
    access?: S3Access;
    /** The serialized provider (set by the SDK, compared by diff). */
    __provider?: string;
}

export interface EnvFileOutputs extends EnvFileInputs {
    /** What the provider wrote last: the base of the next three-way merge (secret in state). */
    lastWritten: Record<string, string>;
    /** Keys in the file that the program does not manage (names only). */
    unmanagedKeys: string[];
    /** The object's ETag as this provider left it: any other ETag means someone wrote since. */
    writtenEtag?: string;
    /**
     * The values the last write replaced or removed, by key (secret in state). When the file
     * changed since and holds these values again, a writer that had not seen that write
     * overwrote it: the write is made again, and reported.
     */
    replacedByLastWrite?: Record<string, string>;
    /**
     * Every setting of the file as the last `pulumi up` left it, managed or not (secret in
     * state): what a run-time change is measured against. Absent in the state of 0.2.0 and
     * earlier until the next `up` records it.
     */
    fileAtLastUp?: Record<string, string>;
}

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
    const merge = mergeEnv({ live: liveDocument, lastWritten: base, desired: desiredSettings(inputs), header: inputs.header });
    return { live, liveSettings, merge, text: renderEnv(merge.document), overwritten };
}

/** How a key of the live file differs from the file the last `pulumi up` left. */
export type RunTimeChange = "added" | "changed" | "removed";

/** Keys whose live value differs from the file the last `up` left, with how (names only, no value). */
export function runTimeChanges(atLastUp: Settings, live: Map<string, string>): Map<string, RunTimeChange> {
    const before = new Map(Object.entries(atLastUp));
    const changes = new Map<string, RunTimeChange>();
    for (const [key, value] of live) {
        if (!before.has(key)) changes.set(key, "added");
        else if (before.get(key) !== value) changes.set(key, "changed");
    }
    for (const key of before.keys()) {
        if (!live.has(key)) changes.set(key, "removed");
    }
    return changes;
}

/**
 * Names every key changed at run time since the last `up` (`changes`), and what the next `up`
 * does with it: keeps it, or writes the stack config's value (a conflict, or a managed key
 * removed). These warnings are what the drift workflow lists; they carry key names only.
 */
function reportRunTimeChanges(plan: WritePlan, changes: Map<string, RunTimeChange>): void {
    for (const key of plan.merge.conflicts) {
        // The config wins over an operator's run-time change: the preview says so (key only).
        console.warn(`.env: ${key} was changed at run time and is also changed by the stack config; the config value will be written`);
    }
    const live = plan.liveSettings;
    const merged = settingsOf(plan.merge.document);
    for (const [key, change] of changes) {
        // Reported above, or as a lost write (reportOverwritten).
        if (plan.merge.conflicts.includes(key) || plan.overwritten.includes(key)) continue;
        if (merged.get(key) === live.get(key)) {
            console.warn(`.env: ${key} was ${change} at run time; \`pulumi up\` keeps it and records it as the stack's (nothing is written for it)`);
        } else {
            console.warn(`.env: ${key} was ${change} at run time; \`pulumi up\` writes the stack config's value`);
        }
    }
}

/**
 * Says that the live file could not be compared (a preview by a role that may not read it, S3
 * not answering): its run-time changes are then unknown, which must not pass for "none".
 */
function reportUnchecked(error: unknown): void {
    const message = (error as { message?: unknown } | undefined)?.message;
    const reason = typeof message === "string" ? message : String(error);
    const hint = isReadDenied(error)
        ? " (read-only credentials, e.g. the preview role, may read it once listed in openvidu:envReaderArns: docs/iam.md)"
        : "";
    console.warn(`.env: ${reason}; its run-time changes were not checked${hint}`);
}

function reportOverwritten(target: ObjectAddress, keys: string[]): void {
    if (keys.length === 0) return;
    // A dynamic provider's console output reaches the CLI; pulumi.log does not from here.
    console.warn(`.env: s3://${target.bucket}/${target.key} was overwritten since the last \`pulumi up\` by a writer that had not seen it: ` +
        `${keys.join(", ")} ${keys.length === 1 ? "is" : "are"} back to the value before that write; the stack config's value will be written again`);
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
        const { live, liveSettings: before, merge, text, overwritten } = await planWrite(inputs, olds);
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

export const envFileProvider: pulumi.dynamic.ResourceProvider<EnvFileInputs, EnvFileOutputs> = {
    async configure(request) {
        stackConfig.get = (key) => request.config.get(key);
    },

    async check(_olds, news) {
        return { inputs: news, failures: problems(news) };
    },

    async diff(_id, olds, news) {
        const replaces = (["bucket", "key"] as const).filter((p) => olds[p] !== news[p]);
        if (replaces.length > 0) return { changes: true, replaces, deleteBeforeReplace: false };
        // During a preview some values are not known yet: they may change the file.
        if (hasUnknowns(news)) return { changes: true, replaces: [], deleteBeforeReplace: false };
        const configChanged = changedKeys(olds.lastWritten ?? {}, desiredSettings(news)).length > 0;
        let fileChanges = false;
        let changedAtRunTime = false;
        try {
            // The live file, not only the last write: a managed key deleted there is restored,
            // and a lost write is made again.
            const plan = await planWrite(news, olds);
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
        } catch (error) {
            // S3 unreadable: the preview still shows the input diff, and says what it could not check;
            // `up` fails on S3 errors.
            reportUnchecked(error);
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
