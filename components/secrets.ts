import * as pulumi from "@pulumi/pulumi";

export interface GeneratedSecretsArgs {
    /** The configured OpenVidu secret; unset: one is generated once for the stack. */
    openviduSecret?: pulumi.Output<string>;
}

/**
 * Secrets generated once per stack with @pulumi/random and kept stable across
 * updates: the OpenVidu secret (when not configured) and the coturn shared secret.
 * STUB: being implemented (issue 3).
 */
export class GeneratedSecrets extends pulumi.ComponentResource {
    /** The OpenVidu secret (a Pulumi secret). */
    readonly openviduSecret: pulumi.Output<string>;
    /** coturn's shared secret: 32 hex characters (a Pulumi secret). */
    readonly coturnSharedSecret: pulumi.Output<string>;

    constructor(name: string, args: GeneratedSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("openvidu:aws:GeneratedSecrets", name, {}, opts);
        this.openviduSecret = args.openviduSecret ?? pulumi.secret("stub");
        this.coturnSharedSecret = pulumi.secret("0".repeat(32));
        this.registerOutputs({ openviduSecret: this.openviduSecret, coturnSharedSecret: this.coturnSharedSecret });
    }
}
