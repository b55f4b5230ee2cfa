import * as pulumi from "@pulumi/pulumi";
import { envFileProvider } from "./provider";
import { S3Access } from "./s3";

export { S3Access } from "./s3";

export interface EnvFileArgs {
    /** The bucket holding the `.env` at its root. */
    bucket: pulumi.Input<string>;
    /** The bucket's region. */
    region: string;
    /** Object key. @default ".env" */
    key?: string;
    /** Managed keys whose values are not secret. */
    settings: Record<string, pulumi.Input<string>>;
    /** Managed keys whose values are secret: each stays a Pulumi secret in state. */
    secretSettings: Record<string, pulumi.Input<string>>;
    /** Every managed key, in the order a new file lists them. */
    keyOrder: string[];
    /** Comment lines a new file starts with. */
    header: string[];
    /** Delete the object on destroy. @default false (it stays in the retained bucket) */
    deleteOnDestroy?: boolean;
    /**
     * The stack config key that sets `deleteOnDestroy` (e.g. `openvidu:deleteEnvOnDestroy`):
     * `pulumi destroy` then follows its current value, even when changed after the last `up`.
     */
    deleteOnDestroyConfig?: string;
    /** How the S3 client authenticates, as the AWS provider does (see s3AccessFromStackConfig). */
    access?: pulumi.Input<S3Access>;
    /** Managed keys whose value is only a default (a generated secret): a file that has one keeps it. */
    keepExisting?: string[];
    /**
     * Write a file whose `RM_*` keys name another cluster's resources; without it such a file is
     * refused before anything is written. @default false
     */
    takeover?: boolean;
    /** The stack config key that sets `takeover` (e.g. `openvidu:envTakeover`), named in the refusal. */
    takeoverConfig?: string;
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
    /** Every setting of the file as the last `pulumi up` left it (a secret). */
    declare readonly fileAtLastUp: pulumi.Output<Record<string, string> | undefined>;

    /**
     * @param provider the provider's code; tests pass a later revision of it to play a
     *   provider upgrade against the engine.
     */
    constructor(name: string, args: EnvFileArgs, opts?: pulumi.CustomResourceOptions, provider: pulumi.dynamic.ResourceProvider = envFileProvider) {
        super(provider, name, {
            bucket: args.bucket,
            key: args.key ?? ".env",
            region: args.region,
            settings: args.settings,
            // Each value a secret of its own, not one secret map: while one value is unknown (a
            // first preview, before the generated secrets exist) the others and the map stay known.
            secretSettings: Object.fromEntries(Object.entries(args.secretSettings).map(([key, value]) => [key, pulumi.secret(value)])),
            keyOrder: args.keyOrder,
            header: args.header,
            deleteOnDestroy: args.deleteOnDestroy ?? false,
            deleteOnDestroyConfig: args.deleteOnDestroyConfig,
            access: args.access ?? {},
            keepExisting: args.keepExisting ?? [],
            takeover: args.takeover ?? false,
            takeoverConfig: args.takeoverConfig,
            lastWritten: undefined,
            unmanagedKeys: undefined,
            writtenEtag: undefined,
            replacedByLastWrite: undefined,
            fileAtLastUp: undefined,
        }, {
            ...opts,
            additionalSecretOutputs: ["secretSettings", "lastWritten", "replacedByLastWrite", "fileAtLastUp"],
        }, "openvidu", "EnvFile");
    }
}
