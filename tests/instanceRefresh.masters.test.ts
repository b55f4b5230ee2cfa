/**
 * The masters' wait on create (InstanceRefreshWait in place of the AWS
 * provider's capacity wait) and the report of every master that both waits
 * fail with: the provider and its real SDK clients against the stand-in
 * Auto Scaling / ELBv2 / EC2 API (support/autoScalingStandIn.ts, which says
 * where its model stops: here, the group never replaces a master, and each
 * view over time is written by the test), on a fake clock.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { mastersWaitSeconds } from "../components/instanceRefresh";
import { instanceRefreshWaitProvider, InstanceRefreshWaitInputs, InstanceRefreshWaitOutputs, SDK_MAX_ATTEMPTS } from "../components/instanceRefresh/provider";
import { POLLING } from "../components/instanceRefresh/poll";
import { describeMasters, servingMasters } from "../components/instanceRefresh/report";
import { failedActivities, replacedMasters } from "../components/instanceRefresh/activities";
import { MASTER_TIER } from "../components/masterTier";
import { BOOT_TIMELINE } from "../models/bootTimeline";
import { AutoScalingStandIn, GroupInstance, TargetHealth } from "./support/autoScalingStandIn";
import { standInOnFakeClock } from "./support/standInClock";

const GROUP = "prod-abf890-ASGOpenViduProMasterNode";
const TARGET_GROUP = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/prod-abf890-masters/0123456789abcdef";
/** up's wait for the masters, written out from docs/operations.md: 26 minutes. */
const CAPACITY_SECONDS = 26 * 60;
const T0 = Math.floor(Date.now() / 1000) * 1000;

const inputs: InstanceRefreshWaitInputs = {
    groupName: GROUP, launchTemplateId: "lt-0123456789abcdef0", launchTemplateVersion: "1", targetGroupArn: TARGET_GROUP,
    region: "eu-west-1", timeoutSeconds: 35 * 60, desiredMasters: 3, capacityTimeoutSeconds: CAPACITY_SECONDS, bootLogGroupName: "/openvidu/prod-abf890/boot", access: {},
};

const inService = (...ids: string[]): GroupInstance[] => ids.map((id) => ({ id, lifecycleState: "InService" }));
const healthy = (...ids: string[]): TargetHealth[] => ids.map((id) => ({ id, state: "healthy" }));
const callsOf = (standIn: AutoScalingStandIn, action: string): Array<Record<string, string>> => standIn.calls.filter((c) => c.Action === action);

/** A failed boot's console: cloud-init noise around the boot script's lines. */
const FAILED_BOOT_CONSOLE = [
    "[   11.0] cloud-init[812]: Cloud-init v. 24.1 running 'modules:final'",
    "2026-12-06T01:00:05Z openvidu-boot: fetching s3://acme-0123/.env",
    "2026-12-06T01:02:07Z openvidu-boot: GET https://acme-0123.s3.eu-west-1.amazonaws.com/.env: HTTP 403 (AccessDenied)",
    "[   99.1] systemd[1]: Started Docker.",
    "2026-12-06T01:02:08Z openvidu-boot: attempt 8/8 failed",
    "2026-12-06T01:02:09Z openvidu-boot: FAILED: could not read s3://acme-0123/.env after 8 attempts -- OpenVidu stays stopped",
].join("\n");

describe("masters' wait on create: up is green once the desired masters serve", function () {
    this.timeout(60_000);
    const fake = standInOnFakeClock(T0);
    const drive = fake.drive;
    let standIn: AutoScalingStandIn;
    const lines: string[] = [];
    let print: typeof console.log;
    beforeEach(() => {
        standIn = fake.standIn;
        lines.length = 0;
        // The provider prints its progress for `pulumi up`: keep it for the assertions, out of the report.
        print = console.log;
        console.log = (line: string) => { lines.push(line); };
    });
    afterEach(() => { console.log = print; });

    const create = () => instanceRefreshWaitProvider.create!(inputs);

    it("waits while the masters launch, register and pass the health check, then succeeds without reading any boot", async () => {
        // Launched Pending; InService at 90 s; registered (initial) then; healthy at 500, 600 and 700 s.
        const s = (now: number): number => (now - T0) / 1000;
        standIn.groups.set(GROUP, (now) => ["i-0a", "i-0b", "i-0c"].map((id) => ({ id, lifecycleState: s(now) < 90 ? "Pending" : "InService" })));
        standIn.targets.set(TARGET_GROUP, (now) => s(now) < 90 ? [] : [["i-0a", 500], ["i-0b", 600], ["i-0c", 700]].map(([id, at]) =>
            s(now) < Number(at) ? { id: String(id), state: "initial", reason: "Elb.RegistrationInProgress" } : { id: String(id), state: "healthy" }));
        const created = await drive(create());
        assert.ifError(created.error);
        assert.strictEqual(created.value?.outs?.lastOutcome, "none");
        assert.ok(created.seconds >= 700 && created.seconds <= 700 + POLLING.maxDelaySeconds, `succeeded after ${created.seconds} s`);
        assert.ok(lines.some((l) => l.includes(`masters of ${GROUP}: 0 of 3 InService and healthy behind the load balancer (3 in the group)`)), lines.join("\n"));
        assert.ok(lines.some((l) => l.includes("2 of 3 InService and healthy")), lines.join("\n"));
        assert.strictEqual(callsOf(standIn, "DescribeTags").length + callsOf(standIn, "GetConsoleOutput").length, 0, "no boot read when nothing failed");
    });

    it("times out after up's budget naming each master: serving, failed boot, never registered, unused, replaced; and the failed launches", async () => {
        standIn.groups.set(GROUP, [...inService("i-0ok", "i-0bad", "i-0lost"), { id: "i-0az", lifecycleState: "InService", healthStatus: "Unhealthy" }]);
        standIn.targets.set(TARGET_GROUP, [
            ...healthy("i-0ok"),
            { id: "i-0bad", state: "unhealthy", reason: "Target.FailedHealthChecks", description: "Health checks failed with these codes: [502]" },
            { id: "i-0az", state: "unused", reason: "Target.NotInUse", description: "Target is in an Availability Zone that is not enabled for the load balancer" },
        ]);
        standIn.instances.set("i-0bad", { bootTag: "failed", console: FAILED_BOOT_CONSOLE });
        // Before the wait: not this `up`'s. During it: a master replaced (gone from both lists), a launch refused.
        standIn.activities.set(GROUP, [
            { description: "Terminating EC2 instance: i-0older", cause: "At 2026-12-01T00:00:00Z an instance was taken out of service in response to a user request.", statusCode: "Successful", startTime: T0 - 86_400_000 },
            { description: "Terminating EC2 instance: i-0gone", statusCode: "Successful", startTime: T0 + 780_000,
                cause: "At 2026-12-06T01:13:00Z an instance was taken out of service in response to an ELB system health check failure.  At 2026-12-06T01:13:05Z instance i-0gone was selected for termination." },
            { description: "Launching a new EC2 instance.  Status Reason: We currently do not have sufficient c5.xlarge capacity in the Availability Zone you requested (eu-west-1c).", statusCode: "Failed",
                statusMessage: "We currently do not have sufficient c5.xlarge capacity in the Availability Zone you requested (eu-west-1c).", startTime: T0 + 800_000 },
        ]);
        standIn.instances.set("i-0gone", { bootTag: "ok", console: "x openvidu-boot: OpenVidu started\n" });
        const created = await drive(create());
        const message = String(created.error?.message);
        assert.ok(created.seconds <= CAPACITY_SECONDS && created.seconds >= CAPACITY_SECONDS - POLLING.maxDelaySeconds, `failed after ${created.seconds} s`);
        assert.match(message, new RegExp(`^The masters' group ${GROUP} did not have 3 masters serving within 26 minutes \\(1 InService and healthy behind the load balancer\\)\\.\\n`));
        assert.match(message, /\nMasters \(4 in the group, 1 InService and healthy behind the load balancer\):\n {2}i-0ok: InService in the group, target healthy\n {2}i-0bad:/);
        assert.match(message, /\n {2}i-0bad: InService in the group, target unhealthy, Target\.FailedHealthChecks \(Health checks failed with these codes: \[502\]\); openvidu:boot=failed\n {6}GET https:\/\/acme-0123\.s3\.eu-west-1\.amazonaws\.com\/\.env: HTTP 403 \(AccessDenied\)\n {6}attempt 8\/8 failed\n {6}FAILED: could not read s3:\/\/acme-0123\/\.env after 8 attempts -- OpenVidu stays stopped\n {6}more: aws ec2 get-console-output --latest --output text --instance-id i-0bad\n/);
        assert.match(message, /\n {6}more: aws ec2 get-console-output --latest --output text --instance-id i-0bad\n {6}or: {3}aws logs tail \/openvidu\/prod-abf890\/boot --log-stream-names i-0bad --since 1d\n/);
        // No boot state: the boot has not reached its outcome, so its stream has nothing yet.
        assert.match(message, /\n {2}i-0lost: InService in the group, never registered with the target group; no boot state yet\n {6}more: aws ec2 get-console-output --latest --output text --instance-id i-0lost\n {2}i-0/);
        assert.match(message, /\n {2}i-0az: InService \(Unhealthy\) in the group, never registered with the target group \(unused, Target\.NotInUse \(Target is in an Availability Zone that is not enabled for the load balancer\)\); no boot state yet\n/);
        assert.match(message, /docs\/operations\.md, "When `pulumi up` fails waiting for the masters"/);
        assert.ok(!message.includes("fetching s3://") && !message.includes("systemd"), "the boot script's last lines only");
        // Boots are read once, at the end, for the three that do not serve.
        // A master the group replaced during the wait is named with why, and what its boot said: its console outlives it.
        assert.match(message, /\n {2}i-0gone: replaced by the group \(an instance was taken out of service in response to an ELB system health check failure\); openvidu:boot=ok\n {6}OpenVidu started\n {6}more: .*i-0gone\n/);
        assert.ok(!message.includes("i-0older"), "an activity from before the wait is not this up's");
        assert.match(message, /\nFailed activities of the group:\n {2}Launching a new EC2 instance\. {2}Status Reason: We currently do not have sufficient c5\.xlarge capacity in the Availability Zone you requested \(eu-west-1c\)\.: Failed\n/);
        assert.deepStrictEqual(callsOf(standIn, "GetConsoleOutput").map((c) => c.InstanceId).sort(), ["i-0az", "i-0bad", "i-0gone", "i-0lost"]);
        assert.strictEqual(callsOf(standIn, "DescribeTags").length, 1);
    });

    it("a refresh that ends Cancelled fails with the same report of each master", async () => {
        const olds: InstanceRefreshWaitOutputs = { ...inputs, launchTemplateVersion: "1", baselineRefreshId: "", lastOutcome: "none" };
        standIn.refreshes.push({ id: "r-cancelled", groupName: GROUP, startTime: T0, phases: [{ status: "InProgress", seconds: 120 }],
            end: { status: "Cancelled", statusReason: "Cancelled by an operator" } });
        standIn.groups.set(GROUP, [...inService("i-0old1", "i-0old2", "i-0old3"), { id: "i-0new1", lifecycleState: "Pending:Wait" }]);
        standIn.targets.set(TARGET_GROUP, healthy("i-0old1", "i-0old2", "i-0old3"));
        standIn.instances.set("i-0new1", { bootTag: "failed", console: "x openvidu-boot: FAILED: the .env check refused it\n" });
        const updated = await drive(instanceRefreshWaitProvider.update!(GROUP, olds, { ...inputs, launchTemplateVersion: "2" }));
        const message = String(updated.error?.message);
        assert.match(message, /^Instance refresh r-cancelled of the masters' group .* ended: Cancelled.*\(Cancelled by an operator\)\./);
        assert.match(message, /\nMasters \(4 in the group, 3 InService and healthy behind the load balancer\):\n/);
        // Its boot ended, so its lines are in the cluster's boot log group too.
        assert.match(message, /\n {2}i-0new1: Pending:Wait in the group, never registered with the target group; openvidu:boot=failed\n {6}FAILED: the \.env check refused it\n {6}more: .*i-0new1\n {6}or: {3}aws logs tail \/openvidu\/prod-abf890\/boot --log-stream-names i-0new1 --since 1d\n/);
    });

    it("retries throttling and 5xx answers and still sees the masters serve", async () => {
        standIn.groups.set(GROUP, inService("i-0a", "i-0b", "i-0c"));
        standIn.targets.set(TARGET_GROUP, healthy("i-0a", "i-0b", "i-0c"));
        standIn.faults.push({ httpStatus: 400, code: "Throttling", message: "Rate exceeded", count: 4, action: "DescribeAutoScalingGroups" });
        standIn.faults.push({ httpStatus: 503, code: "ServiceUnavailable", message: "Service is unavailable", count: 4, action: "DescribeAutoScalingGroups" });
        const created = await drive(create());
        assert.ifError(created.error);
        assert.strictEqual(callsOf(standIn, "DescribeAutoScalingGroups").length, 9, "the 8 faults retried (the SDK's attempts, then the next polls), then one answer");
    });

    it("gives up after a bounded number of calls when AWS keeps failing, saying the outcome is unknown", async () => {
        standIn.faults.push({ httpStatus: 500, code: "InternalFailure", message: "internal error", count: 10_000, action: "DescribeAutoScalingGroups" });
        const created = await drive(create());
        assert.match(String(created.error?.message), new RegExp(`Could not follow the masters' group ${GROUP}: AWS answered InternalFailure \\(HTTP 500\\): internal error\\. Whether the masters serve is unknown`));
        assert.strictEqual(callsOf(standIn, "DescribeAutoScalingGroups").length, SDK_MAX_ATTEMPTS * POLLING.maxFailedPollsInARow);
    });

    it("stops at once, naming the permissions, when the deployer may not describe the group", async () => {
        standIn.faults.push({ httpStatus: 403, code: "AccessDenied", message: "User is not authorized to perform: autoscaling:DescribeAutoScalingGroups", count: 10_000, action: "DescribeAutoScalingGroups" });
        const created = await drive(create());
        assert.match(String(created.error?.message), /needs autoscaling:DescribeAutoScalingGroups and elasticloadbalancing:DescribeTargetHealth/);
        assert.strictEqual(callsOf(standIn, "DescribeAutoScalingGroups").length, 1, "not retried");
    });

    it("an update that changes the desired count or the group waits for the masters; one that does not, or a state without a count, reads no group", async () => {
        const olds: InstanceRefreshWaitOutputs = { ...inputs, desiredMasters: 2, baselineRefreshId: "", lastOutcome: "none" };
        standIn.groups.set(GROUP, inService("i-0a", "i-0b", "i-0c"));
        standIn.targets.set(TARGET_GROUP, (now) => healthy(...(now - T0 < 300_000 ? ["i-0a", "i-0b"] : ["i-0a", "i-0b", "i-0c"])));
        const grown = await drive(instanceRefreshWaitProvider.update!(GROUP, olds, inputs));
        assert.ifError(grown.error);
        assert.ok(grown.seconds >= 300, `returned after ${grown.seconds} s, before the third master served`);
        const reads = callsOf(standIn, "DescribeAutoScalingGroups").length;
        await drive(instanceRefreshWaitProvider.update!(GROUP, { ...olds, desiredMasters: 3 }, { ...inputs, launchTemplateVersion: "2" }));
        const earlier: InstanceRefreshWaitOutputs = { ...olds, desiredMasters: undefined, capacityTimeoutSeconds: undefined };
        await drive(instanceRefreshWaitProvider.update!(GROUP, earlier, inputs));
        assert.strictEqual(callsOf(standIn, "DescribeAutoScalingGroups").length, reads);
        // A new group (a renamed, so replaced, one) is the provider's create: the masters are awaited.
        await drive(instanceRefreshWaitProvider.update!(GROUP, { ...olds, desiredMasters: 3, groupName: "prod-ASGOpenViduProMasterNode" }, inputs));
        assert.deepStrictEqual(callsOf(standIn, "DescribeAutoScalingGroups").slice(reads).map((c) => c["AutoScalingGroupNames.member.1"]), [GROUP]);
    });
});

describe("masters' report and the wait's numbers", () => {
    it("counts a master only when InService and Healthy in the group and healthy in the target group", () => {
        const targets = healthy("i-0a", "i-0b", "i-0c", "i-0gone");
        const instances = [...inService("i-0a"), { id: "i-0b", lifecycleState: "Pending" }, { id: "i-0c", lifecycleState: "InService", healthStatus: "Unhealthy" }, ...inService("i-0d")];
        assert.deepStrictEqual(servingMasters(instances, targets), ["i-0a"]);
    });

    it("names the group's part unknown rather than guessing when the group could not be read", () => {
        const report = describeMasters(undefined, [{ id: "i-0a", state: "healthy" }, { id: "i-0b", state: "unhealthy", reason: "Target.Timeout" }]);
        assert.match(report, /^Masters \(2 in the target group\):\n {2}i-0a: target healthy\n {2}i-0b: target unhealthy, Target\.Timeout; no boot state yet\n/);
    });

    it("reads the group's activities since the wait began: each replaced master with why, the last three failures", () => {
        const from = new Date(T0);
        const at = (s: number): Date => new Date(T0 + s * 1000);
        const activities = [
            { description: "Terminating EC2 instance: i-0a", statusCode: "Successful", startTime: at(-1), cause: "At 2026-12-06T00:59:59Z an instance was taken out of service in response to a user request." },
            { description: "Terminating EC2 instance: i-0b", statusCode: "Successful", startTime: at(10),
                cause: "At 2026-12-06T01:00:10Z a user request update of AutoScalingGroup constraints changed the desired capacity from 3 to 2.  At 2026-12-06T01:00:11Z an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from 3 to 2.  At 2026-12-06T01:00:12Z instance i-0b was selected for termination." },
            { description: "Terminating EC2 instance: i-0c", statusCode: "InProgress", startTime: at(20) },
            ...[30, 40, 50, 60].map((s) => ({ description: `Launching a new EC2 instance. Status Reason: quota ${s}`, statusCode: "Failed", statusMessage: `quota ${s}`, startTime: at(s) })),
            { description: "Launching a new EC2 instance", statusCode: "Failed", statusMessage: "Invalid IAM Instance Profile name", startTime: at(5) },
        ];
        assert.deepStrictEqual(replacedMasters(activities, from), [
            { id: "i-0c", why: "no cause given" },
            { id: "i-0b", why: "an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from 3 to 2" },
        ]);
        assert.deepStrictEqual(failedActivities(activities, from), [60, 50, 40].map((s) => `  Launching a new EC2 instance. Status Reason: quota ${s}: Failed`));
        assert.deepStrictEqual(failedActivities(activities.slice(-1), from), ["  Launching a new EC2 instance (Invalid IAM Instance Profile name): Failed"]);
    });

    it("waits the boot timeline's budget for up (26 minutes), and the docs say so", () => {
        assert.strictEqual(mastersWaitSeconds(MASTER_TIER), BOOT_TIMELINE.upWaitTimeoutSeconds);
        assert.strictEqual(mastersWaitSeconds(MASTER_TIER), CAPACITY_SECONDS);
        const operations = fs.readFileSync(path.join(__dirname, "..", "docs", "operations.md"), "utf8").replace(/\s+/g, " ");
        const section = operations.slice(operations.indexOf("## When `pulumi up` fails waiting for the masters"));
        assert.ok(section.includes(`within ${CAPACITY_SECONDS / 60} minutes`), "docs/operations.md states the limit");
    });
});
