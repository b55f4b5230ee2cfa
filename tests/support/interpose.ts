/**
 * A pass-through HTTP proxy in front of a real S3 server that lets a test
 * act at the one moment that matters for a lost update: after the provider
 * read the object and before its conditional write reaches the server.
 * Requests are forwarded byte for byte (the Host header too, so S3
 * signatures still verify); nothing is answered by the proxy itself.
 */
import * as http from "http";
import { proxy } from "./proxy";

export interface Interposer {
    endpoint: string;
    /** Conditional PUTs seen so far. */
    conditionalPuts: number;
    /** Every request seen so far: method, path and headers. */
    requests: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders }>;
    close(): Promise<void>;
}

export async function interpose(target: string, beforeConditionalPut: (count: number) => Promise<void>): Promise<Interposer> {
    const state = { conditionalPuts: 0 };
    const requests: Interposer["requests"] = [];
    const server = await proxy(target, async (request, _response, forward) => {
        requests.push({ method: request.method ?? "", url: request.url ?? "", headers: request.headers });
        const conditional = request.method === "PUT" && (request.headers["if-match"] !== undefined || request.headers["if-none-match"] !== undefined);
        if (conditional) await beforeConditionalPut(++state.conditionalPuts);
        forward();
    });
    return {
        endpoint: server.endpoint,
        get conditionalPuts() { return state.conditionalPuts; },
        requests,
        close: server.close,
    };
}
