import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Transform } from "./transform";

export interface ClusterStorageArgs {
    /** Prefix of the created bucket's name (`<clusterId>-`); S3 adds a unique suffix. */
    bucketPrefix: string;
    /**
     * An existing bucket to adopt: it is looked up, never created or modified.
     * @default undefined (a bucket is created and retained on destroy)
     */
    existingBucketName?: string;
    /** Adjust the created bucket's resources. */
    transform?: {
        bucket?: Transform<aws.s3.BucketArgs>;
    };
}

/**
 * The cluster's S3 bucket: the shared `.env` at its root and recordings under
 * `recordings/`. A created bucket is customer data and survives `pulumi destroy`.
 * STUB: being implemented (issue 3).
 */
export class ClusterStorage extends pulumi.ComponentResource {
    readonly bucketName: pulumi.Output<string>;
    readonly bucketArn: pulumi.Output<string>;

    constructor(name: string, args: ClusterStorageArgs, opts?: pulumi.ComponentResourceOptions) {
        super("openvidu:aws:ClusterStorage", name, {}, opts);
        this.bucketName = pulumi.output(args.existingBucketName ?? `${args.bucketPrefix}stub`);
        this.bucketArn = pulumi.interpolate`arn:aws:s3:::${this.bucketName}`;
        this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn });
    }
}
