import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { operationsDashboardBody } from "./operationsDashboard";
import { OPERATIONS_ALARMS, OPERATIONS_EVENTS, OperationsAlarmKey } from "./operationsAlarms";

export interface AlarmTopicArgs {
    /** Unique per project and stack (components/naming.ts `prefix`). */
    namePrefix: string;
    /** E-mail addresses subscribed to the created topic (each confirms by mail). */
    emails: string[];
    /** A topic of the user's own: nothing is created, and alarms publish there. */
    existingTopicArn?: string;
}

/** Services that publish to the topic: alarms, EventBridge rules, ElastiCache's notifications. */
const PUBLISHERS = ["cloudwatch.amazonaws.com", "events.amazonaws.com", "elasticache.amazonaws.com"];

/**
 * Where the cluster's alarms go: an SNS topic of the cluster, encrypted with a key of its
 * own (AWS's managed SNS key cannot be granted to CloudWatch or EventBridge, so they could
 * not publish), with optional e-mail subscriptions; or the user's own topic.
 * Created before the other components, so Redis can notify it of failovers.
 */
export class AlarmTopic extends pulumi.ComponentResource {
    readonly topicArn: pulumi.Output<string>;

    constructor(name: string, args: AlarmTopicArgs, opts?: pulumi.ComponentResourceOptions) {
        super("openvidu:aws:AlarmTopic", name, {}, opts);
        const parent = { parent: this };
        if (args.existingTopicArn !== undefined) {
            this.topicArn = pulumi.output(args.existingTopicArn);
        } else {
            const identity = aws.getCallerIdentityOutput({}, parent);
            const partition = aws.getPartitionOutput({}, parent);
            const key = new aws.kms.Key(`${name}-key`, {
                description: `Encrypts the OpenVidu alarm topic ${args.namePrefix}-alarms`,
                enableKeyRotation: true,
                deletionWindowInDays: 7,
                // The deploy role may manage only keys so tagged (docs/iam/).
                tags: { "openvidu:purpose": "alarm-topic" },
                policy: pulumi.all([identity.accountId, partition.partition]).apply(([account, part]) => JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [
                        { Sid: "Account", Effect: "Allow", Principal: { AWS: `arn:${part}:iam::${account}:root` }, Action: "kms:*", Resource: "*" },
                        {
                            Sid: "Publishers", Effect: "Allow", Principal: { Service: PUBLISHERS },
                            Action: ["kms:Decrypt", "kms:GenerateDataKey*"], Resource: "*",
                            Condition: { StringEquals: { "aws:SourceAccount": account } },
                        },
                    ],
                })),
            }, parent);
            const topic = new aws.sns.Topic(`${name}-topic`, {
                name: `${args.namePrefix}-alarms`,
                kmsMasterKeyId: key.arn,
            }, parent);
            new aws.sns.TopicPolicy(`${name}-policy`, {
                arn: topic.arn,
                policy: pulumi.all([topic.arn, identity.accountId]).apply(([topicArn, account]) => JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [{
                        Sid: "ClusterPublishers", Effect: "Allow", Principal: { Service: PUBLISHERS },
                        Action: "sns:Publish", Resource: topicArn,
                        Condition: { StringEquals: { "aws:SourceAccount": account } },
                    }],
                })),
            }, parent);
            args.emails.forEach((email, index) => {
                new aws.sns.TopicSubscription(`${name}-email-${index}`, { topic: topic.arn, protocol: "email", endpoint: email }, parent);
            });
            this.topicArn = topic.arn;
        }
        this.registerOutputs({ topicArn: this.topicArn });
    }
}

export interface ClusterOperationsArgs {
    namePrefix: string;
    region: string;
    topicArn: pulumi.Input<string>;
    loadBalancerArn: pulumi.Input<string>;
    targetGroupArn: pulumi.Input<string>;
    /** The alarm's threshold: fewer healthy masters than this. */
    desiredMasters: number;
    masterAsgName: pulumi.Input<string>;
    mediaAsgName: pulumi.Input<string>;
    mediaNodes: { min: number; max: number };
    queueName: pulumi.Input<string>;
    /** ElastiCache node ids of the replication group (`<group>-001`, ...). */
    redisNodeIds: string[];
    /** The media tier's CPU scaling alarms, shown on the dashboard. */
    scalingAlarmArns: pulumi.Input<string>[];
}

/**
 * Alarms on what breaks high availability (thresholds: OPERATIONS_ALARMS), an
 * EventBridge rule for failed launches, all to the alarm topic; and a dashboard.
 */
export class ClusterOperations extends pulumi.ComponentResource {
    readonly alarmArns: pulumi.Output<string>[];
    readonly dashboardName: pulumi.Output<string>;
    readonly dashboardUrl: pulumi.Output<string>;

    constructor(name: string, args: ClusterOperationsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("openvidu:aws:ClusterOperations", name, {}, opts);
        const parent = { parent: this };
        const loadBalancer = { LoadBalancer: pulumi.output(args.loadBalancerArn).apply(loadBalancerDimension) };
        const alarms: aws.cloudwatch.MetricAlarm[] = [];
        const alarm = (key: OperationsAlarmKey, suffix: string, description: string, threshold: number,
            dimensions: Record<string, pulumi.Input<string>>): void => {
            const { namespace, metricName, statistic, period, evaluationPeriods, datapointsToAlarm, comparisonOperator, treatMissingData } = OPERATIONS_ALARMS[key];
            alarms.push(new aws.cloudwatch.MetricAlarm(`${name}-${suffix}`, {
                name: `${args.namePrefix}-${suffix}`,
                alarmDescription: `${description} (docs/operations.md)`,
                namespace, metricName, statistic, period, evaluationPeriods, datapointsToAlarm, comparisonOperator, treatMissingData,
                threshold, dimensions,
                alarmActions: [args.topicArn],
                okActions: [args.topicArn],
            }, parent));
        };
        alarm("mastersHealthy", "masters-healthy", `Fewer than ${args.desiredMasters} healthy masters behind the load balancer`,
            args.desiredMasters, { ...loadBalancer, TargetGroup: pulumi.output(args.targetGroupArn).apply(targetGroupDimension) });
        alarm("loadBalancer5xx", "alb-5xx", "The load balancer answers 5xx of its own (no healthy master, or masters failing)",
            OPERATIONS_ALARMS.loadBalancer5xx.threshold, loadBalancer);
        alarm("queueAge", "queue-age", "The replication manager stopped consuming its queue",
            OPERATIONS_ALARMS.queueAge.threshold, { QueueName: args.queueName });
        for (const node of args.redisNodeIds) {
            const id = node.slice(node.lastIndexOf("-") + 1);
            alarm("redisCpu", `redis-cpu-${id}`, `Redis node ${node}: engine CPU high`, OPERATIONS_ALARMS.redisCpu.threshold, { CacheClusterId: node });
            alarm("redisMemory", `redis-memory-${id}`, `Redis node ${node}: memory nearly full`, OPERATIONS_ALARMS.redisMemory.threshold, { CacheClusterId: node });
        }
        // A tier whose minimum is its maximum is always at it: that is no news.
        if (args.mediaNodes.max > args.mediaNodes.min) {
            alarm("mediaAtMaximum", "media-at-max", `The media tier has been at its maximum (${args.mediaNodes.max} nodes)`,
                args.mediaNodes.max, { AutoScalingGroupName: args.mediaAsgName });
        }

        const launch = OPERATIONS_EVENTS.launchFailed;
        const rule = new aws.cloudwatch.EventRule(`${name}-launch-failed`, {
            name: `${args.namePrefix}-launch-failed`,
            description: "A master or media node failed to launch",
            eventPattern: pulumi.all([args.masterAsgName, args.mediaAsgName]).apply(([master, media]) => JSON.stringify({
                "source": [launch.source], "detail-type": [launch.detailType], "detail": { AutoScalingGroupName: [master, media] },
            })),
        }, parent);
        new aws.cloudwatch.EventTarget(`${name}-launch-failed-topic`, { rule: rule.name, arn: args.topicArn }, parent);

        const dashboard = new aws.cloudwatch.Dashboard(`${name}-dashboard`, {
            dashboardName: `${args.namePrefix}-openvidu`,
            dashboardBody: pulumi.all([
                loadBalancer.LoadBalancer, pulumi.output(args.targetGroupArn).apply(targetGroupDimension), args.queueName, args.mediaAsgName,
                pulumi.all(alarms.map((a) => a.arn)), pulumi.all(args.scalingAlarmArns),
            ]).apply(([lb, tg, queue, mediaAsg, alarmArns, scalingArns]) => operationsDashboardBody({
                region: args.region, loadBalancer: lb, targetGroup: tg, queueName: queue, mediaAsgName: mediaAsg,
                redisNodeIds: args.redisNodeIds, alarmArns, scalingAlarmArns: scalingArns,
            })),
        }, parent);

        this.alarmArns = alarms.map((a) => a.arn);
        this.dashboardName = dashboard.dashboardName;
        this.dashboardUrl = dashboard.dashboardName.apply((dashboardName) => dashboardUrl(args.region, dashboardName));
        this.registerOutputs({ dashboardName: this.dashboardName, dashboardUrl: this.dashboardUrl });
    }
}

/** The console's address of a dashboard. */
export function dashboardUrl(region: string, dashboardName: string): string {
    return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards:name=${encodeURIComponent(dashboardName)}`;
}

/** The part after the service's `:<account>:` (the resource). */
const resourceOf = (arn: string): string => arn.split(":").slice(5).join(":");

/** CloudWatch's LoadBalancer dimension: `app/<name>/<id>` of `...:loadbalancer/app/<name>/<id>`. */
export function loadBalancerDimension(arn: string): string {
    return resourceOf(arn).replace(/^loadbalancer\//, "");
}

/** CloudWatch's TargetGroup dimension: `targetgroup/<name>/<id>`. */
export function targetGroupDimension(arn: string): string {
    return resourceOf(arn);
}
