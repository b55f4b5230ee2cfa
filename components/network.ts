import * as pulumi from "@pulumi/pulumi";
import { ExistingNetwork } from "../config/types";

export interface ClusterNetworkArgs {
    /** Prefix of the security groups' names. */
    namePrefix: string;
    /** Deploy into these; unset: a new VPC with public subnets in ≥ 2 AZs is created. */
    existing?: ExistingNetwork;
}

export interface SecurityGroupIds {
    loadBalancer: pulumi.Output<string>;
    master: pulumi.Output<string>;
    media: pulumi.Output<string>;
    redis: pulumi.Output<string>;
}

/**
 * Where the cluster runs: the VPC and subnets (given, or created with awsx)
 * and the four security groups of the reference template.
 * STUB: being implemented (issue 3).
 */
export class ClusterNetwork extends pulumi.ComponentResource {
    readonly vpcId: pulumi.Output<string>;
    /** Public subnets in ≥ 2 availability zones (checked). */
    readonly subnetIds: pulumi.Output<string[]>;
    readonly securityGroupIds: SecurityGroupIds;

    constructor(name: string, args: ClusterNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("openvidu:aws:ClusterNetwork", name, {}, opts);
        this.vpcId = pulumi.output(args.existing?.vpcId ?? "vpc-stub");
        this.subnetIds = pulumi.output(args.existing?.subnetIds ?? ["subnet-a", "subnet-b"]);
        const sg = pulumi.output("sg-stub");
        this.securityGroupIds = { loadBalancer: sg, master: sg, media: sg, redis: sg };
        this.registerOutputs({ vpcId: this.vpcId, subnetIds: this.subnetIds });
    }
}
