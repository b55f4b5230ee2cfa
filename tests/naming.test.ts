/** Physical names: unique per project and stack (the reference's patterns where the replication manager reads them), within AWS's limits. */
import * as assert from "assert";
import * as fc from "fast-check";
import { clusterNames } from "../components/naming";
import { inputsOf, one, runProgram, VALID_CONFIG } from "./harness";

const stackName = fc.stringMatching(/^[A-Za-z0-9_.-]{1,100}$/);
/** Names AWS wants unique in an account and region (SQS even hands back an existing queue of the same name). */
const UNIQUE_NAMES = ["loadBalancer", "targetGroup", "redis", "prefix", "queue", "masterAsg", "mediaAsg", "cloudFormationStackName"] as const;

describe("physical names", () => {
    it("give the replication manager the reference's patterns with the unique stack name (the one of RM_CLOUDFORMATION_ARN)", () => {
        // sha256("openvidu/prod") starts with abf890.
        const names = clusterNames("prod", "acme", "openvidu");
        assert.deepStrictEqual(
            [names.masterAsg, names.mediaAsg, names.queue, names.cloudFormationStackName, names.masterNodeTag, names.mediaNodeTag],
            ["prod-abf890-ASGOpenViduProMasterNode", "prod-abf890-ASGMediaNode", "prod-abf890-SQS.fifo", "prod-abf890", "prod-Master Node", "prod-Media Node"],
        );
    });

    it("keep the bare stack name in the queue's and groups' names with referenceNames (the CloudFormation template's, and 0.2.0's)", () => {
        const names = clusterNames("prod", "acme", "openvidu", { referenceNames: true });
        assert.deepStrictEqual(
            [names.masterAsg, names.mediaAsg, names.queue, names.cloudFormationStackName],
            ["prod-ASGOpenViduProMasterNode", "prod-ASGMediaNode", "prod-SQS.fifo", "prod"],
        );
        // Every other name stays unique either way.
        assert.deepStrictEqual([names.loadBalancer, names.redis], ["prod-abf890-alb", "prod-abf890-redis"]);
    });

    it("carry a suffix of project and stack in every other name AWS wants unique in the account", () => {
        // sha256("openvidu/prod") starts with abf890; sha256("acme-video/prod") with 4acc19.
        const ours = clusterNames("prod", "acme", "openvidu");
        assert.deepStrictEqual(
            [ours.loadBalancer, ours.targetGroup, ours.redis, ours.prefix],
            ["prod-abf890-alb", "prod-abf890-masters", "prod-abf890-redis", "prod-abf890"],
        );
        const theirs = clusterNames("prod", "acme", "acme-video");
        assert.deepStrictEqual(
            [theirs.loadBalancer, theirs.targetGroup, theirs.redis, theirs.prefix],
            ["prod-4acc19-alb", "prod-4acc19-masters", "prod-4acc19-redis", "prod-4acc19"],
        );
    });

    it("never share a unique-per-account name between two projects or two stacks, whatever their names", () => {
        const projectName = fc.stringMatching(/^[A-Za-z0-9_.-]{1,60}$/);
        fc.assert(fc.property(stackName, stackName, projectName, projectName, (stackA, stackB, projectA, projectB) => {
            fc.pre(stackA !== stackB || projectA !== projectB);
            const a = clusterNames(stackA, "c", projectA);
            const b = clusterNames(stackB, "c", projectB);
            for (const key of UNIQUE_NAMES) assert.notStrictEqual(a[key], b[key], key);
        }));
    });

    it("fit AWS's limits for any stack name: ALB and target group ≤ 32, Redis ≤ 40, queue ≤ 80 ending .fifo", () => {
        fc.assert(fc.property(stackName, (stack) => {
            const names = clusterNames(stack, "cluster", "openvidu");
            assert.ok(/^[A-Za-z0-9-]{1,32}$/.test(names.loadBalancer) && !names.loadBalancer.startsWith("-") && !names.loadBalancer.endsWith("-"), names.loadBalancer);
            assert.ok(/^[A-Za-z0-9-]{1,32}$/.test(names.targetGroup), names.targetGroup);
            assert.ok(/^[a-z][a-z0-9-]{0,39}$/.test(names.redis) && !names.redis.includes("--") && !names.redis.endsWith("-"), names.redis);
            assert.ok(names.queue.length <= 80 && names.queue.endsWith(".fifo"), names.queue);
            assert.ok(names.masterAsg.length <= 255 && names.mediaAsg.length <= 255);
            assert.ok(names.prefix.length <= 40 && /^[A-Za-z0-9-]+$/.test(names.prefix), names.prefix);
        }));
    });

    it("never collide for two different long stack names", () => {
        const a = clusterNames("openvidu-enterprise-production-eu-west-1-blue", "c", "openvidu");
        const b = clusterNames("openvidu-enterprise-production-eu-west-1-green", "c", "openvidu");
        assert.notStrictEqual(a.loadBalancer, b.loadBalancer);
        assert.notStrictEqual(a.targetGroup, b.targetGroup);
        assert.ok(a.loadBalancer.length <= 32 && b.targetGroup.length <= 32);
    });

    it("reach the resources: a 60-character stack name still deploys a ≤ 32-character load balancer", async () => {
        const long = "a-very-long-stack-name-for-the-openvidu-enterprise-deployment";
        const run = await runProgram({ ...VALID_CONFIG }, { stackName: long });
        assert.ok(inputsOf(one(run, "aws:lb/loadBalancer:LoadBalancer")).name.length <= 32);
        assert.ok(inputsOf(one(run, "aws:lb/targetGroup:TargetGroup")).name.length <= 32);
    });

    it("reach the resources: the project's name tells two deployments of stack prod apart", async () => {
        const run = await runProgram({ ...VALID_CONFIG }, { stackName: "prod" });
        assert.strictEqual(inputsOf(one(run, "aws:lb/loadBalancer:LoadBalancer")).name, "prod-abf890-alb");
        assert.strictEqual(inputsOf(one(run, "aws:elasticache/replicationGroup:ReplicationGroup")).replicationGroupId, "prod-abf890-redis");
        assert.strictEqual(inputsOf(one(run, "aws:autoscaling/group:Group", "media-asg")).name, "prod-abf890-ASGMediaNode");
        assert.strictEqual(inputsOf(one(run, "aws:sqs/queue:Queue")).name, "prod-abf890-SQS.fifo");
    });

    it("two projects' stack prod get two queues and two pairs of groups (a shared queue would be silently shared, then deleted)", async () => {
        const theirs = clusterNames("prod", "acme", "acme-video");
        const ours = await runProgram({ ...VALID_CONFIG }, { stackName: "prod" });
        const declared = [
            inputsOf(one(ours, "aws:sqs/queue:Queue")).name,
            inputsOf(one(ours, "aws:autoscaling/group:Group", "master-asg")).name,
            inputsOf(one(ours, "aws:autoscaling/group:Group", "media-asg")).name,
        ];
        assert.deepStrictEqual(declared, ["prod-abf890-SQS.fifo", "prod-abf890-ASGOpenViduProMasterNode", "prod-abf890-ASGMediaNode"]);
        for (const name of [theirs.queue, theirs.masterAsg, theirs.mediaAsg]) assert.ok(!declared.includes(name), name);
    });

    it("reach the resources and the .env with referenceNames: the queue, both groups and the RM_* keys keep the bare stack name", async () => {
        const run = await runProgram({ ...VALID_CONFIG, referenceNames: "true" }, { stackName: "prod" });
        assert.strictEqual(inputsOf(one(run, "aws:sqs/queue:Queue")).name, "prod-SQS.fifo");
        assert.strictEqual(inputsOf(one(run, "aws:autoscaling/group:Group", "master-asg")).name, "prod-ASGOpenViduProMasterNode");
        assert.strictEqual(inputsOf(one(run, "aws:autoscaling/group:Group", "media-asg")).name, "prod-ASGMediaNode");
        const env = inputsOf(one(run, "pulumi-nodejs:dynamic/openvidu:EnvFile")).settings;
        assert.deepStrictEqual(
            [env.RM_SQS_QUEUE, env.RM_MASTER_NODES_AUTOSCALING_GROUP_NAME, env.RM_MEDIA_NODES_AUTOSCALING_GROUP_NAME, env.RM_CLOUDFORMATION_ARN.split("/")[1]],
            ["prod-SQS.fifo", "prod-ASGOpenViduProMasterNode", "prod-ASGMediaNode", "prod"],
        );
    });
});
