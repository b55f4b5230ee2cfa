import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../config/errors";
import { BucketLifecycleSettings } from "../config/types";
import { applyTransform, Transform } from "./transform";

/** The shared configuration's object key, at the bucket's root (the AMI's boot job reads it there). */
export const ENV_OBJECT_KEY = ".env";

/**
 * What a read-only principal of the `.env` keeps: a GET or HEAD of the current
 * object (both authorized as s3:GetObject; the `.env` provider reads only
 * that), and of a given version (s3:GetObjectVersion), to see what a key held
 * before a run-time change. Nothing that writes, deletes, tags or changes ACLs.
 */
export const ENV_READ_ACTIONS = ["s3:GetObject", "s3:GetObjectVersion"] as const;

/** The bucket's lifecycle facts that are not configuration. */
export const BUCKET_LIFECYCLE = {
    /** A multipart upload (a large recording) left unfinished this long is aborted and its parts freed. */
    abortIncompleteMultipartUploadDays: 7,
    recordingsPrefix: "recordings/",
} as const;

export interface ClusterStorageArgs {
    /** Prefix of the created bucket's name (`<clusterId>-`); S3 adds a unique suffix. */
    bucketPrefix: string;
    /**
     * An existing bucket to adopt: it is looked up, never created or modified.
     * @default undefined (a bucket is created and retained on destroy)
     * @example "acme-openvidu-recordings"
     */
    existingBucketName?: string;
    /** The stack's region: an adopted bucket must be there (the masters address it by region). */
    region: string;
    /**
     * The only principals (IAM role or user ARNs, as `aws:PrincipalArn` gives them) that may
     * read or write the `.env`: the masters' role and the deployer. Everyone else (but the
     * read-only `envReaderArns`) is denied by the created bucket's policy, whatever their IAM
     * policies allow.
     */
    envPrincipalArns: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * Principals that may read the `.env` and nothing more (role or user ARNs). One that is
     * also in `envPrincipalArns` keeps its write access.
     * @default [] (the policy is exactly the one without readers)
     * @example ["arn:aws:iam::123456789012:role/openvidu-preview"]
     */
    envReaderArns?: pulumi.Input<pulumi.Input<string>[]>;
    /** Noncurrent-version expiry and the recordings' storage class (created bucket only). */
    lifecycle: BucketLifecycleSettings;
    /** Adjust the created bucket's resources. */
    transform?: {
        bucket?: Transform<aws.s3.BucketArgs>;
    };
}

/**
 * The cluster's S3 bucket: the shared `.env` at its root and recordings under
 * `recordings/`. A created bucket is customer data: it and every guard on it
 * (encryption, versioning, ownership, public-access block, the policy that
 * enforces TLS and keeps the `.env` to the masters and the deployer, and any
 * configured readers to reading it, the lifecycle) are `retainOnDelete`, so neither `pulumi destroy` nor a
 * replacement deletes or weakens it. `protect` is not used: it would make
 * `pulumi destroy` of the whole stack fail.
 *
 * An adopted bucket is never modified: S3 keeps one policy and one lifecycle
 * configuration per bucket, and writing ours would replace the owner's
 * (docs/iam.md gives the `.env` statement to add by hand).
 *
 * @example
 * const storage = new ClusterStorage("openvidu-storage", { bucketPrefix: "acme-", region: "eu-west-1" });
 */
export class ClusterStorage extends pulumi.ComponentResource {
    readonly bucketName: pulumi.Output<string>;
    readonly bucketArn: pulumi.Output<string>;
    /**
     * The created bucket's policy (TLS only, `.env` restricted); undefined for an adopted bucket.
     * The `.env`'s writer depends on it, so a changed deployer is allowed before it writes.
     */
    readonly policy?: aws.s3.BucketPolicy;

    constructor(name: string, args: ClusterStorageArgs, opts?: pulumi.ComponentResourceOptions) {
        super("openvidu:aws:ClusterStorage", name, {}, opts);
        if (args.existingBucketName !== undefined) {
            const existing = aws.s3.getBucketOutput({ bucket: args.existingBucketName }, { parent: this });
            // With @pulumi/aws v7, `region` is where the lookup ran (the provider's region);
            // `bucketRegion` is where the bucket lives.
            this.bucketName = pulumi.all([existing.bucket, existing.bucketRegion]).apply(([bucket, region]) => {
                const problem = bucketRegionProblem(bucket, region, args.region);
                if (problem) throw problem;
                return bucket;
            });
            this.bucketArn = existing.arn;
            // After the region check: a bucket that cannot be used needs no advice.
            this.warnUnprotectedEnv(pulumi.all([this.bucketName, existing.arn]).apply(([, arn]) => arn), args);
        } else {
            const { bucket, policy } = this.createBucket(name, args);
            this.bucketName = bucket.bucket;
            this.bucketArn = bucket.arn;
            this.policy = policy;
        }
        this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn });
    }

    /**
     * An adopted bucket keeps its owner's policy (S3 has one per bucket; ours would replace it),
     * so the `.env` stays readable by whoever the owner's policies allow: say so, with the
     * statement to add by hand.
     */
    private warnUnprotectedEnv(bucketArn: pulumi.Output<string>, args: ClusterStorageArgs): void {
        pulumi.all([bucketArn, pulumi.output(args.envPrincipalArns), pulumi.output(args.envReaderArns ?? [])]).apply(([arn, writers, readers]) => {
            const statements = envStatements(arn, writers, readers);
            pulumi.log.warn(`the adopted bucket's policy is not managed here, so any principal allowed s3:GetObject on ` +
                `${arn}/* can read the .env and its secrets. Add ${statements.length === 1 ? "this statement" : "these statements"} ` +
                `to the bucket's policy (docs/iam.md, "An adopted bucket"): ${statements.map((st) => JSON.stringify(st)).join(" ")}`, this);
        });
    }

    private createBucket(name: string, args: ClusterStorageArgs): { bucket: aws.s3.Bucket; policy: aws.s3.BucketPolicy } {
        const retained = { parent: this, retainOnDelete: true };
        const bucket = new aws.s3.Bucket(...applyTransform(args.transform?.bucket, `${name}-bucket`, {
            bucketPrefix: args.bucketPrefix,
            // Never let a destroy empty it: recordings and configuration are customer data.
            forceDestroy: false,
            tags: { Name: `${args.bucketPrefix}openvidu` },
        }, retained));
        const guarded = { ...retained, dependsOn: [bucket] };
        new aws.s3.BucketOwnershipControls(`${name}-ownership`, {
            bucket: bucket.id,
            rule: { objectOwnership: "BucketOwnerEnforced" },
        }, guarded);
        const publicAccess = new aws.s3.BucketPublicAccessBlock(`${name}-public-access`, {
            bucket: bucket.id,
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        }, guarded);
        new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-encryption`, {
            bucket: bucket.id,
            rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }],
        }, guarded);
        // A clobbered `.env` or a deleted recording can be restored from an earlier version.
        new aws.s3.BucketVersioning(`${name}-versioning`, {
            bucket: bucket.id,
            versioningConfiguration: { status: "Enabled" },
        }, guarded);
        // Old versions of a deleted recording (or of the .env) stop being billed after N days.
        new aws.s3.BucketLifecycleConfiguration(`${name}-lifecycle`, {
            bucket: bucket.id,
            rules: lifecycleRules(args.lifecycle),
        }, guarded);
        // The resource keeps its first name (…-tls-only) so existing stacks update it in place.
        const policy = new aws.s3.BucketPolicy(`${name}-tls-only`, {
            bucket: bucket.id,
            // Resolved together, so a reader that is also the deployer (an Output) is seen as a writer.
            policy: pulumi.all([bucket.arn, pulumi.output(args.envPrincipalArns), pulumi.output(args.envReaderArns ?? [])])
                .apply(([arn, writers, readers]) => bucketPolicy(arn, writers, readers)),
        }, { ...retained, dependsOn: [publicAccess] });
        return { bucket, policy };
    }
}

/**
 * The created bucket's policy: TLS only, and the `.env` kept to the given
 * writers, plus readers that may only read it. Without readers it is exactly
 * the policy this program wrote before readers existed (no diff on update).
 */
export function bucketPolicy(bucketArn: string, envWriterArns: string[], envReaderArns: string[] = []): string {
    const document = JSON.parse(tlsOnlyPolicy(bucketArn));
    document.Statement.push(...envStatements(bucketArn, envWriterArns, envReaderArns));
    return JSON.stringify(document);
}

/**
 * The `.env`'s statements: everyone but the writers and readers is denied
 * everything on it; the readers are denied everything but reading it. A reader
 * that is also a writer is left a writer: the read-only statement would take
 * away the deployer's (or the masters') writes.
 */
export function envStatements(bucketArn: string, writerArns: string[], readerArns: string[]): Array<Record<string, unknown>> {
    const writers = new Set(writerArns);
    const readers = [...new Set(readerArns)].filter((arn) => !writers.has(arn));
    const statements = [envAccessStatement(bucketArn, [...writerArns, ...readers])];
    if (readers.length > 0) statements.push(envReadOnlyStatement(bucketArn, readers));
    return statements;
}

/**
 * Denies every S3 action on the `.env` object (every version of it) to every
 * principal except `principalArns`. An explicit Deny in the bucket policy beats
 * any Allow in an identity policy (AWS's ReadOnlyAccess, `s3:*` for an
 * analyst), and a negated condition also matches anonymous requests, which
 * carry no `aws:PrincipalArn`. `aws:PrincipalArn` of a role session is the
 * role's ARN, so the masters' instances and an assumed deploy role match.
 * Bucket-level actions (the policy itself) are untouched: an administrator or
 * the account's root user can always correct the list (docs/iam.md).
 */
export function envAccessStatement(bucketArn: string, principalArns: string[]): Record<string, unknown> {
    const allowed = [...new Set(principalArns)];
    if (allowed.length === 0) throw new Error("the .env needs at least one principal that may read it");
    return {
        Sid: "EnvOnlyMastersAndDeployer",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: `${bucketArn}/${ENV_OBJECT_KEY}`,
        Condition: { ArnNotEquals: { "aws:PrincipalArn": allowed } },
    };
}

/**
 * Denies the given principals every action on the `.env` but reading it
 * (ENV_READ_ACTIONS). A Deny with NotAction grants nothing: a reader still needs
 * an identity policy allowing s3:GetObject on the object (docs/iam.md).
 */
export function envReadOnlyStatement(bucketArn: string, readerArns: string[]): Record<string, unknown> {
    return {
        Sid: "EnvReadersReadOnly",
        Effect: "Deny",
        Principal: "*",
        NotAction: [...ENV_READ_ACTIONS],
        Resource: `${bucketArn}/${ENV_OBJECT_KEY}`,
        Condition: { ArnEquals: { "aws:PrincipalArn": readerArns } },
    };
}

/**
 * The bucket's lifecycle rules: noncurrent versions expire, unfinished
 * multipart uploads are aborted and orphaned delete markers removed, for the
 * whole bucket; recordings optionally move to a cheaper class that still
 * serves a GET at once.
 */
export function lifecycleRules(settings: BucketLifecycleSettings): aws.types.input.s3.BucketLifecycleConfigurationRule[] {
    const rules: aws.types.input.s3.BucketLifecycleConfigurationRule[] = [{
        id: "expire-noncurrent-versions",
        status: "Enabled",
        // An explicit empty prefix: the whole bucket (an empty filter block draws a provider warning).
        filter: { prefix: "" },
        noncurrentVersionExpiration: { noncurrentDays: settings.noncurrentVersionExpirationDays },
        abortIncompleteMultipartUpload: { daysAfterInitiation: BUCKET_LIFECYCLE.abortIncompleteMultipartUploadDays },
        // Once its noncurrent versions are gone, a deleted object's delete marker is removed too.
        expiration: { expiredObjectDeleteMarker: true },
    }];
    if (settings.recordingsStorageClass !== "STANDARD") {
        rules.push({
            id: "recordings-storage-class",
            status: "Enabled",
            filter: { prefix: BUCKET_LIFECYCLE.recordingsPrefix },
            transitions: [{ days: settings.recordingsTransitionDays, storageClass: settings.recordingsStorageClass }],
        });
    }
    return rules;
}

/** Denies every request that does not use TLS (AWS FSBP S3.5). */
export function tlsOnlyPolicy(bucketArn: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [{
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: [bucketArn, `${bucketArn}/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
        }],
    });
}

/** What is wrong with adopting a bucket in `bucketRegion` for a stack in `stackRegion`: a ConfigError, or nothing. */
export function bucketRegionProblem(bucket: string, bucketRegion: string, stackRegion: string): ConfigError | undefined {
    if (bucketRegion === stackRegion) return undefined;
    return new ConfigError([{
        key: "openvidu:bucketName",
        message: `bucket ${bucket} is in ${bucketRegion}; it must be in the stack's region ${stackRegion}`,
    }]);
}

/** The adopted bucket's region, looked up before any resource exists (program.ts's preflight). */
export async function checkBucketRegion(bucketName: string, stackRegion: string): Promise<void> {
    const found = await aws.s3.getBucket({ bucket: bucketName });
    const problem = bucketRegionProblem(found.bucket, found.bucketRegion, stackRegion);
    if (problem) throw problem;
}
