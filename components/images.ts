import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface NodeImagesArgs {
    /** @example "ami-0123456789abcdef0" */
    masterAmiId: string;
    mediaAmiId: string;
    /**
     * When set, both AMIs are copied from this region into the stack's with
     * aws.ec2.AmiCopy (the reference used a Lambda for that).
     * @default undefined (the AMIs are in the stack's region)
     */
    sourceRegion?: string;
    /** Name prefix of the copies. */
    namePrefix: string;
}

/**
 * The AMIs of the two tiers, in the stack's region (copied when they come from another).
 *
 * @example
 * const images = new NodeImages("openvidu-images", { masterAmiId, mediaAmiId, sourceRegion: "eu-west-1", namePrefix: "prod" });
 */
export class NodeImages extends pulumi.ComponentResource {
    readonly masterAmiId: pulumi.Output<string>;
    readonly mediaAmiId: pulumi.Output<string>;

    constructor(name: string, args: NodeImagesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("openvidu:aws:NodeImages", name, {}, opts);
        this.masterAmiId = this.image(name, "master", args.masterAmiId, args);
        this.mediaAmiId = this.image(name, "media", args.mediaAmiId, args);
        this.registerOutputs({ masterAmiId: this.masterAmiId, mediaAmiId: this.mediaAmiId });
    }

    private image(name: string, tier: string, amiId: string, args: NodeImagesArgs): pulumi.Output<string> {
        if (args.sourceRegion === undefined) return pulumi.output(amiId);
        const copy = new aws.ec2.AmiCopy(`${name}-${tier}`, {
            name: `${args.namePrefix}-openvidu-${tier}-${amiId}`,
            description: `OpenVidu ${tier} node image, copied from ${amiId} in ${args.sourceRegion}`,
            sourceAmiId: amiId,
            sourceAmiRegion: args.sourceRegion,
            // The copy's snapshots are encrypted with the account's default EBS key.
            encrypted: true,
            tags: { Name: `${args.namePrefix}-openvidu-${tier}` },
        }, { parent: this });
        return copy.id;
    }
}
