import * as pulumi from "@pulumi/pulumi";
import { envFileProvider } from "./provider";

export interface EnvFileArgs {
    /** The bucket holding the `.env` at its root. */
    bucket: pulumi.Input<string>;
    /** The bucket's region. */
    region: string;
    /** Object key. @default ".env" */
    key?: string;
    /** Managed keys whose values are not secret. */
    settings: Record<string, pulumi.Input<string>>;
    /** Managed keys whose values are secret: they stay Pulumi secrets in state. */
    secretSettings: Record<string, pulumi.Input<string>>;
    /** Every managed key, in the order a new file lists them. */
    keyOrder: string[];
    /** Comment lines a new file starts with. */
    header: string[];
    /** Delete the object on destroy. @default false (it stays in the retained bucket) */
    deleteOnDestroy?: boolean;
}

/**
 * The cluster's shared `.env` in S3, seeded and co-owned with the running
 * cluster: a `pulumi up` writes only the keys whose config changed and keeps
 * every run-time change to the others (see docs/env-file.md). Its type is
 * `pulumi-nodejs:dynamic/openvidu:EnvFile`.
 *
 * @example
 * new EnvFile("openvidu-env", { bucket, region, settings, secretSettings, keyOrder, header });
 */
export class EnvFile extends pulumi.dynamic.Resource {
    /** Keys in the file that the program does not manage (names only). */
    declare readonly unmanagedKeys: pulumi.Output<string[]>;

    constructor(name: string, args: EnvFileArgs, opts?: pulumi.CustomResourceOptions) {
        super(envFileProvider, name, {
            bucket: args.bucket,
            key: args.key ?? ".env",
            region: args.region,
            settings: args.settings,
            secretSettings: pulumi.secret(args.secretSettings),
            keyOrder: args.keyOrder,
            header: args.header,
            deleteOnDestroy: args.deleteOnDestroy ?? false,
            lastWritten: undefined,
            unmanagedKeys: undefined,
        }, {
            ...opts,
            additionalSecretOutputs: ["secretSettings", "lastWritten"],
        }, "openvidu", "EnvFile");
    }
}
