import * as pulumi from "@pulumi/pulumi";
import { NodeCounts } from "../config/types";
import { ClusterNames } from "./naming";

export interface MediaTierArgs {
    names: ClusterNames;
    subnetIds: pulumi.Input<string[]>;
    mediaSecurityGroupId: pulumi.Input<string>;
    amiId: pulumi.Input<string>;
    instanceType: string;
    keyName?: string;
    /** Root volume, GiB. */
    volumeSize: number;
    nodes: NodeCounts;
    /** Average CPU (%) above which a node is added. */
    scaleUpCpu: number;
    /** Average CPU (%) below which a node is removed. */
    scaleDownCpu: number;
}

/**
 * The autoscaled media nodes.
 * STUB: being implemented (issue 3).
 */
export class MediaTier extends pulumi.ComponentResource {
    readonly asgName: pulumi.Output<string>;

    constructor(name: string, args: MediaTierArgs, opts?: pulumi.ComponentResourceOptions) {
        super("openvidu:aws:MediaTier", name, {}, opts);
        this.asgName = pulumi.output(args.names.mediaAsg);
        this.registerOutputs({ asgName: this.asgName });
    }
}
