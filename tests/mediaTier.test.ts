/**
 * The media tier against the reference template: launch template, the
 * scale-in protected ASG, lifecycle hooks, CPU alarms and scaling policies.
 */
import * as assert from "assert";
import { SESSION_MANAGER_STATEMENT } from "../components/instanceRole";
import { MockRun } from "../plan/run";
import { all, inputsOf, one, runProgram, VALID_CONFIG } from "./harness";

const HOOK = "aws:autoscaling/lifecycleHook:LifecycleHook";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const POLICY = "aws:autoscaling/policy:Policy";

describe("media tier", () => {
    let run: MockRun;
    before(async () => {
        run = await runProgram({
            ...VALID_CONFIG, mediaInstanceType: "c5.2xlarge", mediaVolumeSize: "80",
            minMediaNodes: "2", desiredMediaNodes: "3", maxMediaNodes: "8", scaleUpCpu: "75", scaleDownCpu: "25",
        }, { stackName: "prod" });
    });

    it("launches media nodes with IMDSv2 required (hop limit 1), the media SG, the media AMI and type", () => {
        const lt = inputsOf(one(run, "aws:ec2/launchTemplate:LaunchTemplate", "media-template"));
        assert.deepStrictEqual(lt.metadataOptions, { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 });
        assert.strictEqual(lt.imageId, VALID_CONFIG.mediaAmiId);
        assert.strictEqual(lt.instanceType, "c5.2xlarge");
        assert.strictEqual(lt.networkInterfaces[0].securityGroups.length, 1);
        const masterLt = inputsOf(one(run, "aws:ec2/launchTemplate:LaunchTemplate", "master-template"));
        assert.notStrictEqual(lt.networkInterfaces[0].securityGroups[0], masterLt.networkInterfaces[0].securityGroups[0], "the media SG, not the masters'");
    });

    it("boots from an encrypted gp3 /dev/sda1 deleted on termination, with a public IPv4 address", () => {
        const lt = inputsOf(one(run, "aws:ec2/launchTemplate:LaunchTemplate", "media-template"));
        assert.deepStrictEqual(lt.blockDeviceMappings, [{
            deviceName: "/dev/sda1",
            ebs: { volumeSize: 80, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
        }]);
        assert.strictEqual(lt.networkInterfaces[0].associatePublicIpAddress, "true");
    });

    it("has no user data, and a role that only opens a Session Manager shell (tests/ssmAccess.test.ts: the choices)", () => {
        const lt = inputsOf(one(run, "aws:ec2/launchTemplate:LaunchTemplate", "media-template"));
        assert.strictEqual(lt.userData, undefined);
        const mediaPolicies = all(run, "aws:iam/rolePolicy:RolePolicy").filter((p) => p.parent === "openvidu-media");
        assert.deepStrictEqual(mediaPolicies.map((p) => JSON.parse(inputsOf(p).policy).Statement),
            [[SESSION_MANAGER_STATEMENT]], "no permission beyond the shell");
        assert.deepStrictEqual(all(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((p) => p.parent === "openvidu-media"), []);
    });

    it("names the group <stack>-ASGMediaNode with min/desired/max from config over the subnets", () => {
        const asg = inputsOf(one(run, "aws:autoscaling/group:Group", "media-asg"));
        assert.strictEqual(asg.name, "prod-abf890-ASGMediaNode");
        assert.deepStrictEqual([asg.minSize, asg.desiredCapacity, asg.maxSize], [2, 3, 8]);
        assert.ok(asg.vpcZoneIdentifiers.length >= 2);
    });

    it("protects new instances from scale-in", () => {
        assert.strictEqual(inputsOf(one(run, "aws:autoscaling/group:Group", "media-asg")).protectFromScaleIn, true);
    });

    it("force-deletes the group on destroy (no Lambda needed to unprotect nodes)", () => {
        assert.strictEqual(inputsOf(one(run, "aws:autoscaling/group:Group", "media-asg")).forceDelete, true);
        assert.deepStrictEqual(all(run, "aws:lambda/function:Function"), []);
    });

    it("leaves the running size to the scaling policies (desiredCapacity ignored on update)", () => {
        // (and its initial lifecycle hooks: see the hooks' test)
        assert.deepStrictEqual(one(run, "aws:autoscaling/group:Group", "media-asg").options.ignoreChanges, ["desiredCapacity", "initialLifecycleHooks"]);
    });

    it("tags media nodes Name, ov-cluster-member=kms, ov-medianode-status=running, propagated", () => {
        assert.deepStrictEqual(inputsOf(one(run, "aws:autoscaling/group:Group", "media-asg")).tags, [
            { key: "Name", value: "prod-Media Node", propagateAtLaunch: true },
            { key: "ov-cluster-member", value: "kms", propagateAtLaunch: true },
            { key: "ov-medianode-status", value: "running", propagateAtLaunch: true },
        ]);
    });

    it("declares both hooks on the group itself, so its very first nodes are held and announced", () => {
        const group = inputsOf(one(run, "aws:autoscaling/group:Group", "media-asg"));
        assert.deepStrictEqual(group.initialLifecycleHooks, [
            { name: "prod-abf890-media-launch", lifecycleTransition: "autoscaling:EC2_INSTANCE_LAUNCHING", defaultResult: "CONTINUE", heartbeatTimeout: 30 },
            { name: "prod-abf890-media-terminate", lifecycleTransition: "autoscaling:EC2_INSTANCE_TERMINATING", defaultResult: "ABANDON", heartbeatTimeout: 30 },
        ]);
        // The hook resources carry the same names (AWS applies initial hooks only when it creates a group).
        assert.deepStrictEqual(all(run, HOOK).map(inputsOf).map((h) => h.name).sort(), ["prod-abf890-media-launch", "prod-abf890-media-terminate"]);
        // A change to them (or a group created before them) must not replace the group and its live nodes.
        assert.ok(one(run, "aws:autoscaling/group:Group", "media-asg").options.ignoreChanges?.includes("initialLifecycleHooks"));
    });

    it("is created after the lifecycle rule, its target and the queue policy, so the first launch events reach the queue", () => {
        const group = one(run, "aws:autoscaling/group:Group", "media-asg");
        assert.deepStrictEqual([...(group.options.dependsOn ?? [])].sort(),
            ["openvidu-state-lifecycle", "openvidu-state-lifecycle-target", "openvidu-state-queue-policy"]);
    });

    it("holds a launching node with a hook that CONTINUEs after 30 s", () => {
        const hook = all(run, HOOK).map(inputsOf).find((h) => h.lifecycleTransition === "autoscaling:EC2_INSTANCE_LAUNCHING");
        assert.ok(hook);
        assert.deepStrictEqual([hook.defaultResult, hook.heartbeatTimeout, hook.autoscalingGroupName], ["CONTINUE", 30, "prod-abf890-ASGMediaNode"]);
    });

    it("holds a terminating node with a hook that ABANDONs after 30 s", () => {
        const hook = all(run, HOOK).map(inputsOf).find((h) => h.lifecycleTransition === "autoscaling:EC2_INSTANCE_TERMINATING");
        assert.ok(hook);
        assert.deepStrictEqual([hook.defaultResult, hook.heartbeatTimeout, hook.autoscalingGroupName], ["ABANDON", 30, "prod-abf890-ASGMediaNode"]);
        assert.strictEqual(all(run, HOOK).length, 2);
    });

    it("alarms on the group's average EC2 CPUUtilization above the scale-up threshold", () => {
        const alarm = inputsOf(one(run, ALARM, "cpu-up"));
        assert.deepStrictEqual(
            [alarm.namespace, alarm.metricName, alarm.statistic, alarm.comparisonOperator, alarm.threshold],
            ["AWS/EC2", "CPUUtilization", "Average", "GreaterThanThreshold", 75],
        );
        assert.deepStrictEqual(alarm.dimensions, { AutoScalingGroupName: "prod-abf890-ASGMediaNode" });
        assert.ok(String(alarm.alarmActions[0]).includes("openvidu-media-scale-up"));
    });

    it("alarms below the scale-down threshold", () => {
        const alarm = inputsOf(one(run, ALARM, "cpu-down"));
        assert.deepStrictEqual([alarm.comparisonOperator, alarm.threshold, alarm.statistic], ["LessThanThreshold", 25, "Average"]);
        assert.deepStrictEqual(alarm.dimensions, { AutoScalingGroupName: "prod-abf890-ASGMediaNode" });
        assert.ok(String(alarm.alarmActions[0]).includes("openvidu-media-scale-down"));
    });

    it("adds or removes one node at a time (ChangeInCapacity ±1)", () => {
        const up = inputsOf(one(run, POLICY, "scale-up"));
        const down = inputsOf(one(run, POLICY, "scale-down"));
        assert.deepStrictEqual([up.adjustmentType, up.scalingAdjustment], ["ChangeInCapacity", 1]);
        assert.deepStrictEqual([down.adjustmentType, down.scalingAdjustment], ["ChangeInCapacity", -1]);
        assert.strictEqual(up.autoscalingGroupName, "prod-abf890-ASGMediaNode");
    });

    it("cannot flap: several samples to alarm, scale-down slower than scale-up, cooldowns beyond a node's boot", () => {
        const up = inputsOf(one(run, ALARM, "cpu-up"));
        const down = inputsOf(one(run, ALARM, "cpu-down"));
        // The reference: one 60 s sample and a 60 s cooldown, so one CPU spike adds a node.
        assert.strictEqual(up.period, 60);
        assert.ok(up.evaluationPeriods >= 3 && up.datapointsToAlarm === up.evaluationPeriods);
        assert.ok(down.evaluationPeriods * down.period >= 10 * 60, "ten minutes of low CPU before removing a node");
        assert.ok(down.evaluationPeriods > up.evaluationPeriods);
        const upPolicy = inputsOf(one(run, POLICY, "scale-up"));
        const downPolicy = inputsOf(one(run, POLICY, "scale-down"));
        assert.ok(upPolicy.cooldown >= 180 && downPolicy.cooldown > upPolicy.cooldown);
        assert.strictEqual(up.treatMissingData, "notBreaching");
        assert.strictEqual(down.treatMissingData, "notBreaching");
    });

    it("scales with exactly docs/scaling.md's numbers: 3×60 s above to add, 15×60 s below to remove, cooldowns 420 s and 600 s", () => {
        // Written out by hand from docs/scaling.md's table, not read from the table in the code.
        const up = inputsOf(one(run, ALARM, "cpu-up"));
        const down = inputsOf(one(run, ALARM, "cpu-down"));
        assert.deepStrictEqual([up.period, up.evaluationPeriods, up.datapointsToAlarm], [60, 3, 3]);
        assert.deepStrictEqual([down.period, down.evaluationPeriods, down.datapointsToAlarm], [60, 15, 15]);
        assert.strictEqual(inputsOf(one(run, POLICY, "scale-up")).cooldown, 420);
        assert.strictEqual(inputsOf(one(run, POLICY, "scale-down")).cooldown, 600);
    });
});
