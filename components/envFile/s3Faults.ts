/**
 * How long the `.env` provider waits for S3, and what it says when S3 fails:
 * the bounds in one place (docs/env-file.md quotes them), a deadline per S3
 * operation, and an error's cause in one line without any value.
 */

/** Every time bound of the provider's S3 calls (milliseconds, attempts). */
export const S3_TIME_BOUNDS = {
    /** To establish a TCP/TLS connection. */
    connectionMs: 5_000,
    /** From sending a request to S3's response headers. */
    requestMs: 15_000,
    /** Of silence on an open socket (a body that stops arriving). */
    socketIdleMs: 15_000,
    /** Requests per call, the SDK's retries of 5xx, throttling and network errors included. */
    maxAttempts: 3,
    /** Before reading a damaged body again: this, then twice this. */
    rereadDelayMs: 100,
    /** One S3 operation in all: a read (re-reads of a body that fails its check included), a write, a delete. */
    operationMs: 60_000,
} as const;

/**
 * The clock the operation deadline runs on; tests replace it with a fake one
 * (@sinonjs/fake-timers) so a hang ends without a real wait.
 */
export const deadlineClock: {
    setTimeout: (callback: () => void, ms: number) => unknown;
    clearTimeout: (handle: unknown) => void;
} = {
    setTimeout: (callback, ms) => setTimeout(callback, ms),
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * An operation that ran out of S3_TIME_BOUNDS.operationMs: a marked Error, not a subclass (in the
 * serialized provider a subclass of Error loses its message).
 */
function deadlineExceeded(message: string): Error {
    return Object.assign(new Error(message), { deadlineExceeded: true });
}

export function isDeadlineExceeded(error: unknown): boolean {
    return (error as { deadlineExceeded?: unknown } | undefined)?.deadlineExceeded === true;
}

/**
 * Runs `operation` with an AbortSignal that fires after S3_TIME_BOUNDS.operationMs, and ends
 * at that bound even if something inside does not heed the signal.
 */
export async function withDeadline<T>(operation: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const seconds = S3_TIME_BOUNDS.operationMs / 1000;
    let handle: unknown;
    const expired = new Promise<never>((_resolve, reject) => {
        handle = deadlineClock.setTimeout(() => {
            const error = deadlineExceeded(`S3 did not finish within ${seconds} s (the bound of one S3 operation)`);
            controller.abort(error);
            reject(error);
        }, S3_TIME_BOUNDS.operationMs);
    });
    const running = operation(controller.signal);
    // The losing promise's rejection is handled, so it never surfaces as unhandled.
    running.catch(() => undefined);
    expired.catch(() => undefined);
    try {
        return await Promise.race([running, expired]);
    } finally {
        deadlineClock.clearTimeout(handle);
    }
}

interface ErrorShape {
    name?: unknown;
    code?: unknown;
    Code?: unknown;
    errno?: unknown;
    message?: unknown;
    cause?: unknown;
    $metadata?: { httpStatusCode?: number };
}

const WORD = /^[A-Za-z][A-Za-z0-9_.]{0,63}$/;
/** Messages of network errors that hold no value and say what happened. */
const PLAIN_MESSAGES = ["aborted", "socket hang up", "Request aborted", "read ECONNRESET"];

/**
 * The cause of an S3 failure in one line: S3's error code or the SDK's error name, the errno
 * code, the HTTP status and a known phrase ("Checksum mismatch"). Never the free text of a
 * message, which may quote a header or a checksum of the file.
 */
export function causeOf(error: unknown): string {
    if (isDeadlineExceeded(error)) return (error as Error).message;
    const parts: string[] = [];
    const add = (part: unknown): void => {
        if (typeof part === "string" && WORD.test(part) && part !== "Error" && !parts.includes(part)) parts.push(part);
    };
    let e = error as ErrorShape | undefined;
    // The SDK wraps some errors (a body aborted mid-way) in others: follow the chain a little.
    for (let depth = 0; e && depth < 3; depth++, e = e.cause as ErrorShape | undefined) {
        add(e.Code);
        // The SDK names a connection reset "TimeoutError" (it retries both alike): the errno says which.
        const errno = typeof e.code === "string" && /^E[A-Z]+$/.test(e.code) ? e.code : undefined;
        if (!(e.name === "TimeoutError" && errno !== undefined && errno !== "ETIMEDOUT")) add(e.name);
        add(e.code);
        if (typeof e.errno === "string") add(e.errno);
        const message = typeof e.message === "string" ? e.message : "";
        if (/^Checksum mismatch/.test(message) && !parts.includes("Checksum mismatch")) parts.push("Checksum mismatch");
        else if (PLAIN_MESSAGES.includes(message)) parts.push(`"${message}"`);
    }
    const status = (error as ErrorShape | undefined)?.$metadata?.httpStatusCode;
    const text = parts.length > 0 ? parts.join(", ") : "unknown error";
    return status ? `${text} (HTTP ${status})` : text;
}

/** The failure's S3 error code or errno, whichever is set. */
export function codeOf(error: unknown): string {
    const e = error as ErrorShape | undefined;
    for (const value of [e?.Code, e?.code, e?.name]) if (typeof value === "string") return value;
    return "";
}

export function statusOf(error: unknown): number | undefined {
    return (error as ErrorShape | undefined)?.$metadata?.httpStatusCode;
}

/**
 * True when S3 answered and said the request was not applied: a 4xx other than a timeout,
 * throttling or a failed condition (those are settled by reading the object). A network
 * error, a 5xx or a deadline leaves it open whether a write or delete was applied.
 */
export function refusedOutright(error: unknown): boolean {
    if (isDeadlineExceeded(error)) return false;
    const status = statusOf(error);
    if (status === undefined || status >= 500) return false;
    return ![408, 409, 412, 429].includes(status);
}
