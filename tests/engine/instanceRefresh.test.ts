/**
 * The masters' refresh wait under the real Pulumi engine: the dynamic provider
 * serialized into state and run by the CLI's provider host, against the
 * stand-in Auto Scaling / ELBv2 API (support/autoScalingStandIn.ts, which says
 * where its model stops), in real time. The group is an aws.autoscaling.Group
 * served by the stand-in AWS provider (it echoes its inputs and starts no
 * refresh): each test puts in the stand-in API the refresh the real provider
 * would have started for that update.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as aws from "@pulumi/aws";
import * as automation from "@pulumi/pulumi/automation";
import { InstanceRefreshWait } from "../../components/instanceRefresh";
import { AutoScalingStandIn, RefreshScript, startAutoScalingStandIn } from "../support/autoScalingStandIn";
import { EngineSandbox, pulumiCommandOf, sandboxOrSkip, standInPlugins } from "../support/pulumiCli";

const repoRoot = path.join(__dirname, "..", "..");
const GROUP = "engine-ASGOpenViduProMasterNode";
const TARGET_GROUP = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/engine-tg/0123456789abcdef";

/** The master tier's group and, after it, the wait, as components/masterTier.ts declares them. */
function program(version: string, groupName = GROUP, capacityTimeoutSeconds = 120): automation.PulumiFn {
    return async () => {
        const group = new aws.autoscaling.Group("masters", {
            name: groupName, minSize: 2, maxSize: 2, desiredCapacity: 2, targetGroupArns: [TARGET_GROUP], waitForCapacityTimeout: "0",
            launchTemplate: { id: "lt-0123456789abcdef0", version },
            instanceRefresh: { strategy: "Rolling", preferences: { minHealthyPercentage: 100, maxHealthyPercentage: 200 } },
        });
        const wait = new InstanceRefreshWait("masters-refresh", {
            groupName: group.name,
            launchTemplateId: group.launchTemplate.apply((t) => t?.id ?? ""),
            launchTemplateVersion: group.launchTemplate.apply((t) => t?.version ?? ""),
            targetGroupArn: TARGET_GROUP,
            region: "eu-west-1",
            timeoutSeconds: 120,
            desiredMasters: 2,
            capacityTimeoutSeconds,
        }, { dependsOn: [group] });
        return { baseline: wait.baselineRefreshId, outcome: wait.lastOutcome };
    };
}

describe("the masters' refresh wait under the real Pulumi engine", function () {
    this.timeout(600_000);
    let sandbox: EngineSandbox;
    let plugins: { dir: string; dispose(): void } | undefined;
    let standIn: AutoScalingStandIn;
    let workDir: string;
    let pulumiCommand: automation.PulumiCommand;

    before(async function () {
        sandbox = sandboxOrSkip(this);
        plugins = standInPlugins(["aws"]);
        pulumiCommand = await pulumiCommandOf(sandbox);
        standIn = await startAutoScalingStandIn();
        workDir = fs.mkdtempSync(path.join(os.tmpdir(), "openvidu-refresh-engine-"));
    });
    after(async () => {
        await standIn?.close();
        if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
        plugins?.dispose();
        sandbox?.dispose();
    });

    async function stackAt(version: string, stackName = "refresh", fn = program(version)): Promise<automation.Stack> {
        const stack = await automation.LocalWorkspace.createOrSelectStack({ stackName, projectName: "openvidu", program: fn }, {
            workDir,
            pulumiCommand,
            // The CLI starts the dynamic provider in `main`: this package, with its node_modules.
            projectSettings: { name: "openvidu", runtime: "nodejs", main: repoRoot },
            envVars: { ...sandbox.env, ...standIn.env, PATH: `${plugins?.dir}${path.delimiter}${sandbox.env.PATH}` },
        });
        await stack.setConfig("aws:region", { value: "eu-west-1" });
        return stack;
    }

    async function up(version: string, stack?: automation.Stack): Promise<{ ok: boolean; output: string; seconds: number; outputs?: automation.OutputMap }> {
        stack ??= await stackAt(version);
        let output = "";
        const start = Date.now();
        try {
            const result = await stack.up({ onOutput: (line) => { output += line; } });
            return { ok: true, output, seconds: (Date.now() - start) / 1000, outputs: result.outputs };
        } catch (error) {
            return { ok: false, output: `${output}\n${(error as Error).message}`, seconds: (Date.now() - start) / 1000 };
        }
    }

    const now = (): number => Date.now();

    it("creates the stack once both masters serve, recording the group's newest refresh", async () => {
        // A refresh from before the wait existed: never awaited.
        standIn.refreshes.push({ id: "r-old", groupName: GROUP, startTime: now() - 86_400_000, phases: [], end: { status: "Failed", statusReason: "an old failure" } });
        standIn.groups.set(GROUP, [{ id: "i-0old1", lifecycleState: "InService" }, { id: "i-0old2", lifecycleState: "InService" }]);
        standIn.targets.set(TARGET_GROUP, [{ id: "i-0old1", state: "healthy" }, { id: "i-0old2", state: "healthy" }]);
        const created = await up("1");
        assert.ok(created.ok, created.output);
        assert.strictEqual(created.outputs?.baseline.value, "r-old");
        assert.strictEqual(created.outputs?.outcome.value, "none");
        assert.deepStrictEqual(standIn.calls.map((c) => c.Action), ["DescribeInstanceRefreshes", "DescribeAutoScalingGroups", "DescribeTargetHealth"],
            "one look at the group's refreshes, one at its masters");
        assert.match(created.output, /masters of engine-ASGOpenViduProMasterNode: 2 of 2 InService and healthy behind the load balancer/);
    });

    it("on a new launch template version, waits until the refresh succeeds, with its progress in up's output", async () => {
        // A new launch template version: the provider starts a refresh (played here), `up` waits until it succeeds.
        const refresh: RefreshScript = { id: "r-ok", groupName: GROUP, startTime: now(), phases: [{ status: "InProgress", seconds: 3600 }], end: { status: "Successful" } };
        standIn.refreshes.push(refresh);
        const polls = standIn.calls.length;
        let settled = false;
        const running = up("2").finally(() => { settled = true; });
        // However long the engine takes to reach the wait, the refresh ends 2 s after the wait first saw it running.
        while (standIn.calls.length === polls && !settled) await new Promise((resolve) => setTimeout(resolve, 100));
        const endsAt = now() + 2_000;
        refresh.phases[0].seconds = (endsAt - refresh.startTime) / 1000;
        const refreshed = await running;
        assert.ok(refreshed.ok, refreshed.output);
        assert.strictEqual(refreshed.outputs?.baseline.value, "r-ok");
        assert.strictEqual(refreshed.outputs?.outcome.value, "Successful");
        assert.ok(now() >= endsAt, "up returned before the refresh ended");
        assert.ok(standIn.calls.length - polls >= 2, "polled until the end");
        assert.match(refreshed.output, /instance refresh r-ok of engine-ASGOpenViduProMasterNode: InProgress, \d+% complete/, "the progress reaches up's output");
        assert.match(refreshed.output, /instance refresh r-ok of engine-ASGOpenViduProMasterNode ended Successful/);
    });

    it("waits for nothing, and calls nothing, when the program is unchanged", async () => {
        // The same program again: nothing changes, nothing is awaited.
        const polls = standIn.calls.length;
        const again = await up("2");
        assert.ok(again.ok, again.output);
        assert.strictEqual(standIn.calls.length, polls, "no AWS call without a change");
    });

    it("fails `up` with the refresh's reason and the unhealthy targets' when the refresh fails, until a new refresh succeeds", async () => {
        // A refresh that fails: `up` fails with its reason and the unhealthy targets'.
        standIn.refreshes.push({ id: "r-bad", groupName: GROUP, startTime: now(), phases: [], end: {
            status: "Failed", statusReason: "Instance i-0new1 failed ELB health checks", percentageComplete: 0 } });
        standIn.targets.set(TARGET_GROUP, [
            { id: "i-0old1", state: "healthy" },
            { id: "i-0new1", state: "unhealthy", reason: "Target.FailedHealthChecks", description: "Health checks failed with these codes: [502]" },
        ]);
        standIn.groups.set(GROUP, [{ id: "i-0old1", lifecycleState: "InService" }, { id: "i-0new1", lifecycleState: "InService" }]);
        const failed = await up("3");
        assert.ok(!failed.ok, "up fails");
        assert.match(failed.output, /Instance refresh r-bad of the masters' group engine-ASGOpenViduProMasterNode ended: Failed/);
        assert.match(failed.output, /Instance i-0new1 failed ELB health checks/);
        assert.match(failed.output, /i-0new1: InService in the group, target unhealthy, Target\.FailedHealthChecks \(Health checks failed with these codes: \[502\]\); no boot state yet/);

        // The next `up` reports the same failed refresh again: the state kept the last good baseline.
        const still = await up("3");
        assert.ok(!still.ok && /r-bad/.test(still.output), still.output);

        // An operator starts a new refresh (docs/operations.md); the next `up` waits for it and succeeds.
        standIn.refreshes.push({ id: "r-retried", groupName: GROUP, startTime: now(), phases: [], end: { status: "Successful" } });
        const recovered = await up("3");
        assert.ok(recovered.ok, recovered.output);
        assert.strictEqual(recovered.outputs?.baseline.value, "r-retried");
    });

    it("a first up whose masters never serve: preview waits for nothing; up fails naming each master and what its boot said", async () => {
        const group = "engine-first-ASGOpenViduProMasterNode";
        standIn.groups.set(group, [{ id: "i-0good", lifecycleState: "InService" }, { id: "i-0bad", lifecycleState: "InService" }, { id: "i-0lost", lifecycleState: "Pending" }]);
        standIn.targets.set(TARGET_GROUP, [{ id: "i-0good", state: "healthy" }, { id: "i-0bad", state: "unhealthy", reason: "Target.FailedHealthChecks" }]);
        standIn.instances.set("i-0bad", { bootTag: "failed", console: "x openvidu-boot: attempt 8/8 failed\ny openvidu-boot: FAILED: could not read s3://b/.env after 8 attempts -- OpenVidu stays stopped\n" });
        const stack = await stackAt("1", "first", program("1", group, 20));
        const calls = standIn.calls.length;
        await stack.preview();
        assert.strictEqual(standIn.calls.length, calls, "a preview makes no AWS call of the wait");
        const failed = await up("1", stack);
        assert.ok(!failed.ok, "up fails");
        assert.match(failed.output, /The masters' group engine-first-ASGOpenViduProMasterNode did not have 2 masters serving within 20 s \(1 InService and healthy behind the load balancer\)/);
        assert.match(failed.output, /i-0bad: InService in the group, target unhealthy, Target\.FailedHealthChecks; openvidu:boot=failed\n\s+attempt 8\/8 failed\n\s+FAILED: could not read s3:\/\/b\/\.env after 8 attempts -- OpenVidu stays stopped\n\s+more: aws ec2 get-console-output --latest --output text --instance-id i-0bad/);
        assert.match(failed.output, /i-0lost: Pending in the group, never registered with the target group; no boot state yet/);
        assert.ok(failed.seconds >= 20, `failed after ${failed.seconds} s`);
    });
});
