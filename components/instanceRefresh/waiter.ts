/**
 * Waiting for the masters' instance refresh to end, on @smithy/util-waiter's
 * bounded, jittered polling. The AWS calls come in through RefreshApi (the
 * provider builds it from SDK clients; tests may too), so this file holds the
 * rules: which refresh is awaited, which statuses end the wait, what a failure
 * says. Messages carry ids, statuses and AWS's reasons: never a secret.
 */
import { describeError, isPermanent, pollUntil } from "./poll";
import { MastersApi, mastersReport } from "./report";

export { describeError, isPermanent, POLLING } from "./poll";
export type { BootView, GroupInstanceView, MastersApi, TargetView } from "./report";

/** One instance refresh as DescribeInstanceRefreshes reports it (the fields the wait reads). */
export interface RefreshView {
    id: string;
    status: string;
    statusReason?: string;
    percentageComplete?: number;
    instancesToUpdate?: number;
    startTime?: Date;
}

export interface RefreshApi extends MastersApi {
    /** The group's instance refreshes of the last six weeks, in any order. */
    refreshes(): Promise<RefreshView[]>;
}

/** Auto Scaling's statuses that end a refresh (API reference, InstanceRefresh.Status). */
export const REFRESH_ENDS = {
    succeeded: ["Successful"],
    failed: ["Failed", "Cancelled", "RollbackSuccessful", "RollbackFailed"],
} as const;

export interface WaitOptions {
    groupName: string;
    /** The newest refresh when this resource last succeeded: anything else is newer. */
    baselineRefreshId?: string;
    timeoutSeconds: number;
    /** Progress lines (the dynamic provider's console reaches `pulumi up`'s output). */
    log?: (line: string) => void;
    /** The cluster's boot log group, named in a failure's report (each master's stream is its instance id). */
    bootLogGroup?: string;
}

export type WaitOutcome =
    | { kind: "none" }
    | { kind: "succeeded"; refresh: RefreshView };

/** The newest refresh by start time (DescribeInstanceRefreshes documents no order). */
export function newestRefresh(refreshes: RefreshView[]): RefreshView | undefined {
    return [...refreshes].sort((a, b) => (b.startTime?.getTime() ?? 0) - (a.startTime?.getTime() ?? 0))[0];
}

/** The refresh this update must wait for: the newest one, if it is newer than the baseline. */
export function refreshToAwait(refreshes: RefreshView[], baselineRefreshId: string | undefined): RefreshView | undefined {
    const newest = newestRefresh(refreshes);
    return newest !== undefined && newest.id !== baselineRefreshId ? newest : undefined;
}

function progress(refresh: RefreshView): string {
    const parts = [refresh.status];
    if (refresh.percentageComplete !== undefined) parts.push(`${refresh.percentageComplete}% complete`);
    if (refresh.instancesToUpdate !== undefined) parts.push(`${refresh.instancesToUpdate} instance(s) to update`);
    return parts.join(", ") + (refresh.statusReason ? ` (${refresh.statusReason})` : "");
}

const WHAT_TO_DO = "The masters' launch template is recorded, but the masters may not run it: see docs/operations.md, \"When `pulumi up` fails on the masters' instance refresh\".";

/** The error `up` fails with: the refresh, its reason, and what each master says (report.ts). */
async function failure(api: RefreshApi, { groupName, bootLogGroup }: WaitOptions, refresh: RefreshView, how: string): Promise<Error> {
    return new Error([`Instance refresh ${refresh.id} of the masters' group ${groupName} ${how}: ${progress(refresh)}.`, await mastersReport(api, refresh.startTime ?? new Date(0), bootLogGroup), WHAT_TO_DO].join("\n"));
}

/** Whether a refresh's status ends the wait, and how. */
export function endOf(refresh: RefreshView): "succeeded" | "failed" | undefined {
    if ((REFRESH_ENDS.succeeded as readonly string[]).includes(refresh.status)) return "succeeded";
    if ((REFRESH_ENDS.failed as readonly string[]).includes(refresh.status)) return "failed";
    // Pending, InProgress, Cancelling, RollbackInProgress, Baking, or a status added later.
    return undefined;
}

/**
 * Waits until the refresh newer than the baseline ends. No newer refresh: returns at once
 * ("none"). Succeeded: returns it. Failed, cancelled, rolled back, timed out, or Auto Scaling
 * unreachable for maxFailedPollsInARow polls: throws with the refresh's reason and the targets'.
 * Every poll reads the newest refresh again, so a refresh that supersedes ours is followed.
 */
export async function waitForRefresh(api: RefreshApi, options: WaitOptions): Promise<WaitOutcome> {
    const log = options.log ?? (() => undefined);
    let seen: RefreshView | undefined;
    let reported = "";
    let none = false;
    const result = await pollUntil(options.timeoutSeconds, () => api.refreshes(), (refreshes) => {
        const refresh = refreshToAwait(refreshes, options.baselineRefreshId);
        // Only the first poll may find nothing newer: later, the awaited refresh stays the newest or is superseded.
        if (refresh === undefined && seen === undefined) {
            none = true;
            return "done";
        }
        const current = refresh ?? seen!;
        if (seen !== undefined && current.id !== seen.id) log(`instance refresh ${seen.id} was superseded by ${current.id}: waiting for that one`);
        seen = current;
        const line = `instance refresh ${current.id} of ${options.groupName}: ${progress(current)}`;
        if (line !== reported) log(line);
        reported = line;
        const end = endOf(current);
        return end === "succeeded" ? "done" : end === "failed" ? "failed" : "wait";
    });
    if (none) return { kind: "none" };
    if (result.state === "done" && seen !== undefined) return { kind: "succeeded", refresh: seen };
    if (result.state === "unreachable") {
        const what = seen ? `instance refresh ${seen.id} (last seen ${progress(seen)})` : "its instance refresh";
        throw new Error(`Could not follow the masters' group ${options.groupName}: Auto Scaling answered ${describeError(result.lastError)}. ` +
            `The outcome of ${what} is unknown: it goes on in AWS. ` +
            (isPermanent(result.lastError) ? "The deployer needs autoscaling:DescribeInstanceRefreshes (docs/iam.md)." : "Run `pulumi up` again to wait for it."));
    }
    if (result.state === "timeout") {
        throw await failure(api, options, seen!, `did not end within ${Math.round(options.timeoutSeconds / 60)} minutes (it goes on in AWS); last seen`);
    }
    throw await failure(api, options, seen!, "ended");
}
