import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { RedisSettings } from "../config/types";
import { applyTransform, Transform } from "./transform";

/** The replication manager's shared state, its AWS facts in one place. */
export const REPLICATION_STATE = {
    redis: {
        /** The reference runs redis 6.x; the 2.x replication manager's client is tested against it. */
        engineVersion: "6.2",
        port: 6379,
    },
    queue: { messageRetentionSeconds: 60, visibilityTimeoutSeconds: 50 },
    /** Both rules deliver into one FIFO message group, so the masters see events in order. */
    messageGroupId: "sqs-notification",
    lifecycleTransitions: ["autoscaling:EC2_INSTANCE_LAUNCHING", "autoscaling:EC2_INSTANCE_TERMINATING"],
    schedule: "rate(1 minute)",
} as const;

export interface ReplicationStateArgs {
    /** ElastiCache replication group id. */
    redisName: string;
    /** SQS FIFO queue name (ends in `.fifo`). */
    queueName: string;
    /** Name prefix for the subnet group, rules and policies. */
    namePrefix: string;
    subnetIds: pulumi.Input<string[]>;
    redisSecurityGroupId: pulumi.Input<string>;
    /**
     * Node type and read replicas (openvidu:redisNodeType, openvidu:redisReplicas). The default,
     * a primary and one replica in another AZ, fails over; the reference's single node did not.
     */
    redisNodes: RedisSettings;
    /** An SNS topic ElastiCache tells of the group's events (failovers among them); unset: none. */
    notificationTopicArn?: pulumi.Input<string>;
    /** The media ASG whose lifecycle events are forwarded to the queue. */
    mediaAsgName: pulumi.Input<string>;
    /** Adjust the underlying resources' args. */
    transform?: {
        redis?: Transform<aws.elasticache.ReplicationGroupArgs>;
        queue?: Transform<aws.sqs.QueueArgs>;
    };
}

/**
 * What the masters' replication manager shares: Redis (by default with a
 * replica and automatic failover), the SQS FIFO queue, and the two EventBridge rules
 * feeding it (media-node lifecycle events, and a one-minute tick).
 *
 * @example
 * const state = new ReplicationState("openvidu-state", { redisName, queueName, ... });
 */
export class ReplicationState extends pulumi.ComponentResource {
    readonly redisAddress: pulumi.Output<string>;
    readonly redisPort: pulumi.Output<number>;
    readonly queueName: pulumi.Output<string>;
    readonly queueArn: pulumi.Output<string>;
    /**
     * The media-node lifecycle rule, its target and the queue policy: the media
     * group waits for them, so its first nodes' launch events reach the queue.
     */
    readonly mediaLifecycleDelivery: pulumi.Resource[];

    constructor(name: string, args: ReplicationStateArgs, opts?: pulumi.ComponentResourceOptions) {
        super("openvidu:aws:ReplicationState", name, {}, opts);
        const parent = { parent: this };
        const redis = REPLICATION_STATE.redis;

        const subnetGroup = new aws.elasticache.SubnetGroup(`${name}-redis-subnets`, {
            name: args.redisName,
            description: "OpenVidu replication manager Redis",
            subnetIds: args.subnetIds,
        }, parent);
        const replicationGroup = new aws.elasticache.ReplicationGroup(...applyTransform(args.transform?.redis, `${name}-redis`, {
            replicationGroupId: args.redisName,
            description: "OpenVidu replication manager state",
            engine: "redis",
            engineVersion: redis.engineVersion,
            nodeType: args.redisNodes.nodeType,
            port: redis.port,
            ...redisTopology(args.redisNodes.replicas),
            atRestEncryptionEnabled: true,
            // The 2.x replication manager speaks plain TCP to Redis; the Redis SG admits only the masters.
            transitEncryptionEnabled: false,
            subnetGroupName: subnetGroup.name,
            securityGroupIds: [args.redisSecurityGroupId],
            applyImmediately: false,
            notificationTopicArn: args.notificationTopicArn,
        }, parent));

        const queue = new aws.sqs.Queue(...applyTransform(args.transform?.queue, `${name}-queue`, {
            name: args.queueName,
            fifoQueue: true,
            contentBasedDeduplication: true,
            messageRetentionSeconds: REPLICATION_STATE.queue.messageRetentionSeconds,
            visibilityTimeoutSeconds: REPLICATION_STATE.queue.visibilityTimeoutSeconds,
            sqsManagedSseEnabled: true,
        }, parent));

        const { rules, lifecycleDelivery } = this.createRules(name, args, queue);
        const queuePolicy = new aws.sqs.QueuePolicy(`${name}-queue-policy`, {
            queueUrl: queue.url,
            policy: pulumi.all([queue.arn, ...rules.map((r) => r.arn)]).apply(([queueArn, ...ruleArns]) => JSON.stringify({
                Version: "2012-10-17",
                Statement: [{
                    Sid: "EventBridgeToQueue",
                    Effect: "Allow",
                    Principal: { Service: "events.amazonaws.com" },
                    Action: "sqs:SendMessage",
                    Resource: queueArn,
                    // Only this stack's two rules (the reference let any rule of any account send).
                    Condition: { ArnEquals: { "aws:SourceArn": ruleArns } },
                }],
            })),
        }, parent);

        this.redisAddress = replicationGroup.primaryEndpointAddress;
        this.redisPort = replicationGroup.port.apply((port) => port ?? redis.port);
        this.queueName = queue.name;
        this.queueArn = queue.arn;
        this.mediaLifecycleDelivery = [...lifecycleDelivery, queuePolicy];
        this.registerOutputs({ redisAddress: this.redisAddress, redisPort: this.redisPort, queueName: this.queueName, queueArn: this.queueArn });
    }

    /** Media-node lifecycle events and the one-minute tick, both into the queue's one message group. */
    private createRules(name: string, args: ReplicationStateArgs, queue: aws.sqs.Queue):
        { rules: aws.cloudwatch.EventRule[]; lifecycleDelivery: pulumi.Resource[] } {
        const parent = { parent: this };
        const lifecycle = new aws.cloudwatch.EventRule(`${name}-lifecycle`, {
            description: "Media node launch/terminate lifecycle actions, for the masters' replication manager",
            eventPattern: pulumi.output(args.mediaAsgName).apply((group) => JSON.stringify({
                "source": ["aws.autoscaling"],
                "detail-type": ["EC2 Instance-launch Lifecycle Action", "EC2 Instance-terminate Lifecycle Action"],
                "detail": { AutoScalingGroupName: [group], LifecycleTransition: [...REPLICATION_STATE.lifecycleTransitions] },
            })),
        }, parent);
        const lifecycleTarget = new aws.cloudwatch.EventTarget(`${name}-lifecycle-target`, {
            rule: lifecycle.name,
            arn: queue.arn,
            sqsTarget: { messageGroupId: REPLICATION_STATE.messageGroupId },
            // The replication manager reads `role` beside `detail`, not inside it (openvidu-ami.md).
            inputTransformer: {
                inputPaths: {
                    source: "$.source",
                    LifecycleTransition: "$.detail.LifecycleTransition",
                    AutoScalingGroupName: "$.detail.AutoScalingGroupName",
                    EC2InstanceId: "$.detail.EC2InstanceId",
                },
                // Exactly upstream's message: `role` beside `detail`, not inside it (the replication manager parses it).
                inputTemplate: '{"source":<source>,"detail":{"LifecycleTransition":<LifecycleTransition>,' +
                    '"AutoScalingGroupName":<AutoScalingGroupName>,"EC2InstanceId":<EC2InstanceId>},"role":"MediaNode"}',
            },
        }, parent);

        const schedule = new aws.cloudwatch.EventRule(`${name}-schedule`, {
            description: "One-minute tick for the masters' replication manager",
            scheduleExpression: REPLICATION_STATE.schedule,
        }, parent);
        new aws.cloudwatch.EventTarget(`${name}-schedule-target`, {
            rule: schedule.name,
            arn: queue.arn,
            sqsTarget: { messageGroupId: REPLICATION_STATE.messageGroupId },
            inputTransformer: {
                inputPaths: { time: "$.time" },
                inputTemplate: '{"source":"custom.autoscaling_schedule","detail":{"time":<time>}}',
            },
        }, parent);
        return { rules: [lifecycle, schedule], lifecycleDelivery: [lifecycle, lifecycleTarget] };
    }
}

/**
 * Nodes of the replication group. ElastiCache fails over (and spreads nodes
 * over AZs) only with at least one replica; a single node must have both off.
 */
export function redisTopology(replicas: number): Pick<aws.elasticache.ReplicationGroupArgs, "numCacheClusters" | "automaticFailoverEnabled" | "multiAzEnabled"> {
    const failover = replicas > 0;
    return { numCacheClusters: replicas + 1, automaticFailoverEnabled: failover, multiAzEnabled: failover };
}

/** ElastiCache's ids of a cluster-mode-disabled group's nodes: `<group>-001`, `<group>-002`, ... */
export function redisNodeIds(replicationGroupId: string, replicas: number): string[] {
    return Array.from({ length: replicas + 1 }, (_, i) => `${replicationGroupId}-${String(i + 1).padStart(3, "0")}`);
}
