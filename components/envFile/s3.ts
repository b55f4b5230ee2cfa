/**
 * The S3 side of the `.env` provider: read with the ETag, write conditionally,
 * and turn S3's failures into messages that name the object and never a value.
 * A client is built per call from the environment (credentials, region,
 * `AWS_ENDPOINT_URL_S3`/`AWS_ENDPOINT_URL`), so nothing about access is kept
 * in the serialized provider, and a test can point it at a local server.
 */
import type { S3Client } from "@aws-sdk/client-s3";

export interface ObjectAddress {
    bucket: string;
    key: string;
    region: string;
}

export interface LiveObject {
    text: string;
    /** As S3 returned it (quoted). */
    etag: string;
}

/** A write precondition failed: someone else wrote the object since it was read. */
export class WriteConflict extends Error {}

/**
 * The AWS SDK, loaded at call time: the provider is serialized by Pulumi, and a
 * module required inside a function is captured as a `require` call instead of by value.
 */
function sdk(): typeof import("@aws-sdk/client-s3") {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require("@aws-sdk/client-s3");
}

export function s3Client(region: string): S3Client {
    const { S3Client: Client } = sdk();
    const endpoint = process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
    return new Client({
        region,
        endpoint,
        // Local S3-compatible servers address buckets by path.
        forcePathStyle: endpoint !== undefined,
        maxAttempts: 3,
    });
}

function describe(address: ObjectAddress): string {
    return `s3://${address.bucket}/${address.key}`;
}

/** A clear, value-free message for an S3 failure. */
export function s3ErrorMessage(action: string, address: ObjectAddress, error: unknown): string {
    const e = error as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number }; code?: string; message?: string };
    const name = e.name ?? e.Code ?? e.code ?? "";
    const status = e.$metadata?.httpStatusCode;
    const where = describe(address);
    if (name === "NoSuchBucket") return `cannot ${action} ${where}: the bucket ${address.bucket} does not exist`;
    if (name === "AccessDenied" || status === 403) {
        return `cannot ${action} ${where}: access denied (the credentials in use need s3:GetObject and s3:PutObject on it)`;
    }
    if (["ECONNREFUSED", "ENOTFOUND", "ETIMEDOUT", "EAI_AGAIN", "TimeoutError"].includes(name) || /ECONNREFUSED|ENOTFOUND|ETIMEDOUT|getaddrinfo/.test(String(e.message))) {
        return `cannot ${action} ${where}: S3 is unreachable (${name || "network error"}); check network access and AWS_ENDPOINT_URL_S3`;
    }
    return `cannot ${action} ${where}: ${name || "error"}${status ? ` (HTTP ${status})` : ""}`;
}

export async function readObject(address: ObjectAddress): Promise<LiveObject | undefined> {
    const { GetObjectCommand } = sdk();
    try {
        const answer = await s3Client(address.region).send(new GetObjectCommand({ Bucket: address.bucket, Key: address.key }));
        return { text: await answer.Body!.transformToString("utf8"), etag: answer.ETag ?? "" };
    } catch (error) {
        const name = (error as { name?: string }).name;
        if (name === "NoSuchKey") return undefined;
        throw new Error(s3ErrorMessage("read", address, error), { cause: error });
    }
}

export type WriteCondition = { ifNoneMatch: true } | { ifMatch: string };

/** Writes the object, encrypted, only if the condition holds; a failed condition is a WriteConflict. */
export async function writeObject(address: ObjectAddress, text: string, condition: WriteCondition): Promise<string> {
    try {
        return await putObject(address, text, condition);
    } catch (error) {
        if (!(error instanceof WriteConflict) || !("ifMatch" in condition)) throw error;
        // Some S3-compatible servers (Ceph RGW 16) compare If-Match without the quotes S3 puts
        // around ETags. When the object is still the version we read, say it their way once.
        const current = await readObject(address);
        const unquoted = condition.ifMatch.replace(/^"|"$/g, "");
        if (current?.etag !== condition.ifMatch || unquoted === condition.ifMatch) throw error;
        return await putObject(address, text, { ifMatch: unquoted });
    }
}

async function putObject(address: ObjectAddress, text: string, condition: WriteCondition): Promise<string> {
    const { PutObjectCommand } = sdk();
    try {
        const answer = await s3Client(address.region).send(new PutObjectCommand({
            Bucket: address.bucket,
            Key: address.key,
            Body: text,
            ContentType: "text/plain; charset=utf-8",
            ServerSideEncryption: "AES256",
            ...("ifNoneMatch" in condition ? { IfNoneMatch: "*" } : { IfMatch: condition.ifMatch }),
        }));
        return answer.ETag ?? "";
    } catch (error) {
        const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
        // 412: the condition failed; 409: S3 is completing a concurrent conditional write.
        if (e.name === "PreconditionFailed" || e.$metadata?.httpStatusCode === 412 || e.name === "ConditionalRequestConflict" || e.$metadata?.httpStatusCode === 409) {
            throw new WriteConflict(`${describe(address)} changed while it was being written`);
        }
        throw new Error(s3ErrorMessage("write", address, error), { cause: error });
    }
}

export async function deleteObject(address: ObjectAddress): Promise<void> {
    const { DeleteObjectCommand } = sdk();
    try {
        await s3Client(address.region).send(new DeleteObjectCommand({ Bucket: address.bucket, Key: address.key }));
    } catch (error) {
        if ((error as { name?: string }).name === "NoSuchBucket") return;
        throw new Error(s3ErrorMessage("delete", address, error), { cause: error });
    }
}
