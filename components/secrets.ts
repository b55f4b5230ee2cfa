import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

/** The generated secrets' shapes (OpenVidu and coturn accept these alphabets). */
export const GENERATED_SECRETS = {
    /** OpenVidu's rule for OPENVIDU_SECRET is `[A-Za-z0-9_-]+`. */
    openviduSecretLength: 32,
    openviduSecretSpecials: "_-",
    /** 16 random bytes → 32 hex characters. */
    coturnSecretBytes: 16,
} as const;

export interface GeneratedSecretsArgs {
    /** The configured OpenVidu secret; unset: one is generated once for the stack. */
    openviduSecret?: pulumi.Output<string>;
}

/**
 * Secrets generated once per stack with @pulumi/random and kept stable across
 * updates (no keepers: nothing regenerates them): the OpenVidu secret when not
 * configured, and coturn's shared secret. Both are Pulumi secrets.
 *
 * @example
 * const secrets = new GeneratedSecrets("openvidu-secrets", {});
 * export const secret = secrets.openviduSecret; // a Pulumi secret
 */
export class GeneratedSecrets extends pulumi.ComponentResource {
    /** The OpenVidu secret (a Pulumi secret). */
    readonly openviduSecret: pulumi.Output<string>;
    /** coturn's shared secret: 32 hex characters (a Pulumi secret). */
    readonly coturnSharedSecret: pulumi.Output<string>;

    constructor(name: string, args: GeneratedSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("openvidu:aws:GeneratedSecrets", name, {}, opts);
        const parent = { parent: this };
        if (args.openviduSecret !== undefined) {
            this.openviduSecret = pulumi.secret(args.openviduSecret);
        } else {
            const generated = new random.RandomPassword(`${name}-openvidu`, {
                length: GENERATED_SECRETS.openviduSecretLength,
                special: true,
                overrideSpecial: GENERATED_SECRETS.openviduSecretSpecials,
            }, parent);
            this.openviduSecret = pulumi.secret(generated.result);
        }
        // RandomBytes, not RandomId: its hex is a secret in state (RandomId keeps hex, b64 and id in plain text).
        // Stacks made before keep a RandomId in state: the change generates a new coturn secret once.
        const coturn = new random.RandomBytes(`${name}-coturn`, { length: GENERATED_SECRETS.coturnSecretBytes }, parent);
        this.coturnSharedSecret = pulumi.secret(coturn.hex);
        this.registerOutputs({ openviduSecret: this.openviduSecret, coturnSharedSecret: this.coturnSharedSecret });
    }
}
