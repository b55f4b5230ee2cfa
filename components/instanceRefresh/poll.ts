/**
 * How the masters' waits poll AWS: @smithy/util-waiter's bounded, jittered
 * polling, with the same rules for a failing API in both waits (the refresh's
 * and the masters' health on create): a permanent error ends the wait at
 * once, throttling and 5xx are retried until maxFailedPollsInARow.
 */

/** How the waits poll: AWS SDK waiters' style, bounded by the caller's timeout. */
export const POLLING = {
    /** First delay between polls; it doubles (with jitter) up to maxDelaySeconds. */
    minDelaySeconds: 15,
    maxDelaySeconds: 60,
    /** Polls in a row whose call failed (throttling, 5xx, network) before the wait gives up. */
    maxFailedPollsInARow: 5,
} as const;

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

function waiterSdk(): typeof import("@smithy/util-waiter") {
    // Loaded at call time: the provider is serialized by Pulumi (see envFile/s3.ts).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require("@smithy/util-waiter");
}

/** What a poll's answer means: the wait is over (either way), or goes on. */
export type Verdict = "done" | "failed" | "wait";

export interface PollResult<T> {
    /** `unreachable`: the last polls' calls failed (permanently, or maxFailedPollsInARow times in a row). */
    state: "done" | "failed" | "timeout" | "unreachable";
    /** The last answer read, if any. */
    last?: T;
    lastError?: unknown;
}

/** Reads until `judge` ends the wait, the time runs out, or AWS cannot be read; never throws for AWS's errors. */
export async function pollUntil<T>(timeoutSeconds: number, read: () => Promise<T>, judge: (answer: T) => Verdict): Promise<PollResult<T>> {
    const { createWaiter, WaiterState } = waiterSdk();
    let last: T | undefined;
    let lastError: unknown;
    let failedPolls = 0;
    const result = await createWaiter(
        { client: {}, maxWaitTime: timeoutSeconds, minDelay: POLLING.minDelaySeconds, maxDelay: POLLING.maxDelaySeconds },
        {},
        async () => {
            try {
                last = await read();
            } catch (error) {
                lastError = error;
                failedPolls++;
                const giveUp = isPermanent(error) || failedPolls >= POLLING.maxFailedPollsInARow;
                return { state: giveUp ? WaiterState.FAILURE : WaiterState.RETRY, reason: describeError(error) };
            }
            failedPolls = 0;
            lastError = undefined;
            const verdict = judge(last);
            return { state: verdict === "done" ? WaiterState.SUCCESS : verdict === "failed" ? WaiterState.FAILURE : WaiterState.RETRY };
        },
    );
    if (lastError !== undefined) return { state: "unreachable", last, lastError };
    if (result.state === WaiterState.SUCCESS) return { state: "done", last };
    return { state: result.state === WaiterState.TIMEOUT ? "timeout" : "failed", last };
}
