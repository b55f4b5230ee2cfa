/**
 * An IMDSv2 stand-in on loopback, for the masters' boot simulation: a
 * session token first (PUT /latest/api/token with a TTL header), then every
 * GET must carry it, as on an instance that requires IMDSv2 (GETs without a
 * token get 401, like EC2's). Serves what the boot reads: user data,
 * instance id, placement, and the role's credentials.
 */
import { randomBytes } from "crypto";
import * as http from "http";
import * as net from "net";

export interface RoleCredentials {
    AccessKeyId: string;
    SecretAccessKey: string;
    Token: string;
}

export interface ImdsState {
    userData: string;
    instanceId: string;
    availabilityZone: string;
    roleName: string;
    credentials: RoleCredentials;
    /** Added to every answer (a slow IMDS). */
    delayMs: number;
    /** Up to this much more, at random, per answer (shuffles concurrent boots). */
    jitterMs: number;
    /** Paths answered 404, the token's included: an IMDS that lacks what the boot reads. */
    missing?: string[];
}

export interface Imds {
    endpoint: string;
    state: ImdsState;
    /** Requests seen, e.g. `PUT /latest/api/token`, `GET /latest/user-data 401`. */
    requests: string[];
    close(): Promise<void>;
}

export async function startImds(initial: ImdsState): Promise<Imds> {
    const state = { ...initial };
    const tokens = new Set<string>();
    const requests: string[] = [];
    const sockets = new Set<net.Socket>();
    const paths = (): Record<string, string> => ({
        "/latest/user-data": state.userData,
        "/latest/meta-data/instance-id": state.instanceId,
        "/latest/meta-data/placement/availability-zone": state.availabilityZone,
        "/latest/meta-data/placement/region": state.availabilityZone.slice(0, -1),
        "/latest/meta-data/iam/security-credentials/": state.roleName,
        [`/latest/meta-data/iam/security-credentials/${state.roleName}`]: JSON.stringify({
            Code: "Success", Type: "AWS-HMAC", LastUpdated: new Date().toISOString(),
            Expiration: new Date(Date.now() + 3600_000).toISOString(), ...state.credentials,
        }),
    });
    const server = http.createServer((request, response) => {
        const answer = (status: number, body: string): void => {
            requests.push(`${request.method} ${request.url} ${status}`);
            setTimeout(() => {
                response.writeHead(status, { "Content-Type": "text/plain" });
                response.end(body);
            }, state.delayMs + Math.random() * state.jitterMs);
        };
        if (state.missing?.includes(request.url ?? "")) return answer(404, "");
        if (request.method === "PUT" && request.url === "/latest/api/token") {
            const ttl = Number(request.headers["x-aws-ec2-metadata-token-ttl-seconds"]);
            if (!(ttl >= 1 && ttl <= 21600)) return answer(400, "");
            const token = randomBytes(24).toString("base64");
            tokens.add(token);
            return answer(200, token);
        }
        if (request.method !== "GET") return answer(405, "");
        if (!tokens.has(String(request.headers["x-aws-ec2-metadata-token"] ?? ""))) return answer(401, "");
        const body = paths()[request.url ?? ""];
        return body === undefined ? answer(404, "") : answer(200, body);
    });
    server.on("connection", (socket) => {
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    return {
        endpoint: `http://127.0.0.1:${port}`,
        state,
        requests,
        close: () => new Promise<void>((resolve) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => resolve());
        }),
    };
}
