import * as pulumi from "@pulumi/pulumi";
import { OpenViduConfig } from "../../config/types";

/** What the `.env` is built from: the config and values from the other components. */
export interface ClusterEnvInputs {
    config: OpenViduConfig;
    openviduSecret: pulumi.Output<string>;
    coturnSharedSecret: pulumi.Output<string>;
    bucketName: pulumi.Input<string>;
    redisAddress: pulumi.Input<string>;
    redisPort: pulumi.Input<number>;
    queueName: pulumi.Input<string>;
    masterAsgName: pulumi.Input<string>;
    mediaAsgName: pulumi.Input<string>;
    /** A stable identifier of this Pulumi stack (for RM_CLOUDFORMATION_ARN). */
    stackIdentifier: string;
}

/**
 * The keys this program manages in the `.env`, with their desired values.
 * STUB: being implemented (issue 4).
 */
export function clusterEnv(inputs: ClusterEnvInputs): Record<string, pulumi.Input<string>> {
    return { DOMAIN_OR_PUBLIC_IP: inputs.config.domainName };
}

/**
 * The masters' user data: only what a master needs to find its configuration.
 * STUB: being implemented (issue 4).
 */
export function masterUserData(inputs: { bucketName: pulumi.Input<string>; region: string }): pulumi.Output<string> {
    return pulumi.interpolate`#!/bin/bash\n# bucket ${inputs.bucketName} in ${inputs.region}\n`;
}
