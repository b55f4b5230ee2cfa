/**
 * The S3 side of the `.env` provider: read with the ETag, write conditionally,
 * and turn S3's failures into messages that name the object and never a value.
 * A client is built per call from the resource's access settings
 * (s3Credentials.ts: never a secret in state). A test points it at a local
 * server with `AWS_ENDPOINT_URL_S3`.
 * Under faults (s3Faults.ts, s3Integrity.ts): every call is bounded in time, a
 * body is used only once checked against what S3 says of the object, and a
 * write or delete whose outcome is unknown is settled by reading the object.
 */
import type { GetObjectCommandOutput, S3Client } from "@aws-sdk/client-s3";
import { credentialsFor, S3Access } from "./s3Credentials";
import { causeOf, codeOf, isDeadlineExceeded, refusedOutright, S3_TIME_BOUNDS, statusOf, withDeadline } from "./s3Faults";
import { checkBody, md5Base64 } from "./s3Integrity";

export { AssumedRole, credentialsFor, S3Access, stackConfig } from "./s3Credentials";

export interface ObjectAddress {
    bucket: string;
    key: string;
    /** The bucket's region; a redirect to another region is followed. */
    region: string;
    access?: S3Access;
}

export interface LiveObject {
    text: string;
    /** As S3 returned it (quoted). */
    etag: string;
}

/** A write precondition failed: someone else wrote the object since it was read. */
export class WriteConflict extends Error {}

/**
 * True for readObject's error when the credentials in use may not read the object (HTTP 403:
 * e.g. a read-only preview role). A marked Error, not a subclass: in the serialized provider a
 * subclass of Error loses its message.
 */
export function isReadDenied(error: unknown): boolean {
    return (error as { readDenied?: unknown } | undefined)?.readDenied === true;
}

/**
 * The AWS SDK, loaded at call time: the provider is serialized by Pulumi, and a
 * module required inside a function is captured as a `require` call instead of by value.
 */
function sdk(): typeof import("@aws-sdk/client-s3") {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require("@aws-sdk/client-s3");
}

export function s3Client(region: string, access: S3Access = {}): S3Client {
    const { S3Client: Client } = sdk();
    const endpoint = access.endpoint ?? process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
    return new Client({
        region,
        endpoint,
        credentials: credentialsFor(access, region),
        // A bucket in another region answers with a redirect naming its region: follow it.
        followRegionRedirects: true,
        // Local S3-compatible servers address buckets by path.
        forcePathStyle: endpoint !== undefined,
        maxAttempts: S3_TIME_BOUNDS.maxAttempts,
        // Without these a request S3 never answers waits forever (the SDK's defaults are none).
        requestHandler: {
            connectionTimeout: S3_TIME_BOUNDS.connectionMs,
            requestTimeout: S3_TIME_BOUNDS.requestMs,
            throwOnRequestTimeout: true,
            socketTimeout: S3_TIME_BOUNDS.socketIdleMs,
        },
    });
}

/** The object as `s3://bucket/key` (not `describe`: a global of that name, as mocha defines, would hide it from the serialized provider). */
function objectUrl(address: ObjectAddress): string {
    return `s3://${address.bucket}/${address.key}`;
}

const UNREACHABLE = ["ECONNREFUSED", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN"];

/** A clear, value-free message for an S3 failure, with its cause (code, errno, HTTP status) in one line. */
export function s3ErrorMessage(action: string, address: ObjectAddress, error: unknown): string {
    const code = codeOf(error);
    const status = statusOf(error);
    const where = objectUrl(address);
    const message = String((error as { message?: unknown } | undefined)?.message);
    if (isDeadlineExceeded(error)) return `cannot ${action} ${where}: ${message}`;
    if (code === "NoSuchBucket") return `cannot ${action} ${where}: the bucket ${address.bucket} does not exist`;
    if (code === "AccessDenied" || status === 403) {
        return `cannot ${action} ${where}: access denied (the credentials in use need s3:GetObject and s3:PutObject on it)`;
    }
    if (UNREACHABLE.includes(code) || /did not establish a connection/.test(message)) {
        return `cannot ${action} ${where}: S3 is unreachable (${causeOf(error)}); check network access and AWS_ENDPOINT_URL_S3`;
    }
    if (code === "TimeoutError" || code === "ETIMEDOUT") {
        return `cannot ${action} ${where}: S3 did not answer in time (${causeOf(error)}; one request may take ${S3_TIME_BOUNDS.requestMs / 1000} s)`;
    }
    return `cannot ${action} ${where}: ${causeOf(error)}`;
}

/** How many times a body that fails its check (or breaks off) is read again before the read fails. */
export const READ_ATTEMPTS = 3;

/** A read whose body failed its check: a marked Error (see isReadDenied). */
function bodyCheckFailed(why: string): Error {
    return Object.assign(new Error(why), { bodyCheckFailed: true });
}

function isBodyCheckFailed(error: unknown): boolean {
    return (error as { bodyCheckFailed?: unknown } | undefined)?.bodyCheckFailed === true;
}

export async function readObject(address: ObjectAddress): Promise<LiveObject | undefined> {
    try {
        return await withDeadline((signal) => readWhole(address, signal));
    } catch (error) {
        const message = isBodyCheckFailed(error) ? `cannot read ${objectUrl(address)}: ${(error as Error).message}` : s3ErrorMessage("read", address, error);
        if (codeOf(error) === "AccessDenied" || statusOf(error) === 403) throw Object.assign(new Error(message, { cause: error }), { readDenied: true });
        throw new Error(message, { cause: error });
    }
}

/** Reads the object until a body passes its check (s3Integrity.ts); undefined when there is no object. */
async function readWhole(address: ObjectAddress, signal: AbortSignal): Promise<LiveObject | undefined> {
    const { GetObjectCommand } = sdk();
    const client = s3Client(address.region, address.access);
    let failure: unknown;
    for (let attempt = 1; attempt <= READ_ATTEMPTS && !signal.aborted; attempt++) {
        // A damaged body is often a moment's fault (a write still landing on an S3-compatible server): wait a little.
        if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, S3_TIME_BOUNDS.rereadDelayMs * (attempt - 1)));
        let answer: GetObjectCommandOutput;
        try {
            // ChecksumMode: S3 returns the checksum stored with the object, if any.
            answer = await client.send(new GetObjectCommand({ Bucket: address.bucket, Key: address.key, ChecksumMode: "ENABLED" }), { abortSignal: signal });
        } catch (error) {
            if (codeOf(error) === "NoSuchKey") return undefined;
            throw error;
        }
        let bytes: Uint8Array;
        try {
            bytes = await answer.Body!.transformToByteArray();
        } catch (error) {
            // Broken off mid-way, or the SDK's own checksum check failed: read it again.
            failure = error;
            continue;
        }
        const check = checkBody(bytes, answer);
        if (check.verdict === "whole" || (check.verdict === "unproven" && await confirmedByHead(client, address, answer.ETag, bytes.length, signal))) {
            return { text: Buffer.from(bytes).toString("utf8"), etag: answer.ETag ?? "" };
        }
        failure = bodyCheckFailed(check.verdict === "damaged" ? check.why : "length not confirmed by HEAD");
    }
    if (isBodyCheckFailed(failure)) {
        throw bodyCheckFailed(`the body S3 sent was not the whole object in ${READ_ATTEMPTS} reads (${(failure as Error).message}); nothing was used`);
    }
    throw failure ?? signal.reason;
}

/** Neither an MD5 ETag nor a checksum: S3's HEAD must give the same ETag and this length. */
async function confirmedByHead(client: S3Client, address: ObjectAddress, etag: string | undefined, length: number, signal: AbortSignal): Promise<boolean> {
    const { HeadObjectCommand } = sdk();
    const head = await client.send(new HeadObjectCommand({ Bucket: address.bucket, Key: address.key }), { abortSignal: signal });
    return head.ETag === etag && head.ContentLength === length;
}

export type WriteCondition = { ifNoneMatch: true } | { ifMatch: string };

/** S3 refused the write's condition (412), or is completing a concurrent conditional write (409). */
function isConflict(error: unknown): boolean {
    const code = codeOf(error);
    const status = statusOf(error);
    return code === "PreconditionFailed" || status === 412 || code === "ConditionalRequestConflict" || status === 409;
}

/** Requests the SDK sent for the call (its retries included). */
function attemptsOf(error: unknown): number {
    return (error as { $metadata?: { attempts?: number } } | undefined)?.$metadata?.attempts ?? 1;
}

/**
 * Writes the object only if the condition holds (a failed condition is a
 * WriteConflict); returns the new ETag. No encryption header: the bucket's
 * default encryption applies (SSE-S3 on a bucket this program creates, and
 * whatever an adopted bucket enforces, SSE-KMS included). When the outcome is
 * unknown (a lost response, a retry that met our own write as a 412, a
 * timeout), the object's state decides: it holds exactly this text, or not.
 */
export async function writeObject(address: ObjectAddress, text: string, condition: WriteCondition): Promise<string> {
    try {
        return await withDeadline((signal) => putObject(address, text, condition, signal));
    } catch (error) {
        if (refusedOutright(error)) throw new Error(s3ErrorMessage("write", address, error), { cause: error });
        // A first request refused on its condition was not applied: there is nothing to settle.
        if (isConflict(error) && "ifNoneMatch" in condition && attemptsOf(error) === 1) throw new WriteConflict(`${objectUrl(address)} changed while it was being written`);
        return await settleWrite(address, text, condition, error);
    }
}

/** The object read back after a write or delete whose outcome is unknown; if that fails too, the change may have been applied. */
async function readBack(address: ObjectAddress, action: "write" | "delete", error: unknown): Promise<LiveObject | undefined> {
    try {
        return await readObject(address);
    } catch (readError) {
        const why = causeOf((readError as { cause?: unknown }).cause ?? readError);
        throw new Error(`${s3ErrorMessage(action, address, error)}; the ${action} may have been applied (reading the object back failed too: ${why})`, { cause: readError });
    }
}

async function settleWrite(address: ObjectAddress, text: string, condition: WriteCondition, error: unknown): Promise<string> {
    const current = await readBack(address, "write", error);
    // Our write landed (its response was lost, or a retry of it met it as a 412).
    if (current?.text === text) return current.etag;
    const unquoted = "ifMatch" in condition ? condition.ifMatch.replace(/^"|"$/g, "") : "";
    const unchanged = "ifMatch" in condition ? current?.etag === condition.ifMatch || current?.etag === unquoted : current === undefined;
    if (isConflict(error)) {
        // Some S3-compatible servers (Ceph RGW 16) compare If-Match without the quotes S3 puts
        // around ETags. When the object is still the version we read, say it their way once.
        if ("ifMatch" in condition && unchanged && unquoted !== condition.ifMatch) return await writeObject(address, text, { ifMatch: unquoted });
        throw new WriteConflict(`${objectUrl(address)} changed while it was being written`);
    }
    // Not ours: another writer came in between (start over from its version), or nothing landed.
    if (!unchanged) throw new WriteConflict(`${objectUrl(address)} changed while it was being written`);
    throw new Error(`${s3ErrorMessage("write", address, error)}; the write was not applied (the object was unchanged when read back)`, { cause: error });
}

async function putObject(address: ObjectAddress, text: string, condition: WriteCondition, signal: AbortSignal): Promise<string> {
    const { PutObjectCommand } = sdk();
    const body = Buffer.from(text, "utf8");
    const answer = await s3Client(address.region, address.access).send(new PutObjectCommand({
        Bucket: address.bucket,
        Key: address.key,
        Body: body,
        ContentType: "text/plain; charset=utf-8",
        // S3 refuses a body that does not match, and keeps the SHA-256 so every read can check the whole object.
        ContentMD5: md5Base64(body),
        ChecksumAlgorithm: "SHA256",
        ...("ifNoneMatch" in condition ? { IfNoneMatch: "*" } : { IfMatch: condition.ifMatch }),
    }), { abortSignal: signal });
    return answer.ETag ?? "";
}

/** Deletes the object; when the outcome is unknown, it is deleted if it is gone. */
export async function deleteObject(address: ObjectAddress): Promise<void> {
    const { DeleteObjectCommand } = sdk();
    try {
        await withDeadline((signal) => s3Client(address.region, address.access).send(new DeleteObjectCommand({ Bucket: address.bucket, Key: address.key }), { abortSignal: signal }));
    } catch (error) {
        if (codeOf(error) === "NoSuchBucket") return;
        if (refusedOutright(error)) throw new Error(s3ErrorMessage("delete", address, error), { cause: error });
        const current = await readBack(address, "delete", error);
        if (current !== undefined) throw new Error(`${s3ErrorMessage("delete", address, error)}; the object is still there`, { cause: error });
    }
}
