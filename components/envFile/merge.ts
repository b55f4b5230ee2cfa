/**
 * The three-way merge between what this program last wrote, what the stack
 * now wants, and what is in S3 (which the running cluster may have changed
 * through `POST /openvidu/api/restart`). Pure: no AWS, no Pulumi.
 *
 * The rules (docs/env-file.md has them as a table):
 * - a managed key whose desired value did not change since the last write
 *   keeps the live value (an operator's change survives `pulumi up`);
 * - a managed key whose desired value changed gets the desired value; if the
 *   operator had changed it too, the config wins and it is reported as a conflict;
 * - a managed key missing from the file gets the desired value;
 * - a key of `keepExisting` (a generated secret) that the file has before this
 *   program first writes it (an adopted file) keeps the file's value;
 * - a key the program no longer manages (removed from extraEnv) is removed,
 *   unless the operator changed it since the last write (then it is theirs);
 * - every other key, comment and blank line stays as it is, in place;
 * - new keys are appended in the desired order.
 */
import { EnvDocument, EnvLine, settingsOf } from "./dotenv";

export type Settings = Readonly<Record<string, string>>;

export interface MergeInput {
    /** The file in S3 now; undefined when there is none. */
    live?: EnvDocument;
    /** What this program wrote last time (empty on the first write). */
    lastWritten: Settings;
    /** What the stack wants now, in the order new keys are written. */
    desired: Settings;
    /** Comment lines to start a new file with. */
    header: string[];
    /** Keys whose desired value is only a default (a generated secret): a value in the file wins. */
    keepExisting?: readonly string[];
}

export interface MergeResult {
    document: EnvDocument;
    /** Keys whose value in the file changes. */
    changed: string[];
    /** Keys the config changed that the operator had changed too (the config wins). */
    conflicts: string[];
    /** Keys the operator changed and the config did not: kept as the operator left them. */
    keptOperatorValues: string[];
    /** Keys no longer managed and removed from the file. */
    removed: string[];
    /** Keys of `keepExisting` whose value in the file differs from the desired one, and stays. */
    keptExisting: string[];
}

export function mergeEnv(input: MergeInput): MergeResult {
    const { lastWritten, desired } = input;
    const document: EnvDocument = input.live
        ? { crlf: input.live.crlf, lines: input.live.lines.map((line) => ({ ...line })) }
        : { crlf: false, lines: input.header.map((text) => ({ kind: "other", text }) as EnvLine) };
    const live = settingsOf(document);
    const result: MergeResult = { document, changed: [], conflicts: [], keptOperatorValues: [], removed: [], keptExisting: [] };

    const target = new Map<string, string | undefined>();
    for (const [key, want] of Object.entries(desired)) {
        const had = live.get(key);
        // Before this program's first write of the key (an adopted file), the value in use stays.
        if (had !== undefined && had !== "" && !(key in lastWritten) && input.keepExisting?.includes(key)) {
            if (had !== want) result.keptExisting.push(key);
            continue;
        }
        const configChanged = lastWritten[key] !== want;
        const operatorChanged = had !== undefined && key in lastWritten && had !== lastWritten[key];
        if (had === undefined || configChanged) {
            target.set(key, want);
            if (configChanged && operatorChanged && had !== want) result.conflicts.push(key);
        } else if (operatorChanged) {
            result.keptOperatorValues.push(key);
        }
    }
    for (const [key, wrote] of Object.entries(lastWritten)) {
        if (key in desired || !live.has(key)) continue;
        if (live.get(key) === wrote) target.set(key, undefined);
        else result.keptOperatorValues.push(key);
    }

    applyTargets(document, live, target, result);
    return result;
}

/** Sets (or, for undefined, removes) each target key in the document, recording what changed. */
function applyTargets(document: EnvDocument, live: Map<string, string>, target: Map<string, string | undefined>, result: MergeResult): void {
    document.lines = document.lines.filter((line) => {
        if (line.kind !== "setting" || !target.has(line.key)) return true;
        const value = target.get(line.key);
        if (value === undefined) return false;
        if (line.value !== value) {
            line.value = value;
            line.raw = undefined;
        }
        return true;
    });
    for (const [key, value] of target) {
        const had = live.get(key);
        if (value === undefined) {
            result.removed.push(key);
        } else if (had === undefined) {
            document.lines.push({ kind: "setting", key, value });
            result.changed.push(key);
        } else if (had !== value) {
            result.changed.push(key);
        }
    }
    // A key set twice in the file: the merge set every occurrence, so the file stays consistent.
}
