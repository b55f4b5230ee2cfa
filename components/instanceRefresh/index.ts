import * as pulumi from "@pulumi/pulumi";
import type { S3Access } from "../envFile/s3";
import { instanceRefreshWaitProvider } from "./provider";

export { REFRESH_ENDS } from "./waiter";
export { POLLING } from "./poll";

/** The master tier's timings the refresh wait is computed from (MASTER_TIER's). */
export interface RefreshTimings {
    /** How long `up` gives the masters to boot and pass the health check, as a Go duration ("20m"). */
    healthyMastersTimeout: string;
    instanceRefresh: { instanceWarmupSeconds: number };
    deregistrationDelaySeconds: number;
}

/** Seconds of a Go duration such as "20m", "1h30m" or "900s". */
export function durationSeconds(duration: string): number {
    const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(duration);
    if (match === null || duration === "") throw new Error(`not a duration: ${duration}`);
    return Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0);
}

/**
 * How long `up` waits for the masters' refresh: with min 100 % / max 200 % healthy, Auto
 * Scaling launches every replacement at once, so the refresh takes one boot to healthy
 * (the budget `up` already gives new masters), the warmup, then the old masters' drain.
 */
export function refreshWaitSeconds(timings: RefreshTimings): number {
    return durationSeconds(timings.healthyMastersTimeout) + timings.instanceRefresh.instanceWarmupSeconds + timings.deregistrationDelaySeconds;
}

/** How long `up` waits for the masters to serve on create: the budget the boot timeline gives them (MASTER_TIER.healthyMastersTimeout). */
export function mastersWaitSeconds(timings: Pick<RefreshTimings, "healthyMastersTimeout">): number {
    return durationSeconds(timings.healthyMastersTimeout);
}

export interface InstanceRefreshWaitArgs {
    /** The masters' Auto Scaling group. */
    groupName: pulumi.Input<string>;
    /** The launch template id and version the group runs: a change starts a refresh. */
    launchTemplateId: pulumi.Input<string>;
    launchTemplateVersion: pulumi.Input<string>;
    /** The masters' target group: a failure reports its targets' health. */
    targetGroupArn: pulumi.Input<string>;
    region: string;
    /** See refreshWaitSeconds. */
    timeoutSeconds: number;
    /** How many masters must serve (InService, healthy behind the load balancer) when this is created or the count changes. */
    desiredMasters: pulumi.Input<number>;
    /** See mastersWaitSeconds. */
    capacityTimeoutSeconds: number;
    /** The cluster's boot log group (components/bootLogs.ts): a failure names the command that reads a master's stream. */
    bootLogGroupName?: pulumi.Input<string>;
    /** How the AWS clients authenticate (the stack's `aws:profile`, `aws:assumeRoles`). @default the SDK's default chain */
    access?: pulumi.Input<S3Access>;
}

/**
 * Makes `pulumi up` wait for the masters. Created (the group's first `up`): until
 * `desiredMasters` serve, in place of the provider's capacity wait, failing with what
 * each master is doing. Updated: until the masters' instance refresh ends, which the AWS
 * provider only starts (hashicorp/terraform-provider-aws#42355), failing with the
 * refresh's reason and each master's; and again until the masters serve when
 * `desiredMasters` changes. Declared after the group and the listener that puts the
 * target group in service. Its type is `pulumi-nodejs:dynamic/openvidu:InstanceRefreshWait`.
 *
 * @example
 * new InstanceRefreshWait("masters-refresh", { groupName: group.name, launchTemplateId, launchTemplateVersion,
 *     targetGroupArn, region, timeoutSeconds: refreshWaitSeconds(MASTER_TIER), desiredMasters: 2,
 *     capacityTimeoutSeconds: mastersWaitSeconds(MASTER_TIER) }, { dependsOn: [group, httpsListener] });
 */
export class InstanceRefreshWait extends pulumi.dynamic.Resource {
    /** The newest refresh of the group when this resource last succeeded. */
    declare readonly baselineRefreshId: pulumi.Output<string>;
    /** How the refresh this resource last waited for ended, or "none". */
    declare readonly lastOutcome: pulumi.Output<string>;

    constructor(name: string, args: InstanceRefreshWaitArgs, opts?: pulumi.CustomResourceOptions, provider: pulumi.dynamic.ResourceProvider = instanceRefreshWaitProvider) {
        super(provider, name, {
            groupName: args.groupName,
            launchTemplateId: args.launchTemplateId,
            launchTemplateVersion: args.launchTemplateVersion,
            targetGroupArn: args.targetGroupArn,
            region: args.region,
            timeoutSeconds: args.timeoutSeconds,
            desiredMasters: args.desiredMasters,
            capacityTimeoutSeconds: args.capacityTimeoutSeconds,
            bootLogGroupName: args.bootLogGroupName,
            // The S3 endpoint of the .env writer's settings means nothing to Auto Scaling.
            access: pulumi.output(args.access ?? {}).apply(({ endpoint: _endpoint, ...rest }) => rest),
            baselineRefreshId: undefined,
            lastOutcome: undefined,
        }, opts, "openvidu", "InstanceRefreshWait");
    }
}
