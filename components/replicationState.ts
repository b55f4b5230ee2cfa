import * as pulumi from "@pulumi/pulumi";

export interface ReplicationStateArgs {
    /** ElastiCache replication group id. */
    redisName: string;
    /** SQS FIFO queue name (ends in `.fifo`). */
    queueName: string;
    /** Name prefix for the subnet group, rules and policies. */
    namePrefix: string;
    subnetIds: pulumi.Input<string[]>;
    redisSecurityGroupId: pulumi.Input<string>;
    /** The media ASG whose lifecycle events are forwarded to the queue. */
    mediaAsgName: pulumi.Input<string>;
}

/**
 * What the masters' replication manager shares: Redis, the SQS FIFO queue and
 * the two EventBridge rules feeding it.
 * STUB: being implemented (issue 3).
 */
export class ReplicationState extends pulumi.ComponentResource {
    readonly redisAddress: pulumi.Output<string>;
    readonly redisPort: pulumi.Output<number>;
    readonly queueName: pulumi.Output<string>;
    readonly queueArn: pulumi.Output<string>;

    constructor(name: string, args: ReplicationStateArgs, opts?: pulumi.ComponentResourceOptions) {
        super("openvidu:aws:ReplicationState", name, {}, opts);
        this.redisAddress = pulumi.output("redis.stub");
        this.redisPort = pulumi.output(6379);
        this.queueName = pulumi.output(args.queueName);
        this.queueArn = pulumi.output(`arn:aws:sqs:stub:${args.queueName}`);
        this.registerOutputs({ redisAddress: this.redisAddress, queueName: this.queueName });
    }
}
