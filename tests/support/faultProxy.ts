/**
 * A fault-injecting HTTP proxy in front of a real S3 server (s3rver or Ceph
 * RGW) for the `.env` provider's fault tests. A test decides, request by
 * request, what goes wrong (`plan`): S3 errors the proxy answers itself (500,
 * 503 SlowDown, a spurious 412), a connection reset before the request
 * reaches S3 or after S3 applied it (the answer lost), a GET body cut short
 * with its length header rewritten to match, a body aborted mid-way, a delay,
 * a request never answered; and hooks run just before a write reaches S3
 * (another writer) or just after it was applied (a stale writer saving its
 * older copy over it).
 *
 * s3rver ignores If-Match / If-None-Match, so with `enforceConditions` the
 * proxy checks them itself against the object's ETag (read from the server,
 * with writes through the proxy serialized): 412 as S3 answers. Ceph RGW
 * enforces them itself. Where the model stops: S3's own checksums are not
 * stored by either server; an answer the proxy makes is S3's shape, not its
 * exact bytes.
 */
import * as http from "http";
import * as net from "net";
import { HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";

export type Fault =
    | "none" | "500" | "503" | "412" | "reset-before" | "reset-after"
    | "truncate" | "abort-body" | "delay" | "hang";

export interface Seen {
    method: string;
    path: string;
    conditional: boolean;
    ifMatch?: string;
    /** Which request this is, from 1, over the proxy's life. */
    index: number;
}

export interface FaultHooks {
    /** The fault for this request ("none" to forward it untouched). */
    plan(request: Seen): Fault;
    /** Runs just before a PUT is forwarded (inside the write lock). */
    beforeWrite?(request: Seen): Promise<void>;
    /** Runs just after a PUT was applied by the server (inside the write lock). */
    afterWrite?(request: Seen, status: number): Promise<void>;
    /** A request is being held unanswered ("hang"). */
    onHang?(request: Seen): void;
}

export interface FaultProxy {
    endpoint: string;
    /** Every request seen, with the fault it got. */
    log: Array<Seen & { fault: Fault; status?: number; headers: http.IncomingHttpHeaders }>;
    close(): Promise<void>;
}

export interface Upstream {
    endpoint: string;
    accessKey: string;
    secretKey: string;
    /** s3rver: the proxy checks If-Match / If-None-Match itself. */
    enforceConditions: boolean;
}

const ERRORS: Record<string, [number, string]> = {
    "500": [500, "InternalError"],
    "503": [503, "SlowDown"],
    "412": [412, "PreconditionFailed"],
};

function errorBody(code: string): string {
    return `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>injected</Message></Error>`;
}

/** The ETag forms a server may compare (quoted, as S3 sends it, or bare, as RGW 16 takes it). */
function sameEtag(a: string | undefined, b: string | undefined): boolean {
    return a !== undefined && b !== undefined && a.replace(/"/g, "") === b.replace(/"/g, "");
}

export async function faultProxy(upstream: Upstream, hooks: FaultHooks): Promise<FaultProxy> {
    const target = new URL(upstream.endpoint);
    const direct = new S3Client({
        region: "us-east-1", endpoint: upstream.endpoint, forcePathStyle: true, maxAttempts: 1,
        credentials: { accessKeyId: upstream.accessKey, secretAccessKey: upstream.secretKey },
    });
    const log: FaultProxy["log"] = [];
    const held = new Set<http.ServerResponse>();
    let writes: Promise<unknown> = Promise.resolve();
    let count = 0;

    /** The condition's verdict against the object as the server has it now: a status to answer, or undefined to go on. */
    async function conditionFails(request: http.IncomingMessage): Promise<boolean> {
        const ifMatch = request.headers["if-match"] as string | undefined;
        const ifNoneMatch = request.headers["if-none-match"] as string | undefined;
        if (!upstream.enforceConditions || (ifMatch === undefined && ifNoneMatch === undefined)) return false;
        const [bucket, ...key] = (request.url ?? "").split("?")[0].split("/").filter(Boolean);
        let etag: string | undefined;
        try {
            etag = (await direct.send(new HeadObjectCommand({ Bucket: bucket, Key: decodeURIComponent(key.join("/")) }))).ETag;
        } catch (error) {
            if ((error as { name?: string }).name !== "NotFound") throw error;
        }
        if (ifNoneMatch !== undefined) return etag !== undefined;
        return !sameEtag(etag, ifMatch);
    }

    function forward(request: http.IncomingMessage, body: Buffer): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
        return new Promise((resolve, reject) => {
            const outgoing = http.request({ host: target.hostname, port: target.port, method: request.method, path: request.url, headers: request.headers }, (answer) => {
                const chunks: Buffer[] = [];
                answer.on("data", (chunk: Buffer) => chunks.push(chunk));
                answer.on("end", () => resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: Buffer.concat(chunks) }));
                answer.on("error", reject);
            });
            outgoing.on("error", reject);
            outgoing.end(body);
        });
    }

    async function handle(request: http.IncomingMessage, response: http.ServerResponse, body: Buffer): Promise<void> {
        const seen: Seen = {
            method: request.method ?? "", path: (request.url ?? "").split("?")[0], index: ++count,
            conditional: request.headers["if-match"] !== undefined || request.headers["if-none-match"] !== undefined,
            ifMatch: request.headers["if-match"] as string | undefined,
        };
        const fault = hooks.plan(seen);
        const entry: FaultProxy["log"][number] = { ...seen, fault, headers: request.headers };
        log.push(entry);
        if (fault in ERRORS) {
            const [status, code] = ERRORS[fault];
            entry.status = status;
            response.writeHead(status, { "content-type": "application/xml" });
            response.end(request.method === "HEAD" ? undefined : errorBody(code));
            return;
        }
        if (fault === "reset-before") {
            response.socket?.destroy();
            return;
        }
        if (fault === "hang") {
            held.add(response);
            response.on("close", () => held.delete(response));
            hooks.onHang?.(seen);
            return;
        }
        if (fault === "delay") await new Promise((resolve) => setTimeout(resolve, 5 + (seen.index % 20)));
        const isWrite = seen.method === "PUT" || seen.method === "DELETE";
        const answer = await (isWrite ? serialized(async () => {
            if (await conditionFails(request)) return { status: 412, headers: { "content-type": "application/xml" }, body: Buffer.from(errorBody("PreconditionFailed")) };
            if (seen.method === "PUT") await hooks.beforeWrite?.(seen);
            // A writer placed just before this one may have changed the object: check again.
            if (seen.method === "PUT" && await conditionFails(request)) return { status: 412, headers: { "content-type": "application/xml" }, body: Buffer.from(errorBody("PreconditionFailed")) };
            const result = await forward(request, body);
            if (seen.method === "PUT") await hooks.afterWrite?.(seen, result.status);
            return result;
        }) : forward(request, body));
        entry.status = answer.status;
        if (fault === "reset-after") {
            response.socket?.destroy();
            return;
        }
        if (fault === "truncate" && answer.status === 200 && answer.body.length > 1) {
            const cut = answer.body.subarray(0, 1 + (seen.index * 7919) % (answer.body.length - 1));
            response.writeHead(answer.status, { ...answer.headers, "content-length": String(cut.length) });
            response.end(cut);
            return;
        }
        if (fault === "abort-body" && answer.status === 200 && answer.body.length > 1) {
            response.writeHead(answer.status, answer.headers);
            response.write(answer.body.subarray(0, Math.floor(answer.body.length / 2)));
            setImmediate(() => response.socket?.destroy());
            return;
        }
        response.writeHead(answer.status, answer.headers);
        response.end(answer.body);
    }

    function serialized<T>(work: () => Promise<T>): Promise<T> {
        const run = writes.then(work, work);
        writes = run.catch(() => undefined);
        return run;
    }

    const server = http.createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on("data", (chunk: Buffer) => chunks.push(chunk));
        request.on("end", () => {
            handle(request, response, Buffer.concat(chunks)).catch(() => response.socket?.destroy());
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
        endpoint: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
        log,
        close: () => new Promise<void>((resolve) => {
            for (const response of held) response.socket?.destroy();
            direct.destroy();
            server.closeAllConnections();
            server.close(() => resolve());
        }),
    };
}
