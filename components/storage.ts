import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../config/errors";
import { applyTransform, Transform } from "./transform";

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
    /** Adjust the created bucket's resources. */
    transform?: {
        bucket?: Transform<aws.s3.BucketArgs>;
    };
}

/**
 * The cluster's S3 bucket: the shared `.env` at its root and recordings under
 * `recordings/`. A created bucket is customer data: it and every guard on it
 * (encryption, versioning, ownership, public-access block, TLS-only policy)
 * are `retainOnDelete`, so neither `pulumi destroy` nor a replacement deletes
 * or weakens it. `protect` is not used: it would make `pulumi destroy` of the
 * whole stack fail.
 *
 * @example
 * const storage = new ClusterStorage("openvidu-storage", { bucketPrefix: "acme-", region: "eu-west-1" });
 */
export class ClusterStorage extends pulumi.ComponentResource {
    readonly bucketName: pulumi.Output<string>;
    readonly bucketArn: pulumi.Output<string>;

    constructor(name: string, args: ClusterStorageArgs, opts?: pulumi.ComponentResourceOptions) {
        super("openvidu:aws:ClusterStorage", name, {}, opts);
        if (args.existingBucketName !== undefined) {
            const existing = aws.s3.getBucketOutput({ bucket: args.existingBucketName }, { parent: this });
            // With @pulumi/aws v7, `region` is where the lookup ran (the provider's region);
            // `bucketRegion` is where the bucket lives.
            this.bucketName = pulumi.all([existing.bucket, existing.bucketRegion]).apply(([bucket, region]) => {
                if (region !== args.region) {
                    throw new ConfigError([{
                        key: "openvidu:bucketName",
                        message: `bucket ${bucket} is in ${region}; it must be in the stack's region ${args.region}`,
                    }]);
                }
                return bucket;
            });
            this.bucketArn = existing.arn;
        } else {
            const bucket = this.createBucket(name, args);
            this.bucketName = bucket.bucket;
            this.bucketArn = bucket.arn;
        }
        this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn });
    }

    private createBucket(name: string, args: ClusterStorageArgs): aws.s3.Bucket {
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
        new aws.s3.BucketPolicy(`${name}-tls-only`, {
            bucket: bucket.id,
            policy: bucket.arn.apply(tlsOnlyPolicy),
        }, { ...retained, dependsOn: [publicAccess] });
        return bucket;
    }
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
