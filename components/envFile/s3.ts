/**
 * The S3 side of the `.env` provider: read with the ETag, write conditionally,
 * and turn S3's failures into messages that name the object and never a value.
 * A client is built per call from the resource's access settings (profile,
 * roles to assume: never a secret, they are kept in state) and, for what is
 * secret, from the environment or the stack's `aws:accessKey`/`aws:secretKey`
 * as the engine hands them to the provider at run time (never stored). A test
 * points it at a local server with `AWS_ENDPOINT_URL_S3`.
 */
import type { S3Client, S3ClientConfig } from "@aws-sdk/client-s3";

/** How the S3 client authenticates, as the AWS provider would (`aws:*` stack config); nothing secret. */
export interface S3Access {
    /** `aws:profile`: a profile of the shared config and credentials files. */
    profile?: string;
    /** `aws:sharedCredentialsFiles` / `aws:sharedConfigFiles`: one file each (the SDK reads one). */
    sharedCredentialsFile?: string;
    sharedConfigFile?: string;
    /** `aws:assumeRoles`: roles assumed in turn, each with the credentials of the one before. */
    assumeRoles?: AssumedRole[];
    /** `aws:endpoints[].s3`: a custom S3 endpoint. */
    endpoint?: string;
}

/** One role of `aws:assumeRoles`, as STS AssumeRole takes it. */
export interface AssumedRole {
    roleArn: string;
    sessionName?: string;
    externalId?: string;
    durationSeconds?: number;
    policy?: string;
    policyArns?: string[];
    sourceIdentity?: string;
    tags?: Record<string, string>;
    transitiveTagKeys?: string[];
}

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
 * The stack's configuration as the engine hands it to the provider (`configure`),
 * by full key (`aws:secretKey`, `openvidu:deleteEnvOnDestroy`). Held in memory
 * only: it reaches neither the inputs nor the state.
 */
export const stackConfig: { get?: (key: string) => string | undefined } = {};

/**
 * The AWS SDK, loaded at call time: the provider is serialized by Pulumi, and a
 * module required inside a function is captured as a `require` call instead of by value.
 */
function sdk(): typeof import("@aws-sdk/client-s3") {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require("@aws-sdk/client-s3");
}

function credentialSdk(): typeof import("@aws-sdk/credential-providers") {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require("@aws-sdk/credential-providers");
}

type Credentials = NonNullable<S3ClientConfig["credentials"]>;
type StaticCredentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

/** Static keys from the stack config (`aws:accessKey`/`aws:secretKey`/`aws:token`), when set there. */
function stackKeys(): StaticCredentials | undefined {
    const accessKeyId = stackConfig.get?.("aws:accessKey");
    const secretAccessKey = stackConfig.get?.("aws:secretKey");
    if (!accessKeyId || !secretAccessKey) return undefined;
    return { accessKeyId, secretAccessKey, sessionToken: stackConfig.get?.("aws:token") || undefined };
}

/** The credentials the AWS provider would use; undefined leaves the SDK's default chain (environment, instance role...). */
export function credentialsFor(access: S3Access, region: string): Credentials | undefined {
    const { fromIni, fromTemporaryCredentials } = credentialSdk();
    let credentials: Credentials | undefined = stackKeys();
    if (access.profile || access.sharedCredentialsFile || access.sharedConfigFile) {
        credentials = fromIni({ profile: access.profile, filepath: access.sharedCredentialsFile, configFilepath: access.sharedConfigFile });
    }
    for (const role of access.assumeRoles ?? []) {
        credentials = fromTemporaryCredentials({
            masterCredentials: credentials,
            params: {
                RoleArn: role.roleArn,
                RoleSessionName: role.sessionName ?? "openvidu-env-file",
                ExternalId: role.externalId,
                DurationSeconds: role.durationSeconds,
                Policy: role.policy,
                PolicyArns: role.policyArns?.map((arn) => ({ arn })),
                SourceIdentity: role.sourceIdentity,
                Tags: role.tags && Object.entries(role.tags).map(([Key, Value]) => ({ Key, Value })),
                TransitiveTagKeys: role.transitiveTagKeys,
            },
            clientConfig: { region },
        });
    }
    return credentials;
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
        maxAttempts: 3,
    });
}

/** The object as `s3://bucket/key` (not `describe`: a global of that name, as mocha defines, would hide it from the serialized provider). */
function objectUrl(address: ObjectAddress): string {
    return `s3://${address.bucket}/${address.key}`;
}

/** A clear, value-free message for an S3 failure. */
export function s3ErrorMessage(action: string, address: ObjectAddress, error: unknown): string {
    const e = error as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number }; code?: string; message?: string };
    const name = e.name ?? e.Code ?? e.code ?? "";
    const status = e.$metadata?.httpStatusCode;
    const where = objectUrl(address);
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
        const answer = await s3Client(address.region, address.access).send(new GetObjectCommand({ Bucket: address.bucket, Key: address.key }));
        return { text: await answer.Body!.transformToString("utf8"), etag: answer.ETag ?? "" };
    } catch (error) {
        const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
        if (e.name === "NoSuchKey") return undefined;
        const message = s3ErrorMessage("read", address, error);
        if (e.name === "AccessDenied" || e.$metadata?.httpStatusCode === 403) throw Object.assign(new Error(message, { cause: error }), { readDenied: true });
        throw new Error(message, { cause: error });
    }
}

export type WriteCondition = { ifNoneMatch: true } | { ifMatch: string };

/**
 * Writes the object only if the condition holds (a failed condition is a
 * WriteConflict); returns the new ETag. No encryption header: the bucket's
 * default encryption applies (SSE-S3 on a bucket this program creates, and
 * whatever an adopted bucket enforces, SSE-KMS included).
 */
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
        const answer = await s3Client(address.region, address.access).send(new PutObjectCommand({
            Bucket: address.bucket,
            Key: address.key,
            Body: text,
            ContentType: "text/plain; charset=utf-8",
            ...("ifNoneMatch" in condition ? { IfNoneMatch: "*" } : { IfMatch: condition.ifMatch }),
        }));
        return answer.ETag ?? "";
    } catch (error) {
        const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
        // 412: the condition failed; 409: S3 is completing a concurrent conditional write.
        if (e.name === "PreconditionFailed" || e.$metadata?.httpStatusCode === 412 || e.name === "ConditionalRequestConflict" || e.$metadata?.httpStatusCode === 409) {
            throw new WriteConflict(`${objectUrl(address)} changed while it was being written`);
        }
        throw new Error(s3ErrorMessage("write", address, error), { cause: error });
    }
}

export async function deleteObject(address: ObjectAddress): Promise<void> {
    const { DeleteObjectCommand } = sdk();
    try {
        await s3Client(address.region, address.access).send(new DeleteObjectCommand({ Bucket: address.bucket, Key: address.key }));
    } catch (error) {
        if ((error as { name?: string }).name === "NoSuchBucket") return;
        throw new Error(s3ErrorMessage("delete", address, error), { cause: error });
    }
}
