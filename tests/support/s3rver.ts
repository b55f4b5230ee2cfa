/**
 * A local S3-compatible server for the `.env` provider's tests: s3rver,
 * in-process, on a free loopback port, in its own temporary directory.
 * Fast and portable; it ignores conditional writes (see rgw.ts for those).
 */
import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { s3Client } from "../../components/envFile/s3";
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

/**
 * For a mocha `describe`: s3rver with `buckets`, started before the block's
 * tests with the environment pointed at it (as the provider finds S3), and
 * stopped, the environment restored, after them. Returns the server, available
 * from the block's own `before` hooks on.
 */
export function s3rverForSuite(buckets: string[]): () => LocalS3 {
    let s3: LocalS3 | undefined;
    let restore: (() => void) | undefined;
    before(async () => {
        s3 = await startS3rver(buckets);
        restore = s3.useFromEnvironment();
    });
    after(async () => {
        restore?.();
        await s3?.stop();
    });
    return () => {
        if (!s3) throw new Error("s3rverForSuite's server is available from the block's before hooks on");
        return s3;
    };
}

/** An object's text on the S3 the environment points at, or undefined when there is none. */
export async function readText(bucket: string, key = ".env"): Promise<string | undefined> {
    try {
        const answer = await s3Client("us-east-1").send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return await answer.Body!.transformToString();
    } catch (error) {
        if ((error as { name?: string }).name === "NoSuchKey") return undefined;
        throw error;
    }
}

/** Writes an object's text on the S3 the environment points at (as an operator would). */
export async function writeText(bucket: string, text: string, key = ".env"): Promise<void> {
    await s3Client("us-east-1").send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: text }));
}
