/**
 * Waiting for the masters' instance refresh to end, on @smithy/util-waiter's
 * bounded, jittered polling. The AWS calls come in through RefreshApi (the
 * provider builds it from SDK clients; tests may too), so this file holds the
 * rules: which refresh is awaited, which statuses end the wait, what a failure
 * says. Messages carry ids, statuses and AWS's reasons: never a secret.
 */

/** One instance refresh as DescribeInstanceRefreshes reports it (the fields the wait reads). */
export interface RefreshView {
    id: string;
    status: string;
    statusReason?: string;
    percentageComplete?: number;
    instancesToUpdate?: number;
    startTime?: Date;
}

/** One target of the masters' target group as DescribeTargetHealth reports it. */
export interface TargetView {
    /** The instance id (targets of type `instance`). */
    id: string;
    state: string;
    /** e.g. `Target.FailedHealthChecks`. */
    reason?: string;
    description?: string;
}

export interface RefreshApi {
    /** The group's instance refreshes of the last six weeks, in any order. */
    refreshes(): Promise<RefreshView[]>;
    /** The targets of the masters' target group, with their health. */
    targets(): Promise<TargetView[]>;
    /**
     * What each instance said of its boot (only read for a failure): the `openvidu:boot` tag
     * (`ok`/`failed`) and the last `openvidu-boot:` lines of its serial console, which
     * outlive the instance. Key names only, never values: the boot writes no value there.
     */
    boots?(instanceIds: string[]): Promise<Record<string, BootView>>;
}

export interface BootView {
    /** The instance's `openvidu:boot` tag, when the boot got as far as tagging. */
    outcome?: string;
    /** The last boot lines of the serial console. */
    lastLines: string[];
}

/** The command that shows a master's whole boot, for the failure message. */
export const consoleCommand = (instanceId: string): string => `aws ec2 get-console-output --latest --output text --instance-id ${instanceId}`;

/** Auto Scaling's statuses that end a refresh (API reference, InstanceRefresh.Status). */
export const REFRESH_ENDS = {
    succeeded: ["Successful"],
    failed: ["Failed", "Cancelled", "RollbackSuccessful", "RollbackFailed"],
} as const;

/** How the wait polls: AWS SDK waiters' style, bounded by the caller's timeout. */
export const POLLING = {
    /** First delay between polls; it doubles (with jitter) up to maxDelaySeconds. */
    minDelaySeconds: 15,
    maxDelaySeconds: 60,
    /** Polls in a row whose call failed (throttling, 5xx, network) before the wait gives up. */
    maxFailedPollsInARow: 5,
} as const;

export interface WaitOptions {
    groupName: string;
    /** The newest refresh when this resource last succeeded: anything else is newer. */
    baselineRefreshId?: string;
    timeoutSeconds: number;
    /** Progress lines (the dynamic provider's console reaches `pulumi up`'s output). */
    log?: (line: string) => void;
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

/** True for an error no retry can mend: missing permission, unknown group or target group. */
export function isPermanent(error: unknown): boolean {
    const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
    return e.$metadata?.httpStatusCode === 403 || /AccessDenied|UnauthorizedOperation|ValidationError|TargetGroupNotFound|InvalidTarget/.test(e.name ?? "");
}

/** A value-free account of an AWS call's failure. */
export function describeError(error: unknown): string {
    const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    const status = e.$metadata?.httpStatusCode;
    return `${e.name ?? "Error"}${status ? ` (HTTP ${status})` : ""}${e.message ? `: ${e.message}` : ""}`;
}

function progress(refresh: RefreshView): string {
    const parts = [refresh.status];
    if (refresh.percentageComplete !== undefined) parts.push(`${refresh.percentageComplete}% complete`);
    if (refresh.instancesToUpdate !== undefined) parts.push(`${refresh.instancesToUpdate} instance(s) to update`);
    return parts.join(", ") + (refresh.statusReason ? ` (${refresh.statusReason})` : "");
}

/**
 * The targets' lines of a failure message: each not-healthy target's reason, what its boot
 * said (tag, last console lines) and the command that shows more; then every instance id.
 */
export function targetReport(targets: TargetView[], boots: Record<string, BootView> = {}): string {
    const unhealthy = targets.filter((t) => t.state !== "healthy");
    const lines = unhealthy.flatMap((t) => {
        const boot = boots[t.id];
        return [
            `  ${t.id}: ${t.state}${t.reason ? `, ${t.reason}` : ""}${t.description ? ` (${t.description})` : ""}` +
                `; boot ${boot?.outcome ? `tagged ${boot.outcome}` : "not tagged (still booting, or it stopped before the end)"}`,
            ...(boot?.lastLines ?? []).map((line) => `      ${line}`),
            `      more: ${consoleCommand(t.id)}`,
        ];
    });
    const ids = targets.map((t) => t.id).join(", ") || "none";
    return [
        unhealthy.length > 0 ? "Targets of the masters' target group that are not healthy:" : "Every target of the masters' target group is healthy.",
        ...lines,
        `Instances registered with the target group: ${ids}`,
    ].join("\n");
}

/** The targets' report, with what the not-healthy ones said of their boot when that can be read. */
async function targetsWithBoots(api: RefreshApi): Promise<string> {
    const targets = await api.targets();
    const unhealthy = targets.filter((t) => t.state !== "healthy").map((t) => t.id);
    let boots: Record<string, BootView> = {};
    let note = "";
    if (api.boots && unhealthy.length > 0) {
        try {
            boots = await api.boots(unhealthy);
        } catch (error) {
            note = `\nThe masters' boot outcomes could not be read: ${describeError(error)}`;
        }
    }
    return targetReport(targets, boots) + note;
}

const WHAT_TO_DO = "The masters' launch template is recorded, but the masters may not run it: see docs/operations.md, \"When `pulumi up` fails on the masters' instance refresh\".";

/** The error `up` fails with: the refresh, its reason, and each unhealthy target's reason. */
async function failure(api: RefreshApi, groupName: string, refresh: RefreshView, how: string): Promise<Error> {
    let targets: string;
    try {
        targets = await targetsWithBoots(api);
    } catch (error) {
        targets = `The target group's health could not be read: ${describeError(error)}`;
    }
    return new Error([`Instance refresh ${refresh.id} of the masters' group ${groupName} ${how}: ${progress(refresh)}.`, targets, WHAT_TO_DO].join("\n"));
}

/** Whether a refresh's status ends the wait, and how. */
export function endOf(refresh: RefreshView): "succeeded" | "failed" | undefined {
    if ((REFRESH_ENDS.succeeded as readonly string[]).includes(refresh.status)) return "succeeded";
    if ((REFRESH_ENDS.failed as readonly string[]).includes(refresh.status)) return "failed";
    // Pending, InProgress, Cancelling, RollbackInProgress, Baking, or a status added later.
    return undefined;
}

function waiterSdk(): typeof import("@smithy/util-waiter") {
    // Loaded at call time: the provider is serialized by Pulumi (see envFile/s3.ts).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require("@smithy/util-waiter");
}

/**
 * Waits until the refresh newer than the baseline ends. No newer refresh: returns at once
 * ("none"). Succeeded: returns it. Failed, cancelled, rolled back, timed out, or Auto Scaling
 * unreachable for maxFailedPollsInARow polls: throws with the refresh's reason and the targets'.
 * Every poll reads the newest refresh again, so a refresh that supersedes ours is followed.
 */
export async function waitForRefresh(api: RefreshApi, options: WaitOptions): Promise<WaitOutcome> {
    const { createWaiter, WaiterState } = waiterSdk();
    const log = options.log ?? (() => undefined);
    let seen: RefreshView | undefined;
    let reported = "";
    let failedPolls = 0;
    let lastError: unknown;
    let none = false;
    const result = await createWaiter(
        { client: api, maxWaitTime: options.timeoutSeconds, minDelay: POLLING.minDelaySeconds, maxDelay: POLLING.maxDelaySeconds },
        options,
        async () => {
            let refreshes: RefreshView[];
            try {
                refreshes = await api.refreshes();
            } catch (error) {
                lastError = error;
                failedPolls++;
                const giveUp = isPermanent(error) || failedPolls >= POLLING.maxFailedPollsInARow;
                return { state: giveUp ? WaiterState.FAILURE : WaiterState.RETRY, reason: describeError(error) };
            }
            failedPolls = 0;
            lastError = undefined;
            const refresh = refreshToAwait(refreshes, options.baselineRefreshId);
            // Only the first poll may find nothing newer: later, the awaited refresh stays the newest or is superseded.
            if (refresh === undefined && seen === undefined) {
                none = true;
                return { state: WaiterState.SUCCESS };
            }
            const current = refresh ?? seen!;
            if (seen !== undefined && current.id !== seen.id) log(`instance refresh ${seen.id} was superseded by ${current.id}: waiting for that one`);
            seen = current;
            const line = `instance refresh ${current.id} of ${options.groupName}: ${progress(current)}`;
            if (line !== reported) log(line);
            reported = line;
            const end = endOf(current);
            return { state: end === "succeeded" ? WaiterState.SUCCESS : end === "failed" ? WaiterState.FAILURE : WaiterState.RETRY };
        },
    );
    if (none) return { kind: "none" };
    if (result.state === WaiterState.SUCCESS && seen !== undefined) return { kind: "succeeded", refresh: seen };
    if (lastError !== undefined) {
        const what = seen ? `instance refresh ${seen.id} (last seen ${progress(seen)})` : "its instance refresh";
        throw new Error(`Could not follow the masters' group ${options.groupName}: Auto Scaling answered ${describeError(lastError)}. ` +
            `The outcome of ${what} is unknown: it goes on in AWS. ` +
            (isPermanent(lastError) ? "The deployer needs autoscaling:DescribeInstanceRefreshes (docs/iam.md)." : "Run `pulumi up` again to wait for it."));
    }
    if (result.state === WaiterState.TIMEOUT) {
        throw await failure(api, options.groupName, seen!, `did not end within ${Math.round(options.timeoutSeconds / 60)} minutes (it goes on in AWS); last seen`);
    }
    throw await failure(api, options.groupName, seen!, "ended");
}
