/**
 * The masters' refresh wait (components/instanceRefresh) with the real AWS SDK
 * clients against a stand-in Auto Scaling / ELBv2 API (support/autoScalingStandIn.ts,
 * which says where its model stops), on a fake clock: a 20-minute wait runs in
 * milliseconds. The clock moves in one-second steps, with real I/O let through
 * between steps, so the SDK's own retries and the waiter's polls both run.
 */
import * as assert from "assert";
import { awsRefreshApi, bootLines, changedInputs, instanceRefreshWaitProvider, InstanceRefreshWaitInputs, SDK_MAX_ATTEMPTS } from "../components/instanceRefresh/provider";
import { describeError, isPermanent, POLLING, RefreshApi, waitForRefresh, WaitOutcome } from "../components/instanceRefresh/waiter";
import * as fs from "fs";
import * as path from "path";
import { refreshWaitSeconds } from "../components/instanceRefresh";
import { MASTER_TIER } from "../components/masterTier";
import { AutoScalingStandIn, GroupInstance, refreshAt, RefreshScript, startAutoScalingStandIn } from "./support/autoScalingStandIn";
import { standInOnFakeClock } from "./support/standInClock";

const GROUP = "prod-ASGOpenViduProMasterNode";
const TARGET_GROUP = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/prod-abf890-tg/0123456789abcdef";
/** 20 min + 180 s warmup + 60 s drain, written out from docs/scaling.md. */
const TIMEOUT_SECONDS = 1440;
/** The fake clock starts at the real time: the SDK treats a 403 from a server whose clock differs by minutes as clock skew, and retries. */
const T0 = Math.floor(Date.now() / 1000) * 1000;

const inputs: InstanceRefreshWaitInputs = {
    groupName: GROUP, launchTemplateId: "lt-0123456789abcdef0", launchTemplateVersion: "2",
    targetGroupArn: TARGET_GROUP, region: "eu-west-1", timeoutSeconds: TIMEOUT_SECONDS, access: {},
};

function script(id: string, startTime: number, phases: RefreshScript["phases"], end: RefreshScript["end"]): RefreshScript {
    return { id, groupName: GROUP, startTime, phases, end };
}

/** The group's instances, each InService and Healthy unless said otherwise. */
const inService = (...ids: string[]): GroupInstance[] => ids.map((id) => ({ id, lifecycleState: "InService" }));

const refreshCalls = (standIn: AutoScalingStandIn): number => standIn.calls.filter((c) => c.Action === "DescribeInstanceRefreshes").length;

describe("masters' instance refresh wait", function () {
    this.timeout(60_000);
    const fake = standInOnFakeClock(T0);
    const drive = fake.drive;
    let standIn: AutoScalingStandIn;
    beforeEach(() => {
        standIn = fake.standIn;
        // The masters as the group and the target group list them when a test does not say otherwise.
        standIn.groups.set(GROUP, []);
    });

    const lines: string[] = [];
    const wait = (baselineRefreshId?: string): Promise<WaitOutcome> =>
        waitForRefresh(awsRefreshApi(inputs), { groupName: GROUP, baselineRefreshId, timeoutSeconds: TIMEOUT_SECONDS, log: (line) => lines.push(line) });
    beforeEach(() => { lines.length = 0; });

    it("returns at once when the group has no refresh (first create, or a change that starts none)", async () => {
        const result = await drive(wait());
        assert.deepStrictEqual(result.value, { kind: "none" });
        assert.strictEqual(result.seconds, 0, "one look, no sleep");
        assert.strictEqual(refreshCalls(standIn), 1);
    });

    it("returns at once when the newest refresh is the one recorded last time (no new refresh)", async () => {
        standIn.refreshes.push(script("old-refresh", T0 - 86_400_000, [], { status: "Failed", statusReason: "an old failure" }));
        const result = await drive(wait("old-refresh"));
        assert.deepStrictEqual(result.value, { kind: "none" });
        assert.ok(result.seconds < POLLING.minDelaySeconds, `${result.seconds} s passed`);
        assert.strictEqual(refreshCalls(standIn), 1);
    });

    it("waits for a refresh that succeeds after several polls, and says how it goes", async () => {
        standIn.refreshes.push(script("old-refresh", T0 - 86_400_000, [], { status: "Successful" }));
        standIn.refreshes.push(script("r-ok", T0 - 5_000, [{ status: "Pending", seconds: 30 }, { status: "InProgress", seconds: 600 }], { status: "Successful" }));
        const result = await drive(wait("old-refresh"));
        assert.ifError(result.error);
        assert.strictEqual(result.value?.kind, "succeeded");
        assert.strictEqual(result.value?.kind === "succeeded" && result.value.refresh.id, "r-ok");
        // The refresh ends 625 s after the wait starts; the next poll comes at most maxDelay later.
        assert.ok(result.seconds >= 625 && result.seconds <= 625 + POLLING.maxDelaySeconds, `waited ${result.seconds} s`);
        assert.ok(refreshCalls(standIn) >= 5, `${refreshCalls(standIn)} polls`);
        assert.ok(lines.some((l) => /r-ok of prod-ASGOpenViduProMasterNode: InProgress, \d+% complete/.test(l)), lines.join("\n"));
    });

    it("fails with the refresh's status reason, each unhealthy target's reason and the instance ids when the refresh fails", async () => {
        standIn.refreshes.push(script("r-failed", T0, [{ status: "InProgress", seconds: 400 }],
            { status: "Failed", percentageComplete: 0, statusReason: "Instance i-0new1 failed to become healthy: ELB health check failure" }));
        standIn.targets.set(TARGET_GROUP, [
            { id: "i-0old1", state: "healthy" },
            { id: "i-0new1", state: "unhealthy", reason: "Target.FailedHealthChecks", description: "Health checks failed with these codes: [502]" },
            { id: "i-0new2", state: "unhealthy", reason: "Target.Timeout", description: "Request timed out" },
        ]);
        standIn.groups.set(GROUP, inService("i-0old1", "i-0new1", "i-0new2"));
        const result = await drive(wait());
        assert.ok(result.error, "the wait fails");
        const message = result.error.message;
        assert.match(message, /Instance refresh r-failed of the masters' group prod-ASGOpenViduProMasterNode ended: Failed/);
        assert.match(message, /Instance i-0new1 failed to become healthy: ELB health check failure/);
        assert.match(message, /Masters \(3 in the group, 1 InService and healthy behind the load balancer\):/);
        assert.match(message, /i-0new1: InService in the group, target unhealthy, Target\.FailedHealthChecks \(Health checks failed with these codes: \[502\]\); no boot state yet\n {6}more: /);
        assert.match(message, /i-0new2: InService in the group, target unhealthy, Target\.Timeout \(Request timed out\); no boot state yet/);
        // A master that serves is named, without a boot report.
        assert.match(message, /\n {2}i-0old1: InService in the group, target healthy\n {2}i-0new1/);
        assert.ok(result.seconds >= 400 && result.seconds <= 400 + POLLING.maxDelaySeconds, `failed after ${result.seconds} s`);
    });

    it("names what each failing master said of its boot: its tag, its last console lines, and the command that shows more", async () => {
        standIn.refreshes.push(script("r-boot", T0, [{ status: "InProgress", seconds: 300 }], { status: "Failed", statusReason: "health checks failed" }));
        standIn.targets.set(TARGET_GROUP, [
            { id: "i-0old1", state: "healthy" },
            { id: "i-0new1", state: "unhealthy", reason: "Target.FailedHealthChecks" },
            { id: "i-0new2", state: "unhealthy", reason: "Target.FailedHealthChecks" },
            { id: "i-0gone", state: "draining", reason: "Target.DeregistrationInProgress" },
        ]);
        standIn.instances.set("i-0new1", {
            bootTag: "failed",
            console: [
                "[   12.345678] cloud-init[987]: Cloud-init v. 24.1 running 'modules:final'",
                "2026-12-06T01:00:05Z openvidu-boot: fetching s3://acme-0123/.env (https://acme-0123.s3.eu-west-1.amazonaws.com/.env)",
                "[   13.000001] random kernel line",
                "2026-12-06T01:00:07Z openvidu-boot: GET https://acme-0123.s3.eu-west-1.amazonaws.com/.env: HTTP 403 (AccessDenied)",
                "2026-12-06T01:00:08Z openvidu-boot: attempt 8/8 failed",
                "2026-12-06T01:00:09Z openvidu-boot: FAILED: could not read s3://acme-0123/.env after 8 attempts -- OpenVidu stays stopped",
            ].join("\r\n"),
        });
        standIn.instances.set("i-0new2", {});
        standIn.groups.set(GROUP, inService("i-0old1", "i-0new1", "i-0new2"));
        const result = await drive(wait());
        const message = String(result.error?.message);
        assert.match(message, /i-0new1: InService in the group, target unhealthy, Target\.FailedHealthChecks; openvidu:boot=failed\n {6}GET https:\/\/acme-0123\.s3\.eu-west-1\.amazonaws\.com\/\.env: HTTP 403 \(AccessDenied\)\n {6}attempt 8\/8 failed\n {6}FAILED: could not read s3:\/\/acme-0123\/\.env after 8 attempts -- OpenVidu stays stopped\n {6}more: aws ec2 get-console-output --latest --output text --instance-id i-0new1/);
        assert.match(message, /i-0new2: InService in the group, target unhealthy, Target\.FailedHealthChecks; no boot state yet\n {6}more: aws ec2 get-console-output --latest --output text --instance-id i-0new2/);
        // An instance EC2 no longer knows is still reported, without lines.
        assert.match(message, /i-0gone: no longer in the group, target draining, Target\.DeregistrationInProgress; no boot state yet\n {6}more: .*i-0gone/);
        assert.ok(!message.includes("kernel line") && !message.includes("fetching s3://"), "only the last boot lines, nothing else of the console");
        assert.deepStrictEqual(standIn.calls.filter((c) => c.Action === "DescribeTags").length, 1, "one DescribeTags for all failing masters");
    });

    it("still reports the targets, saying why, when the masters' boot outcomes cannot be read", async () => {
        const api: RefreshApi = {
            refreshes: async () => [{ id: "r-x", status: "Failed", startTime: new Date(T0) }],
            instances: async () => inService("i-0new1"),
            targets: async () => [{ id: "i-0new1", state: "unhealthy", reason: "Target.FailedHealthChecks" }],
            boots: async () => { throw Object.assign(new Error("You are not authorized to perform this operation."), { name: "UnauthorizedOperation", $metadata: { httpStatusCode: 403 } }); },
        };
        await assert.rejects(waitForRefresh(api, { groupName: GROUP, baselineRefreshId: undefined, timeoutSeconds: TIMEOUT_SECONDS }), (error: Error) => {
            assert.match(error.message, /i-0new1: InService in the group, target unhealthy, Target\.FailedHealthChecks; no boot state yet/);
            assert.match(error.message, /The masters' boot outcomes could not be read: UnauthorizedOperation \(HTTP 403\)/);
            return true;
        });
    });

    it("quotes only the boot script's lines of a console output, the last three", () => {
        const console = ["kernel: x", "a openvidu-boot: one", "b openvidu-boot: two", "noise", "c openvidu-boot: three", "d openvidu-boot: four", ""].join("\n");
        assert.deepStrictEqual(bootLines(Buffer.from(console).toString("base64")), ["two", "three", "four"]);
        assert.deepStrictEqual(bootLines(undefined), []);
    });

    for (const [status, reason] of [["Cancelled", "Cancelled by an operator"], ["RollbackSuccessful", "Rolled back after a failed health check"], ["RollbackFailed", "Rollback failed"]]) {
        it(`fails when the refresh ends ${status}`, async () => {
            standIn.refreshes.push(script(`r-${status}`, T0, [{ status: "InProgress", seconds: 120 }], { status, statusReason: reason }));
            standIn.targets.set(TARGET_GROUP, []);
            const result = await drive(wait());
            assert.match(String(result.error?.message), new RegExp(`r-${status} of the masters' group ${GROUP} ended: ${status}.*\\(${reason}\\)`));
        });
    }

    it("times out naming the refresh, its last status and percentage; the refresh goes on", async () => {
        standIn.refreshes.push(script("r-slow", T0, [{ status: "InProgress", seconds: 4000 }], { status: "Successful" }));
        standIn.targets.set(TARGET_GROUP, [{ id: "i-0new1", state: "initial", reason: "Elb.RegistrationInProgress", description: "Target registration is in progress" }]);
        standIn.groups.set(GROUP, inService("i-0new1"));
        const result = await drive(wait());
        assert.ok(result.error, "the wait times out");
        assert.match(result.error.message, /Instance refresh r-slow of the masters' group prod-ASGOpenViduProMasterNode did not end within 24 minutes \(it goes on in AWS\); last seen: InProgress, 3[0-9]% complete/);
        assert.match(result.error.message, /i-0new1: InService in the group, target initial, Elb\.RegistrationInProgress/);
        assert.ok(result.seconds <= TIMEOUT_SECONDS && result.seconds >= TIMEOUT_SECONDS - POLLING.maxDelaySeconds, `timed out after ${result.seconds} s`);
    });

    it("follows a newer refresh that supersedes the awaited one", async () => {
        standIn.refreshes.push(script("r-first", T0, [{ status: "InProgress", seconds: 100 }], { status: "Cancelled", statusReason: "superseded" }));
        // Started while r-first was still running: Auto Scaling cancels the old one first (played here by the scripts).
        standIn.refreshes.push(script("r-second", T0 + 90_000, [{ status: "InProgress", seconds: 300 }], { status: "Successful" }));
        const result = await drive(wait());
        assert.ifError(result.error);
        assert.strictEqual(result.value?.kind === "succeeded" && result.value.refresh.id, "r-second");
        assert.ok(lines.some((l) => /r-first was superseded by r-second/.test(l)), lines.join("\n"));
    });

    it("retries throttling and 5xx answers (the SDK's retries, then the next poll) and still sees the end", async () => {
        standIn.refreshes.push(script("r-throttled", T0, [{ status: "InProgress", seconds: 60 }], { status: "Successful" }));
        standIn.faults.push({ httpStatus: 400, code: "Throttling", message: "Rate exceeded", count: 4 });
        standIn.faults.push({ httpStatus: 503, code: "ServiceUnavailable", message: "Service is unavailable", count: 2 });
        const result = await drive(wait());
        assert.ifError(result.error);
        assert.strictEqual(result.value?.kind, "succeeded");
        assert.ok(refreshCalls(standIn) >= 8, `${refreshCalls(standIn)} calls: the 6 faults were retried`);
    });

    it("gives up after a bounded number of calls when Auto Scaling keeps failing, saying the outcome is unknown", async () => {
        standIn.refreshes.push(script("r-unseen", T0, [{ status: "InProgress", seconds: 600 }], { status: "Successful" }));
        standIn.faults.push({ httpStatus: 500, code: "InternalFailure", message: "internal error", count: 1_000 });
        const result = await drive(wait());
        assert.match(String(result.error?.message), /Could not follow the masters' group prod-ASGOpenViduProMasterNode: Auto Scaling answered InternalFailure \(HTTP 500\).*outcome of its instance refresh is unknown/);
        assert.strictEqual(refreshCalls(standIn), SDK_MAX_ATTEMPTS * POLLING.maxFailedPollsInARow, "each poll's SDK attempts, for the polls allowed in a row");
    });

    it("stops at once, naming the permission, when the deployer may not describe refreshes", async () => {
        standIn.faults.push({ httpStatus: 403, code: "AccessDenied", message: "User is not authorized to perform: autoscaling:DescribeInstanceRefreshes", count: 1_000 });
        const result = await drive(wait());
        assert.match(String(result.error?.message), /needs autoscaling:DescribeInstanceRefreshes/);
        assert.strictEqual(refreshCalls(standIn), 1, "not retried");
        assert.ok(result.seconds < POLLING.minDelaySeconds, `${result.seconds} s passed`);
    });

    describe("the provider", () => {
        // The provider prints its progress for `pulumi up`; keep it out of the test report.
        let print: typeof console.log;
        beforeEach(() => { print = console.log; console.log = () => undefined; });
        afterEach(() => { console.log = print; });

        it("create records the newest refresh and waits for none; an update without a newer refresh returns at once", async () => {
            standIn.refreshes.push(script("r-before", T0 - 3_600_000, [], { status: "Failed", statusReason: "before this stack managed the wait" }));
            const created = await drive(instanceRefreshWaitProvider.create!(inputs));
            assert.strictEqual(created.value?.outs?.baselineRefreshId, "r-before");
            const updated = await drive(instanceRefreshWaitProvider.update!(GROUP, created.value!.outs!, { ...inputs, timeoutSeconds: 60 }));
            assert.ifError(updated.error);
            assert.strictEqual(updated.value?.outs?.baselineRefreshId, "r-before");
            assert.strictEqual(updated.value?.outs?.lastOutcome, "none");
        });

        it("create waits for a refresh still running (an existing stack whose first up with the wait also refreshes the masters)", async () => {
            standIn.refreshes.push(script("r-before", T0 - 3_600_000, [], { status: "Successful" }));
            standIn.refreshes.push(script("r-same-up", T0 - 10_000, [{ status: "InProgress", seconds: 300 }], { status: "Failed", statusReason: "health checks failed" }));
            standIn.targets.set(TARGET_GROUP, []);
            const created = await drive(instanceRefreshWaitProvider.create!(inputs));
            assert.match(String(created.error?.message), /r-same-up of the masters' group prod-ASGOpenViduProMasterNode ended: Failed.*health checks failed/);
            assert.ok(created.seconds >= 290, `failed after ${created.seconds} s`);
        });

        it("an update after a refresh started waits for it and records it as the new baseline", async () => {
            const olds = { ...inputs, launchTemplateVersion: "1", baselineRefreshId: "r-before", lastOutcome: "none" };
            standIn.refreshes.push(script("r-before", T0 - 3_600_000, [], { status: "Successful" }));
            standIn.refreshes.push(script("r-this-up", T0, [{ status: "InProgress", seconds: 200 }], { status: "Successful" }));
            const updated = await drive(instanceRefreshWaitProvider.update!(GROUP, olds, inputs));
            assert.ifError(updated.error);
            assert.deepStrictEqual([updated.value?.outs?.baselineRefreshId, updated.value?.outs?.lastOutcome], ["r-this-up", "Successful"]);
            assert.ok(updated.seconds >= 200);
        });

        it("diff: a new launch template version (what starts a refresh) is a change; the same inputs are not", async () => {
            const olds = { ...inputs, launchTemplateVersion: "1", baselineRefreshId: "", lastOutcome: "none" };
            assert.deepStrictEqual(changedInputs(olds, inputs), ["launchTemplateVersion"]);
            assert.deepStrictEqual(changedInputs({ ...inputs }, inputs), []);
            assert.strictEqual((await instanceRefreshWaitProvider.diff!(GROUP, olds, inputs)).changes, true);
        });
    });
});

describe("masters' refresh: each AWS call is time-bounded (real time)", function () {
    this.timeout(30_000);
    let standIn: AutoScalingStandIn;
    before(async () => { standIn = await startAutoScalingStandIn(); });
    after(async () => { await standIn.close(); });

    it("a call to an API that never answers ends after its bound, with the SDK's attempts, as an error the wait counts as a failed poll", async () => {
        standIn.hangs = 1_000;
        const env = { ...process.env };
        Object.assign(process.env, standIn.env);
        const start = Date.now();
        try {
            await assert.rejects(awsRefreshApi(inputs, 300).refreshes(), (error: Error) => {
                assert.ok(!isPermanent(error), `${describeError(error)} is retried by the next poll`);
                return true;
            });
        } finally {
            process.env = env;
        }
        const seconds = (Date.now() - start) / 1000;
        assert.ok(seconds < 5, `the call ended after ${seconds} s`);
        assert.ok(standIn.calls.length >= 1 && standIn.calls.length <= SDK_MAX_ATTEMPTS, `${standIn.calls.length} attempts`);
    });
});

describe("masters' refresh: the timeout and the stand-in's model", () => {
    it("waits one boot budget, the warmup and the drain: 20 min + 180 s + 60 s", () => {
        assert.strictEqual(refreshWaitSeconds({ healthyMastersTimeout: "20m", instanceRefresh: { instanceWarmupSeconds: 180 }, deregistrationDelaySeconds: 60 }), TIMEOUT_SECONDS);
        assert.strictEqual(refreshWaitSeconds({ healthyMastersTimeout: "1h2m3s", instanceRefresh: { instanceWarmupSeconds: 0 }, deregistrationDelaySeconds: 0 }), 3723);
    });

    it("the docs quote the wait's limit and polling as the program computes them", () => {
        const minutes = refreshWaitSeconds(MASTER_TIER) / 60;
        const read = (page: string): string => fs.readFileSync(path.join(__dirname, "..", "docs", page), "utf8").replace(/\s+/g, " ");
        const scaling = read("scaling.md");
        assert.ok(scaling.includes(`for **${minutes} minutes** at most`), "docs/scaling.md states the limit");
        assert.ok(scaling.includes(`every ${POLLING.minDelaySeconds} to ${POLLING.maxDelaySeconds} s`), "docs/scaling.md states the polling");
        assert.ok(scaling.includes(`plus the ${MASTER_TIER.instanceRefresh.instanceWarmupSeconds} s warm-up and the ${MASTER_TIER.deregistrationDelaySeconds} s the old masters drain`));
        const operations = read("operations.md");
        assert.strictEqual(operations.match(new RegExp(`${minutes} minutes`, "g"))?.length, 4, "docs/operations.md states the limit where it speaks of it");
    });

    it("the stand-in's refresh moves Pending → InProgress (climbing) → its end status", () => {
        const s = script("r", 0, [{ status: "Pending", seconds: 10 }, { status: "InProgress", seconds: 100 }], { status: "Failed", percentageComplete: 50, statusReason: "why" });
        assert.deepStrictEqual([refreshAt(s, 5_000).status, refreshAt(s, 5_000).percentageComplete], ["Pending", 0]);
        assert.deepStrictEqual([refreshAt(s, 60_000).status, refreshAt(s, 60_000).percentageComplete], ["InProgress", 50]);
        assert.deepStrictEqual([refreshAt(s, 110_000).status, refreshAt(s, 110_000).statusReason, refreshAt(s, 110_000).endTime], ["Failed", "why", 110_000]);
    });
});
