/**
 * The dynamic provider behind EnvFile: seeds the cluster's `.env` in S3 and
 * co-owns it with the running cluster (three-way merge, conditional writes,
 * bounded retries). Logic lives in dotenv.ts/merge.ts; S3 calls in s3.ts.
 * No secret value ever appears in a message: only keys and the object's address.
 */
import type * as pulumi from "@pulumi/pulumi";
import { parseEnv, renderEnv, settingsOf } from "./dotenv";
import { mergeEnv, MergeResult, Settings } from "./merge";
import { deleteObject, LiveObject, ObjectAddress, readObject, WriteConflict, writeObject } from "./s3";

/** The provider's inputs, as the engine passes them (secrets decrypted). */
export interface EnvFileInputs {
    bucket: string;
    key: string;
    region: string;
    /** Managed keys whose values are not secret. */
    settings: Record<string, string>;
    /** Managed keys whose values are secret (kept secret in state). */
    secretSettings: Record<string, string>;
    /** Every managed key, in the order a new file lists them. */
    keyOrder: string[];
    /** Comment lines a new file starts with. */
    header: string[];
    deleteOnDestroy: boolean;
}

export interface EnvFileOutputs extends EnvFileInputs {
    /** What the provider wrote last: the base of the next three-way merge (secret in state). */
    lastWritten: Record<string, string>;
    /** Keys in the file that the program does not manage (names only). */
    unmanagedKeys: string[];
}

/** How many times a write is re-read, re-merged and retried when someone else wrote in between. */
export const MAX_WRITE_ATTEMPTS = 5;

const KEY_SYNTAX = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function desiredSettings(inputs: EnvFileInputs): Settings {
    const all: Record<string, string> = {};
    for (const key of inputs.keyOrder) {
        const value = inputs.secretSettings[key] ?? inputs.settings[key];
        if (value !== undefined) all[key] = value;
    }
    return all;
}

function address(inputs: EnvFileInputs): ObjectAddress {
    return { bucket: inputs.bucket, key: inputs.key, region: inputs.region };
}

function problems(inputs: EnvFileInputs): pulumi.dynamic.CheckFailure[] {
    const failures: pulumi.dynamic.CheckFailure[] = [];
    if (!inputs.bucket) failures.push({ property: "bucket", reason: "a bucket name is required" });
    if (!inputs.key) failures.push({ property: "key", reason: "an object key is required" });
    const keys = [...Object.keys(inputs.settings ?? {}), ...Object.keys(inputs.secretSettings ?? {})];
    for (const key of keys) {
        if (!KEY_SYNTAX.test(key)) failures.push({ property: "settings", reason: `${key} is not a valid .env key` });
    }
    for (const [key, value] of [...Object.entries(inputs.settings ?? {}), ...Object.entries(inputs.secretSettings ?? {})]) {
        if (/[\r\n]/.test(String(value))) failures.push({ property: "settings", reason: `the value of ${key} spans several lines` });
    }
    for (const key of Object.keys(inputs.settings ?? {})) {
        if (key in (inputs.secretSettings ?? {})) failures.push({ property: "settings", reason: `${key} is both secret and not` });
    }
    return failures;
}

/** Reads the file as it is now and merges the desired settings into it. */
async function mergeWithLive(inputs: EnvFileInputs, lastWritten: Settings): Promise<{ live?: LiveObject; merge: MergeResult }> {
    const live = await readObject(address(inputs));
    const merge = mergeEnv({ live: live && parseEnv(live.text), lastWritten, desired: desiredSettings(inputs), header: inputs.header });
    return { live, merge };
}

/**
 * Reads, merges and writes until the write lands on the version it merged
 * with. A conflicting writer (the cluster's `/restart`) makes it start over.
 */
async function mergeAndWrite(inputs: EnvFileInputs, lastWritten: Settings): Promise<MergeResult> {
    const target = address(inputs);
    for (let attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
        const { live, merge } = await mergeWithLive(inputs, lastWritten);
        const text = renderEnv(merge.document);
        if (live !== undefined && text === live.text) return merge;
        try {
            await writeObject(target, text, live === undefined ? { ifNoneMatch: true } : { ifMatch: live.etag });
            return merge;
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

function outputsOf(inputs: EnvFileInputs, merge: MergeResult): EnvFileOutputs {
    const lastWritten = { ...desiredSettings(inputs) };
    const unmanagedKeys = [...settingsOf(merge.document).keys()].filter((key) => !(key in lastWritten));
    return { ...inputs, lastWritten, unmanagedKeys };
}

/** What `pulumi preview` shows for an update: the keys the config changes; conflicts are named, never their values. */
async function previewMerge(olds: EnvFileOutputs, news: EnvFileInputs): Promise<MergeResult | undefined> {
    try {
        return (await mergeWithLive(news, olds.lastWritten ?? {})).merge;
    } catch {
        return undefined; // the preview can still show the input diff; `up` reports S3 errors.
    }
}

export const envFileProvider: pulumi.dynamic.ResourceProvider<EnvFileInputs, EnvFileOutputs> = {
    async check(_olds, news) {
        return { inputs: news, failures: problems(news) };
    },

    async diff(_id, olds, news) {
        const replaces = (["bucket", "key"] as const).filter((p) => olds[p] !== news[p]);
        const changed = changedKeys(olds.lastWritten ?? {}, desiredSettings(news));
        const other = (["region", "deleteOnDestroy"] as const).some((p) => olds[p] !== news[p]);
        if (replaces.length === 0 && changed.length > 0) {
            const merge = await previewMerge(olds, news);
            for (const key of merge?.conflicts ?? []) {
                // The config wins over an operator's run-time change: the preview says so (key only).
                // A dynamic provider's console output reaches the CLI; pulumi.log does not from here.
                console.warn(`.env: ${key} was changed at run time and is also changed by the stack config; the config value will be written`);
            }
        }
        return { changes: replaces.length > 0 || changed.length > 0 || other, replaces, deleteBeforeReplace: false };
    },

    async create(inputs) {
        // An existing file (a bucket adopted from the CloudFormation template) is merged, never overwritten.
        const merge = await mergeAndWrite(inputs, {});
        return { id: `${inputs.bucket}/${inputs.key}`, outs: outputsOf(inputs, merge) };
    },

    async update(_id, olds, news) {
        const merge = await mergeAndWrite(news, olds.lastWritten ?? {});
        return { outs: outputsOf(news, merge) };
    },

    async read(id, props) {
        if (props === undefined) throw new Error(`cannot import ${id}: create the EnvFile resource instead (it adopts an existing .env)`);
        const live = await readObject(address(props));
        // Gone (deleted by hand): an empty id tells `pulumi refresh` so, and the next `pulumi up` seeds it again.
        if (live === undefined) return {};
        const liveSettings = settingsOf(parseEnv(live.text));
        // Report the live values of the managed keys, so `pulumi refresh` shows what an operator changed;
        // lastWritten stays what this program wrote (the next merge's base).
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
        if (props.deleteOnDestroy) await deleteObject(address(props));
    },
};
