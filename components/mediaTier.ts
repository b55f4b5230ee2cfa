import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { NodeCounts, SsmAccess } from "../config/types";
import { createInstanceRole } from "./instanceRole";
import { ClusterNames } from "./naming";
import { MEDIA_GROUP_METRICS } from "./operationsAlarms";
import { EC2_METRIC_INTERVAL_SECONDS, nodeLaunchTemplateArgs, propagatedTags } from "./nodeLaunchTemplate";
import { applyTransform, Transform } from "./transform";

/**
 * The media tier's AWS facts. The scaling values differ from the reference
 * (one 60 s sample, 60 s cooldown), which adds and removes nodes on every
 * CPU spike: see docs/scaling.md for the reasoning behind each number.
 */
export const MEDIA_TIER = {
    tags: { clusterMember: "kms", nodeStatus: "running" },
    /** The replication manager drains a media node while the terminate hook holds it. */
    lifecycleHooks: {
        launch: { transition: "autoscaling:EC2_INSTANCE_LAUNCHING", defaultResult: "CONTINUE", heartbeatTimeoutSeconds: 30 },
        terminate: { transition: "autoscaling:EC2_INSTANCE_TERMINATING", defaultResult: "ABANDON", heartbeatTimeoutSeconds: 30 },
    },
    scaling: {
        metric: { namespace: "AWS/EC2", name: "CPUUtilization", statistic: "Average" },
        /**
         * The cadence the alarms assume: a CPU datapoint a minute, which EC2 publishes only under
         * detailed monitoring (so the launch template enables it). On basic monitoring's one per
         * 5 minutes, 3 of 3 (or 15 of 15) 60 s periods with missing data not breaching never fire.
         */
        metricIntervalSeconds: 60,
        /** Assumed: the most a datapoint lags behind its minute (AWS documents no bound); worst cases include it. */
        metricDelaySeconds: 120,
        periodSeconds: 60,
        /** Three minutes above the threshold: a short spike (a recording starting) does not add a node. */
        scaleUpEvaluationPeriods: 3,
        /** Fifteen minutes below: calls end gradually; removing a node too early means adding it back. */
        scaleDownEvaluationPeriods: 15,
        /** Assumed: from a scale-out until the new node's own CPU counts in the group's average (a boot: ~2–3 min). */
        nodeBootSeconds: 180,
        /**
         * At least the boot plus the slowest the scale-up alarm clears once the average falls (as
         * models/alarmEvaluation.ts computes it), so one load adds one node (tests/mediaScaling.test.ts).
         */
        scaleUpCooldownSeconds: 420,
        scaleDownCooldownSeconds: 600,
    },
} as const;

export interface MediaTierArgs {
    /** Physical names derived from the stack (components/naming.ts). */
    names: ClusterNames;
    /** Public subnets in ≥ 2 AZs. */
    subnetIds: pulumi.Input<string[]>;
    mediaSecurityGroupId: pulumi.Input<string>;
    amiId: pulumi.Input<string>;
    /** @example "c5.xlarge" */
    instanceType: string;
    /** @default undefined: no key pair (SSM Session Manager instead). */
    keyName?: string;
    /** SSM on the media nodes; `none` gives them no role at all, like the reference (docs/iam.md). */
    ssmAccess: SsmAccess;
    /** Root volume, GiB. */
    volumeSize: number;
    nodes: NodeCounts;
    /** Average CPU (%) above which a node is added. */
    scaleUpCpu: number;
    /** Average CPU (%) below which a node is removed. */
    scaleDownCpu: number;
    /**
     * What delivers the group's lifecycle events to the masters (rule, target,
     * queue policy): created before the group, so its first nodes are announced.
     */
    lifecycleDelivery?: pulumi.Resource[];
    /** Adjust the underlying resources' args. */
    transform?: {
        launchTemplate?: Transform<aws.ec2.LaunchTemplateArgs>;
        autoScalingGroup?: Transform<aws.autoscaling.GroupArgs>;
        scaleUpAlarm?: Transform<aws.cloudwatch.MetricAlarmArgs>;
        scaleDownAlarm?: Transform<aws.cloudwatch.MetricAlarmArgs>;
    };
}

/**
 * The autoscaled media nodes: launch template, scale-in protected Auto Scaling
 * group (force-deleted on destroy, so no helper is needed to unprotect it)
 * with its two lifecycle hooks, and CPU alarms driving ±1 scaling policies.
 *
 * @example
 * const media = new MediaTier("openvidu-media", { names, subnetIds, ... });
 */
export class MediaTier extends pulumi.ComponentResource {
    readonly asgName: pulumi.Output<string>;
    readonly asgArn: pulumi.Output<string>;
    /** The CPU scaling alarms (up, down), for the dashboard. */
    readonly scalingAlarmArns: pulumi.Output<string>[];

    constructor(name: string, args: MediaTierArgs, opts?: pulumi.ComponentResourceOptions) {
        super("openvidu:aws:MediaTier", name, {}, opts);
        const parent = { parent: this };
        const t = args.transform ?? {};

        // Media nodes call no AWS API: a role exists only for the chosen SSM access.
        const profile = args.ssmAccess === "none" ? undefined : createInstanceRole(this, name, {
            namePrefix: `${args.names.prefix}-media-`,
            description: `OpenVidu media nodes of ${args.names.mediaAsg} (SSM only)`,
            ssmAccess: args.ssmAccess,
        }).profile;
        const launchTemplate = new aws.ec2.LaunchTemplate(...applyTransform(t.launchTemplate, `${name}-template`, {
            namePrefix: `${args.names.prefix}-media-`,
            description: "OpenVidu media node",
            // No user data: the masters configure media nodes over ports 3000/4000/8888.
            ...nodeLaunchTemplateArgs({
                amiId: args.amiId,
                instanceType: args.instanceType,
                keyName: args.keyName,
                securityGroupId: args.mediaSecurityGroupId,
                volumeSize: args.volumeSize,
                instanceProfileArn: profile?.arn,
                tags: { Name: args.names.mediaNodeTag },
                // The alarms' cadence; a cost per node (docs/scaling.md).
                detailedMonitoring: MEDIA_TIER.scaling.metricIntervalSeconds < EC2_METRIC_INTERVAL_SECONDS.basic,
            }),
        }, parent));

        const hooks = Object.entries(MEDIA_TIER.lifecycleHooks).map(([key, hook]) => ({
            key,
            args: {
                name: `${args.names.prefix}-media-${key}`,
                lifecycleTransition: hook.transition,
                defaultResult: hook.defaultResult,
                heartbeatTimeout: hook.heartbeatTimeoutSeconds,
            },
        }));
        const group = new aws.autoscaling.Group(...applyTransform(t.autoScalingGroup, `${name}-asg`, {
            name: args.names.mediaAsg,
            minSize: args.nodes.min,
            desiredCapacity: args.nodes.desired,
            maxSize: args.nodes.max,
            vpcZoneIdentifiers: args.subnetIds,
            launchTemplate: { id: launchTemplate.id, version: launchTemplate.latestVersion.apply(String) },
            // Only the masters' replication manager unprotects a node, once it holds no session.
            protectFromScaleIn: true,
            // Declared on the group, so they hold its very first nodes too (separate
            // LifecycleHook resources exist only after the group has launched them).
            initialLifecycleHooks: hooks.map((hook) => hook.args),
            // `pulumi destroy` deletes the group with its protected instances (the reference needed a Lambda).
            forceDelete: true,
            // Never wait for capacity: the alarms, the replication manager and operators own the running
            // size, so the provider's wait for exactly max(min, desired) in-service nodes (on create, and
            // on any update of min) can hang 10 minutes and fail; and no ELB check would prove a node works.
            waitForCapacityTimeout: "0",
            // The at-maximum alarm and the dashboard read these (free at 1Minute granularity).
            enabledMetrics: [...MEDIA_GROUP_METRICS],
            metricsGranularity: "1Minute",
            tags: propagatedTags({
                "Name": args.names.mediaNodeTag,
                "ov-cluster-member": MEDIA_TIER.tags.clusterMember,
                "ov-medianode-status": MEDIA_TIER.tags.nodeStatus,
            }),
        }, {
            ...parent,
            dependsOn: args.lifecycleDelivery ?? [],
            // The scaling policies own the running size; an update must not reset it to `desired`.
            // AWS applies initial hooks only when it creates a group, and the provider replaces the
            // group when they change: a group created before them, or a later hook change, must not
            // replace the group and its live media nodes. The hook resources below carry such changes.
            ignoreChanges: ["desiredCapacity", "initialLifecycleHooks"],
        }));
        // The same hooks (same names) as resources too: they put the hooks on groups created before
        // the initial hooks existed, and carry later changes (PutLifecycleHook creates or updates).
        for (const hook of hooks) {
            new aws.autoscaling.LifecycleHook(`${name}-${hook.key}-hook`, { autoscalingGroupName: group.name, ...hook.args }, parent);
        }
        this.scalingAlarmArns = this.createScaling(name, args, group);

        this.asgName = group.name;
        this.asgArn = group.arn;
        this.registerOutputs({ asgName: this.asgName, asgArn: this.asgArn });
    }

    /** One step policy and one alarm per direction, on the group's average CPU. */
    private createScaling(name: string, args: MediaTierArgs, group: aws.autoscaling.Group): pulumi.Output<string>[] {
        const parent = { parent: this };
        const scaling = MEDIA_TIER.scaling;
        const directions = [
            {
                key: "up", adjustment: 1, cooldown: scaling.scaleUpCooldownSeconds, threshold: args.scaleUpCpu,
                comparison: "GreaterThanThreshold", periods: scaling.scaleUpEvaluationPeriods, transform: args.transform?.scaleUpAlarm,
            },
            {
                key: "down", adjustment: -1, cooldown: scaling.scaleDownCooldownSeconds, threshold: args.scaleDownCpu,
                comparison: "LessThanThreshold", periods: scaling.scaleDownEvaluationPeriods, transform: args.transform?.scaleDownAlarm,
            },
        ];
        return directions.map((direction) => {
            const policy = new aws.autoscaling.Policy(`${name}-scale-${direction.key}`, {
                autoscalingGroupName: group.name,
                policyType: "SimpleScaling",
                adjustmentType: "ChangeInCapacity",
                scalingAdjustment: direction.adjustment,
                cooldown: direction.cooldown,
            }, parent);
            return new aws.cloudwatch.MetricAlarm(...applyTransform(direction.transform, `${name}-cpu-${direction.key}`, {
                alarmDescription: `Scale media nodes ${direction.key} on average CPU`,
                namespace: scaling.metric.namespace,
                metricName: scaling.metric.name,
                statistic: scaling.metric.statistic,
                dimensions: { AutoScalingGroupName: group.name },
                period: scaling.periodSeconds,
                evaluationPeriods: direction.periods,
                datapointsToAlarm: direction.periods,
                threshold: direction.threshold,
                comparisonOperator: direction.comparison,
                // No data (a group at 0, a metrics gap) is no reason to scale either way.
                treatMissingData: "notBreaching",
                alarmActions: [policy.arn],
            }, parent)).arn;
        });
    }
}
