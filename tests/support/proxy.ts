/**
 * A pass-through HTTP proxy on loopback in front of a real S3 server, the
 * base of the tests' recording and interposing proxies. Each request's body
 * is read whole, then handed to `handle`, which may answer itself or call
 * `forward` to send it on byte for byte (the Host header too, so S3
 * signatures still verify).
 */
import * as http from "http";
import * as net from "net";

export type Forward = (onAnswer?: (answer: http.IncomingMessage) => void) => void;

export interface Proxy {
    endpoint: string;
    close(): Promise<void>;
}

export async function proxy(target: string, handle: (request: http.IncomingMessage, response: http.ServerResponse, forward: Forward) => void | Promise<void>): Promise<Proxy> {
    const upstream = new URL(target);
    const server = http.createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on("data", (chunk: Buffer) => chunks.push(chunk));
        request.on("end", () => {
            const forward: Forward = (onAnswer) => {
                const outgoing = http.request({
                    host: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers: request.headers,
                }, (answer) => {
                    onAnswer?.(answer);
                    response.writeHead(answer.statusCode ?? 502, answer.headers);
                    answer.pipe(response);
                });
                outgoing.on("error", () => response.destroy());
                outgoing.end(Buffer.concat(chunks));
            };
            void handle(request, response, forward);
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    return {
        endpoint: `http://127.0.0.1:${port}`,
        close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
    };
}
