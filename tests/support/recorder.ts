/**
 * A recording HTTP proxy in front of a local S3 server: it forwards every
 * request byte for byte (so S3 signatures still verify) and records what the
 * client sent and what came back. s3rver ignores conditional writes; with
 * this, a test still sees the exact If-Match / If-None-Match headers the
 * provider sends, and can answer a conditional PUT with 412 itself (as S3
 * does when another writer got there first) to drive the retry loop.
 */
import * as http from "http";
import { proxy } from "./proxy";

export interface RecordedRequest {
    method: string;
    /** Path and query, as sent. */
    url: string;
    ifMatch?: string;
    ifNoneMatch?: string;
    /** The answer's status and ETag (the proxy's own answer, when it gave one). */
    status: number;
    etag?: string;
}

export interface Recorder {
    endpoint: string;
    requests: RecordedRequest[];
    /** Requests of one method whose path names the object (e.g. "/bucket/.env"). */
    of(method: string, objectPath: string): RecordedRequest[];
    close(): Promise<void>;
}

/** `answer(request)` may return a status for the proxy to send instead of forwarding. */
export async function record(target: string, answer?: (request: http.IncomingMessage) => number | undefined): Promise<Recorder> {
    const requests: RecordedRequest[] = [];
    const server = await proxy(target, (request, response, forward) => {
        const entry: RecordedRequest = {
            method: request.method ?? "", url: request.url ?? "", status: 0,
            ifMatch: request.headers["if-match"] as string | undefined,
            ifNoneMatch: request.headers["if-none-match"] as string | undefined,
        };
        requests.push(entry);
        const own = answer?.(request);
        if (own !== undefined) {
            entry.status = own;
            response.writeHead(own, { "content-type": "application/xml" });
            response.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message></Error>`);
            return;
        }
        forward((upstreamAnswer) => {
            entry.status = upstreamAnswer.statusCode ?? 0;
            entry.etag = upstreamAnswer.headers.etag;
        });
    });
    return {
        endpoint: server.endpoint,
        requests,
        of: (method, objectPath) => requests.filter((r) => r.method === method && r.url.split("?")[0] === objectPath),
        close: server.close,
    };
}
