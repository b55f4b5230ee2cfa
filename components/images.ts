import * as pulumi from "@pulumi/pulumi";

export interface NodeImagesArgs {
    masterAmiId: string;
    mediaAmiId: string;
    /** When set, both AMIs are copied from this region with aws.ec2.AmiCopy. */
    sourceRegion?: string;
    /** Name prefix of the copies. */
    namePrefix: string;
}

/**
 * The AMIs of the two tiers, in the stack's region (copied when they come from another).
 * STUB: being implemented (issue 3).
 */
export class NodeImages extends pulumi.ComponentResource {
    readonly masterAmiId: pulumi.Output<string>;
    readonly mediaAmiId: pulumi.Output<string>;

    constructor(name: string, args: NodeImagesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("openvidu:aws:NodeImages", name, {}, opts);
        this.masterAmiId = pulumi.output(args.masterAmiId);
        this.mediaAmiId = pulumi.output(args.mediaAmiId);
        this.registerOutputs({ masterAmiId: this.masterAmiId, mediaAmiId: this.mediaAmiId });
    }
}
