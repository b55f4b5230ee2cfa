/**
 * A pass-through HTTP proxy in front of a real S3 server that lets a test
 * act at the one moment that matters for a lost update: after the provider
 * read the object and before its conditional write reaches the server.
 * Requests are forwarded byte for byte (the Host header too, so S3
 * signatures still verify); nothing is answered by the proxy itself.
 */
import * as http from "http";
import * as net from "net";

export interface Interposer {
    endpoint: string;
    /** Conditional PUTs seen so far. */
    conditionalPuts: number;
    /** Every request seen so far: method, path and headers. */
    requests: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders }>;
    close(): Promise<void>;
}

export async function interpose(target: string, beforeConditionalPut: (count: number) => Promise<void>): Promise<Interposer> {
    const upstream = new URL(target);
    const state = { conditionalPuts: 0 };
    const requests: Interposer["requests"] = [];
    const server = http.createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on("data", (chunk: Buffer) => chunks.push(chunk));
        request.on("end", async () => {
            requests.push({ method: request.method ?? "", url: request.url ?? "", headers: request.headers });
            const conditional = request.method === "PUT" && (request.headers["if-match"] !== undefined || request.headers["if-none-match"] !== undefined);
            if (conditional) await beforeConditionalPut(++state.conditionalPuts);
            const forward = http.request({
                host: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers: request.headers,
            }, (answer) => {
                response.writeHead(answer.statusCode ?? 502, answer.headers);
                answer.pipe(response);
            });
            forward.on("error", () => response.destroy());
            forward.end(Buffer.concat(chunks));
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    return {
        endpoint: `http://127.0.0.1:${port}`,
        get conditionalPuts() { return state.conditionalPuts; },
        requests,
        close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
    };
}
