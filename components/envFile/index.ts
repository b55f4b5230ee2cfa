import * as pulumi from "@pulumi/pulumi";

export interface EnvFileArgs {
    /** The bucket holding the `.env` at its root. */
    bucket: pulumi.Input<string>;
    region: string;
    /** Object key. @default ".env" */
    key?: string;
    /** The keys this program manages and their desired values (secrets as Pulumi secrets). */
    values: Record<string, pulumi.Input<string>>;
    /** Delete the object on destroy. @default false (it stays in the retained bucket) */
    deleteOnDestroy?: boolean;
}

/**
 * The cluster's shared `.env` in S3, seeded and co-owned with the running cluster.
 * STUB: being implemented (issue 4).
 */
export class EnvFile extends pulumi.ComponentResource {
    constructor(name: string, _args: EnvFileArgs, opts?: pulumi.ComponentResourceOptions) {
        super("openvidu:aws:EnvFileStub", name, {}, opts);
        this.registerOutputs({});
    }
}
