import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/**
 * The launch template settings both tiers share: what makes a node safe
 * (IMDSv2 only, encrypted gp3 root volume) and reachable (a public IPv4
 * address: WebRTC and TURN traffic reaches nodes directly, not through the
 * load balancer, so it is set here rather than left to a subnet default).
 */
export const NODE_LAUNCH_DEFAULTS = {
    /** The OpenVidu AMIs (Ubuntu) boot from /dev/sda1. */
    rootDeviceName: "/dev/sda1",
    rootVolumeType: "gp3",
    /** Hop limit 1: a container on the node cannot reach the instance's credentials. */
    metadataHopLimit: 1,
} as const;

/** How often EC2 publishes an instance's metrics (CPUUtilization among them), seconds. */
export const EC2_METRIC_INTERVAL_SECONDS = { basic: 300, detailed: 60 } as const;

export interface NodeLaunchTemplateInput {
    amiId: pulumi.Input<string>;
    instanceType: string;
    keyName?: string;
    securityGroupId: pulumi.Input<string>;
    /** Root volume size, GiB. */
    volumeSize: number;
    instanceProfileArn?: pulumi.Input<string>;
    /** Plain-text user data (encoded here). */
    userData?: pulumi.Input<string>;
    /** Tags of the template itself (instances get theirs from the ASG). */
    tags: Record<string, string>;
    /** Detailed monitoring (metrics every 60 s, charged per instance). @default false: basic, every 300 s */
    detailedMonitoring?: boolean;
}

export function nodeLaunchTemplateArgs(input: NodeLaunchTemplateInput): aws.ec2.LaunchTemplateArgs {
    return {
        imageId: input.amiId,
        instanceType: input.instanceType,
        keyName: input.keyName,
        iamInstanceProfile: input.instanceProfileArn === undefined ? undefined : { arn: input.instanceProfileArn },
        metadataOptions: {
            httpEndpoint: "enabled",
            httpTokens: "required",
            httpPutResponseHopLimit: NODE_LAUNCH_DEFAULTS.metadataHopLimit,
        },
        networkInterfaces: [{
            deviceIndex: 0,
            associatePublicIpAddress: "true",
            securityGroups: [input.securityGroupId],
            deleteOnTermination: "true",
        }],
        blockDeviceMappings: [{
            deviceName: NODE_LAUNCH_DEFAULTS.rootDeviceName,
            ebs: {
                volumeSize: input.volumeSize,
                volumeType: NODE_LAUNCH_DEFAULTS.rootVolumeType,
                encrypted: "true",
                deleteOnTermination: "true",
            },
        }],
        // Left out rather than `false` when off: templates declared before it exist unchanged.
        monitoring: input.detailedMonitoring ? { enabled: true } : undefined,
        userData: input.userData === undefined
            ? undefined
            : pulumi.output(input.userData).apply((text) => Buffer.from(text, "utf8").toString("base64")),
        // A new version per change is what the master ASG's instance refresh rolls out.
        updateDefaultVersion: true,
        tags: input.tags,
    };
}

/** Auto Scaling group tags, propagated to the instances. */
export function propagatedTags(tags: Record<string, string>): aws.types.input.autoscaling.GroupTag[] {
    return Object.entries(tags).map(([key, value]) => ({ key, value, propagateAtLaunch: true }));
}
