/** The `.env` provider's properties: its inputs as the engine passes them, and its state. */
import { S3Access } from "./s3";

/** The provider's inputs, as the engine passes them (secrets decrypted; during a preview, unknowns as UNKNOWN). */
export interface EnvFileInputs {
    bucket: string;
    key: string;
    region: string;
    /** Managed keys whose values are not secret. */
    settings: Record<string, string>;
    /** Managed keys whose values are secret (each value a secret of its own in state). */
    secretSettings: Record<string, string>;
    /** Every managed key, in the order a new file lists them. */
    keyOrder: string[];
    /** Comment lines a new file starts with. */
    header: string[];
    deleteOnDestroy: boolean;
    /**
     * A stack config key (`openvidu:deleteEnvOnDestroy`) whose value, when set, decides
     * deletion at destroy time: `pulumi destroy` runs with the state of the last `up`,
     * and the current config wins over the value recorded there.
     */
    deleteOnDestroyConfig?: string;
    /** How the S3 client authenticates (profile, roles to assume): never a secret. */
    access?: S3Access;
    /**
     * Managed keys whose value is only a default (a generated secret): a file that has one before
     * this program first writes the key keeps it (adopting a bucket keeps its clients' secrets).
     */
    keepExisting?: string[];
    /** Write a file whose `RM_*` keys name another cluster's resources (refused otherwise). */
    takeover?: boolean;
    /** The stack config key that sets `takeover`, named in the refusal. */
    takeoverConfig?: string;
    /** The serialized provider (set by the SDK, compared by diff). */
    __provider?: string;
}

export interface EnvFileOutputs extends EnvFileInputs {
    /** What the provider wrote last: the base of the next three-way merge (secret in state). */
    lastWritten: Record<string, string>;
    /** Keys in the file that the program does not manage (names only). */
    unmanagedKeys: string[];
    /** The object's ETag as this provider left it: any other ETag means someone wrote since. */
    writtenEtag?: string;
    /**
     * The values the last write replaced or removed, by key (secret in state). When the file
     * changed since and holds these values again, a writer that had not seen that write
     * overwrote it: the write is made again, and reported.
     */
    replacedByLastWrite?: Record<string, string>;
    /**
     * Every setting of the file as the last `pulumi up` left it, managed or not (secret in
     * state): what a run-time change is measured against. Absent in the state of 0.2.0 and
     * earlier until the next `up` records it.
     */
    fileAtLastUp?: Record<string, string>;
}
