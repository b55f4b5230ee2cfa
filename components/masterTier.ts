import * as pulumi from "@pulumi/pulumi";
import { NodeCounts } from "../config/types";
import { ClusterNames } from "./naming";

export interface MasterTierArgs {
    names: ClusterNames;
    region: string;
    vpcId: pulumi.Input<string>;
    /** Public subnets in ≥ 2 AZs, for the load balancer and the masters. */
    subnetIds: pulumi.Input<string[]>;
    loadBalancerSecurityGroupId: pulumi.Input<string>;
    masterSecurityGroupId: pulumi.Input<string>;
    /** An issued ACM certificate of the stack's region. */
    certificateArn: pulumi.Input<string>;
    amiId: pulumi.Input<string>;
    instanceType: string;
    /** @default undefined: no key pair (SSM Session Manager instead). */
    keyName?: string;
    /** Root volume, GiB. */
    volumeSize: number;
    nodes: NodeCounts;
    bucketName: pulumi.Input<string>;
    bucketArn: pulumi.Input<string>;
    queueArn: pulumi.Input<string>;
    /** The masters' user data (plain text; no secret in it). */
    userData: pulumi.Input<string>;
    /** The seeded `.env`: no master boots before its configuration exists. */
    configuration: pulumi.Resource;
}

/**
 * The master nodes behind the Application Load Balancer.
 * STUB: being implemented (issue 3).
 */
export class MasterTier extends pulumi.ComponentResource {
    readonly loadBalancerDnsName: pulumi.Output<string>;
    readonly loadBalancerZoneId: pulumi.Output<string>;
    readonly asgName: pulumi.Output<string>;

    constructor(name: string, args: MasterTierArgs, opts?: pulumi.ComponentResourceOptions) {
        super("openvidu:aws:MasterTier", name, {}, opts);
        this.loadBalancerDnsName = pulumi.output(`${args.names.loadBalancer}.elb.amazonaws.com`);
        this.loadBalancerZoneId = pulumi.output("Z0000000000000");
        this.asgName = pulumi.output(args.names.masterAsg);
        this.registerOutputs({ loadBalancerDnsName: this.loadBalancerDnsName, asgName: this.asgName });
    }
}
