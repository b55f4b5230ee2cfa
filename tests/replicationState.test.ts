/**
 * The replication manager's shared state against the reference: Redis, the
 * SQS FIFO queue and its policy, the two EventBridge rules and their targets.
 */
import * as assert from "assert";
import { ConfigError } from "../config/errors";
import { MockRun } from "../plan/run";
import { all, envFileValues, failProgram, inputsOf, one, runProgram, VALID_CONFIG } from "./harness";

const RULE = "aws:cloudwatch/eventRule:EventRule";
const TARGET = "aws:cloudwatch/eventTarget:EventTarget";

describe("replication state", () => {
    let run: MockRun;
    before(async () => { run = await runProgram({ ...VALID_CONFIG }, { stackName: "prod" }); });

    it("runs Redis (engine redis 6.x, cache.t3.medium, port 6379) in a subnet group over the stack's subnets", () => {
        const redis = inputsOf(one(run, "aws:elasticache/replicationGroup:ReplicationGroup"));
        assert.strictEqual(redis.engine, "redis");
        assert.match(redis.engineVersion, /^6\./);
        assert.strictEqual(redis.nodeType, "cache.t3.medium");
        assert.strictEqual(redis.port, 6379);
        const subnets = inputsOf(one(run, "aws:elasticache/subnetGroup:SubnetGroup"));
        assert.ok(subnets.subnetIds.length >= 2);
        assert.strictEqual(redis.subnetGroupName, subnets.name);
        assert.strictEqual(redis.parameterGroupName, undefined, "the default parameter group");
    });

    it("gives Redis a replica in another AZ with automatic failover, encrypted at rest (beyond the reference)", () => {
        const redis = inputsOf(one(run, "aws:elasticache/replicationGroup:ReplicationGroup"));
        assert.strictEqual(redis.numCacheClusters, 2);
        assert.strictEqual(redis.automaticFailoverEnabled, true);
        assert.strictEqual(redis.multiAzEnabled, true);
        assert.strictEqual(redis.atRestEncryptionEnabled, true);
    });

    it("hands the replication manager Redis's primary (read-write) endpoint and port, never the reader endpoint", () => {
        assert.deepStrictEqual(all(run, "aws:elasticache/cluster:Cluster"), [], "no single-node cluster");
        // The mock's primary endpoint of openvidu-state-redis (plan/mocks.ts), written out.
        const env = envFileValues(run);
        assert.strictEqual(env.RM_REDIS_IP, "openvidu-state-redis.abcdef.ng.0001.euw1.cache.amazonaws.com");
        assert.strictEqual(env.RM_REDIS_PORT, "6379");
    });

    it("speaks plain TCP to Redis (the 2.x replication manager has no TLS client), reachable only through the Redis SG", () => {
        const redis = inputsOf(one(run, "aws:elasticache/replicationGroup:ReplicationGroup"));
        assert.strictEqual(redis.transitEncryptionEnabled, false);
        assert.strictEqual(redis.securityGroupIds.length, 1);
    });

    it("creates the FIFO queue <stack>-SQS.fifo: retention 60 s, visibility 50 s, content-based deduplication, encrypted", () => {
        const queue = inputsOf(one(run, "aws:sqs/queue:Queue"));
        assert.deepStrictEqual(
            [queue.name, queue.fifoQueue, queue.messageRetentionSeconds, queue.visibilityTimeoutSeconds, queue.contentBasedDeduplication, queue.sqsManagedSseEnabled],
            ["prod-abf890-SQS.fifo", true, 60, 50, true, true],
        );
    });

    it("lets only EventBridge, and only this stack's two rules, send to the queue", () => {
        const policy = JSON.parse(inputsOf(one(run, "aws:sqs/queuePolicy:QueuePolicy")).policy);
        assert.strictEqual(policy.Statement.length, 1);
        const s = policy.Statement[0];
        assert.deepStrictEqual([s.Effect, s.Principal, s.Action], ["Allow", { Service: "events.amazonaws.com" }, "sqs:SendMessage"]);
        assert.match(s.Resource, /:prod-abf890-SQS\.fifo$/);
        assert.strictEqual(s.Condition.ArnEquals["aws:SourceArn"].length, 2);
    });

    it("forwards the media ASG's launching/terminating lifecycle actions (rule 1)", () => {
        const rule = all(run, RULE).map(inputsOf).find((r) => r.eventPattern);
        assert.ok(rule);
        const pattern = JSON.parse(rule.eventPattern);
        assert.deepStrictEqual(pattern, {
            "source": ["aws.autoscaling"],
            "detail-type": ["EC2 Instance-launch Lifecycle Action", "EC2 Instance-terminate Lifecycle Action"],
            "detail": {
                AutoScalingGroupName: ["prod-abf890-ASGMediaNode"],
                LifecycleTransition: ["autoscaling:EC2_INSTANCE_LAUNCHING", "autoscaling:EC2_INSTANCE_TERMINATING"],
            },
        });
    });

    it("sends lifecycle events to the queue in group sqs-notification, exactly upstream's message (role beside detail)", () => {
        const target = inputsOf(one(run, TARGET, "lifecycle-target"));
        assert.match(target.arn, /:prod-abf890-SQS\.fifo$/);
        assert.strictEqual(target.sqsTarget.messageGroupId, "sqs-notification");
        assert.deepStrictEqual(target.inputTransformer.inputPaths, {
            source: "$.source",
            LifecycleTransition: "$.detail.LifecycleTransition",
            AutoScalingGroupName: "$.detail.AutoScalingGroupName",
            EC2InstanceId: "$.detail.EC2InstanceId",
        });
        const sample = target.inputTransformer.inputTemplate
            .replace("<source>", '"aws.autoscaling"').replace("<LifecycleTransition>", '"autoscaling:EC2_INSTANCE_LAUNCHING"')
            .replace("<AutoScalingGroupName>", '"prod-abf890-ASGMediaNode"').replace("<EC2InstanceId>", '"i-0123"');
        assert.deepStrictEqual(JSON.parse(sample), {
            source: "aws.autoscaling",
            detail: { LifecycleTransition: "autoscaling:EC2_INSTANCE_LAUNCHING", AutoScalingGroupName: "prod-abf890-ASGMediaNode", EC2InstanceId: "i-0123" },
            role: "MediaNode",
        });
        assert.deepStrictEqual(Object.keys(JSON.parse(sample)), ["source", "detail", "role"], "the upstream field order");
    });

    it("ticks every minute into the queue (rule 2) with the custom.autoscaling_schedule input", () => {
        const rule = all(run, RULE).map(inputsOf).find((r) => r.scheduleExpression);
        assert.strictEqual(rule?.scheduleExpression, "rate(1 minute)");
        const target = inputsOf(one(run, TARGET, "schedule-target"));
        assert.strictEqual(target.sqsTarget.messageGroupId, "sqs-notification");
        assert.deepStrictEqual(target.inputTransformer.inputPaths, { time: "$.time" });
        const sample = target.inputTransformer.inputTemplate.replace("<time>", '"2026-11-25T10:00:00Z"');
        assert.deepStrictEqual(JSON.parse(sample), { source: "custom.autoscaling_schedule", detail: { time: "2026-11-25T10:00:00Z" } });
        // The replication manager's two rules (the operations' failed-launch rule is not its).
        assert.strictEqual(all(run, RULE).filter((r) => r.parent === "openvidu-state").length, 2);
    });
});

describe("replication state: a cheaper Redis", () => {
    it("takes the node type and a single node (no replica): failover and Multi-AZ off, as ElastiCache requires", async () => {
        const run = await runProgram({ ...VALID_CONFIG, redisNodeType: "cache.t4g.micro", redisReplicas: "0" });
        const redis = inputsOf(one(run, "aws:elasticache/replicationGroup:ReplicationGroup"));
        assert.deepStrictEqual(
            [redis.nodeType, redis.numCacheClusters, redis.automaticFailoverEnabled, redis.multiAzEnabled],
            ["cache.t4g.micro", 1, false, false],
        );
        assert.strictEqual(redis.atRestEncryptionEnabled, true, "still encrypted");
    });

    it("adds replicas on request, failing over among them", async () => {
        const run = await runProgram({ ...VALID_CONFIG, redisReplicas: "2" });
        const redis = inputsOf(one(run, "aws:elasticache/replicationGroup:ReplicationGroup"));
        assert.deepStrictEqual([redis.nodeType, redis.numCacheClusters, redis.automaticFailoverEnabled, redis.multiAzEnabled],
            ["cache.t3.medium", 3, true, true]);
    });

    it("rejects a node type or replica count ElastiCache would refuse, naming both keys", async () => {
        const { error } = await failProgram({ ...VALID_CONFIG, redisNodeType: "t3.micro", redisReplicas: "6" });
        assert.ok(error instanceof ConfigError, String(error));
        assert.deepStrictEqual(error.problems.map((p) => p.key).sort(), ["openvidu:redisNodeType", "openvidu:redisReplicas"]);
        assert.match(error.message, /redisNodeType.*ElastiCache node type such as cache\.t3\.medium/);
        assert.match(error.message, /redisReplicas.*from 0 to 5/);
    });
});
