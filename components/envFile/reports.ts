/**
 * What the `.env` provider tells the operator (its console output reaches the CLI's
 * diagnostics): run-time changes, lost writes, an unreadable file, and whether a write
 * restarts every master. Key names and the object's address only, never a value.
 */
import { appendFileSync } from "fs";
import { settingsOf } from "./dotenv";
import { MergeResult, Settings } from "./merge";
import { NOTICES_FILE_VARIABLE, restartNotice } from "./restarts";
import { isReadDenied, ObjectAddress } from "./s3";

/** What the reports need of a planned write. */
export interface ReportedPlan {
    merge: MergeResult;
    /** The live file's settings. */
    liveSettings: Map<string, string>;
    /** Managed keys a writer that had not seen our last write set back. */
    overwritten: string[];
}

/**
 * Says, before a write, whether applying it restarts every master (restarts.ts); names only.
 * The line also goes to OPENVIDU_ENV_NOTICES_FILE when set: the pull-request workflow reads it
 * there (a preview's whole output can be too large to hand to a step).
 */
export function announceRestart(target: string, keys: string[], runningValue: string | undefined, pending = false): void {
    const notice = restartNotice(target, keys, runningValue, pending);
    if (notice === undefined) return;
    console.warn(notice);
    const file = process.env[NOTICES_FILE_VARIABLE];
    if (file) appendFileSync(file, `${notice}\n`);
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
export function reportRunTimeChanges(plan: ReportedPlan, changes: Map<string, RunTimeChange>): void {
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
export function reportUnchecked(error: unknown): void {
    const message = (error as { message?: unknown } | undefined)?.message;
    const reason = typeof message === "string" ? message : String(error);
    const hint = isReadDenied(error)
        ? " (read-only credentials, e.g. the preview role, may read it once listed in openvidu:envReaderArns: docs/iam.md)"
        : "";
    console.warn(`.env: ${reason}; its run-time changes were not checked${hint}`);
}

export function reportOverwritten(target: ObjectAddress, keys: string[]): void {
    if (keys.length === 0) return;
    // A dynamic provider's console output reaches the CLI; pulumi.log does not from here.
    console.warn(`.env: s3://${target.bucket}/${target.key} was overwritten since the last \`pulumi up\` by a writer that had not seen it: ` +
        `${keys.join(", ")} ${keys.length === 1 ? "is" : "are"} back to the value before that write; the stack config's value will be written again`);
}
