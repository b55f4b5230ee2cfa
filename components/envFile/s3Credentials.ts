/**
 * How the `.env` provider's S3 client authenticates: as the stack's AWS
 * provider would, from the resource's access settings (profile, roles to
 * assume: never a secret, they are kept in state) and, for what is secret,
 * from the environment or the stack's `aws:accessKey`/`aws:secretKey` as the
 * engine hands them to the provider at run time (never stored).
 */
import type { S3ClientConfig } from "@aws-sdk/client-s3";

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

/**
 * The stack's configuration as the engine hands it to the provider (`configure`),
 * by full key (`aws:secretKey`, `openvidu:deleteEnvOnDestroy`). Held in memory
 * only: it reaches neither the inputs nor the state.
 */
export const stackConfig: { get?: (key: string) => string | undefined } = {};

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
