/**
 * A local S3-compatible server for the `.env` provider's tests: s3rver,
 * in-process, on a free loopback port, in its own temporary directory.
 * Fast and portable; it ignores conditional writes (see rgw.ts for those).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require("s3rver");

export interface LocalS3 {
    endpoint: string;
    /** Points the provider (and the AWS SDK) at this server; returns a function restoring the environment. */
    useFromEnvironment(): () => void;
    stop(): Promise<void>;
}

const ENV_KEYS = ["AWS_ENDPOINT_URL_S3", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"] as const;

export function pointEnvironmentAt(endpoint: string, accessKey: string, secretKey: string): () => void {
    const saved = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
    Object.assign(process.env, { AWS_ENDPOINT_URL_S3: endpoint, AWS_ACCESS_KEY_ID: accessKey, AWS_SECRET_ACCESS_KEY: secretKey, AWS_REGION: "us-east-1" });
    return () => {
        for (const key of ENV_KEYS) {
            if (saved[key] === undefined) delete process.env[key];
            else process.env[key] = saved[key];
        }
    };
}

export async function startS3rver(buckets: string[]): Promise<LocalS3> {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), "openvidu-s3rver-"));
    const server = new S3rver({
        address: "127.0.0.1",
        port: 0,
        silent: true,
        directory,
        configureBuckets: buckets.map((name) => ({ name })),
    });
    const address = await server.run();
    const endpoint = `http://127.0.0.1:${address.port}`;
    return {
        endpoint,
        useFromEnvironment: () => pointEnvironmentAt(endpoint, "S3RVER", "S3RVER"),
        async stop() {
            await server.close();
            fs.rmSync(directory, { recursive: true, force: true });
        },
    };
}
