/** Physical names derive from the stack name and stay within AWS's limits for any stack name. */
import * as assert from "assert";
import * as fc from "fast-check";
import { clusterNames } from "../components/naming";
import { inputsOf, one, runProgram, VALID_CONFIG } from "./harness";

const stackName = fc.stringMatching(/^[A-Za-z0-9_.-]{1,100}$/);

describe("physical names", () => {
    it("keep the reference's patterns for ordinary stack names", () => {
        const names = clusterNames("prod", "acme");
        assert.deepStrictEqual(
            [names.loadBalancer, names.targetGroup, names.masterAsg, names.mediaAsg, names.queue, names.masterNodeTag, names.mediaNodeTag],
            ["prod-alb", "prod-masters", "prod-ASGOpenViduProMasterNode", "prod-ASGMediaNode", "prod-SQS.fifo", "prod-Master Node", "prod-Media Node"],
        );
    });

    it("fit AWS's limits for any stack name: ALB and target group ≤ 32, Redis ≤ 40, queue ≤ 80 ending .fifo", () => {
        fc.assert(fc.property(stackName, (stack) => {
            const names = clusterNames(stack, "cluster");
            assert.ok(/^[A-Za-z0-9-]{1,32}$/.test(names.loadBalancer) && !names.loadBalancer.startsWith("-") && !names.loadBalancer.endsWith("-"), names.loadBalancer);
            assert.ok(/^[A-Za-z0-9-]{1,32}$/.test(names.targetGroup), names.targetGroup);
            assert.ok(/^[a-z][a-z0-9-]{0,39}$/.test(names.redis) && !names.redis.includes("--") && !names.redis.endsWith("-"), names.redis);
            assert.ok(names.queue.length <= 80 && names.queue.endsWith(".fifo"), names.queue);
            assert.ok(names.masterAsg.length <= 255 && names.mediaAsg.length <= 255);
        }));
    });

    it("never collide for two different long stack names", () => {
        const a = clusterNames("openvidu-enterprise-production-eu-west-1-blue", "c");
        const b = clusterNames("openvidu-enterprise-production-eu-west-1-green", "c");
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
});
