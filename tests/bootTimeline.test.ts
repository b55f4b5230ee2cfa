/**
 * One boot timeline (models/bootTimeline.ts) against the load balancer and
 * Auto Scaling group's health semantics (models/targetHealth.ts, from
 * reference/aws-runtime.md): a boot that succeeds, however slowly within its
 * bounds, is never replaced first; a boot that fails has written its FAILED
 * line before the group replaces it. Both fail on the numbers before the
 * timeline (20 attempts 15 s apart against a 180 s grace period).
 *
 * Where the model stops: the boot's steps take at most their bounds (the
 * script enforces each with curl --max-time or timeout, checked below) plus
 * two assumed figures (the system's boot, OpenVidu's time to serve: see
 * BootBudget); health checks start at launch; the group acts at the first
 * check after the grace period (AWS may act later, never earlier).
 */
import * as assert from "assert";
import fc from "fast-check";
import * as fs from "fs";
import * as path from "path";
import { bootScript, MASTER_BOOT } from "../components/envFile/masterBoot";
import { MASTER_TIER } from "../components/masterTier";
import { BOOT_TIMELINE, BootBudget, BootRun, LOGS_CALLS, replayBoot, worstCaseBoot } from "../models/bootTimeline";
import { GroupHealthTiming, servesFrom, targetHistory } from "../models/targetHealth";

const NEVER = (): boolean => false;
const HORIZON = 7200;

/** The numbers before the timeline: masterBoot.ts's 20 × 15 s and its curl timeouts, masterTier.ts's 180 s grace period. */
const BEFORE: { budget: BootBudget; group: GroupHealthTiming } = {
    budget: {
        systemBootSeconds: 90, imdsTimeoutSeconds: 10, imdsRequestsPerAttempt: 4, s3TimeoutSeconds: 30, tagTimeoutSeconds: 0, logsTimeoutSeconds: 0, attempts: 20, retryDelaySeconds: 15,
        checkSeconds: 5, stopTimeoutSeconds: 60, startTimeoutSeconds: 900, serveAfterStartSeconds: 120,
    },
    group: { gracePeriodSeconds: 180, intervalSeconds: 10, healthyThreshold: 3, unhealthyThreshold: 4 },
};
const NOW = { budget: BOOT_TIMELINE.budget, group: BOOT_TIMELINE.groupHealth };

/** What goes wrong, in words, for the worst-case boots under these numbers. */
function timelineViolations({ budget, group }: typeof NOW): string[] {
    const worst = worstCaseBoot(budget);
    const problems: string[] = [];
    const good = targetHistory(group, servesFrom(worst.servingAt), HORIZON);
    if (good.replacedAt !== undefined) problems.push(`a boot serving at ${worst.servingAt} s is replaced at ${good.replacedAt} s`);
    const replacedAt = targetHistory(group, NEVER, HORIZON).replacedAt!;
    for (const [what, at] of [["the fetch", worst.fetchFailedAt], ["the start", worst.startFailedAt], ["the outcome's tag", worst.taggedAt], ["the boot's lines to CloudWatch Logs", worst.logsSentAt]] as const) {
        if (at >= replacedAt) problems.push(`${what} fails at ${at} s; the instance is replaced at ${replacedAt} s`);
    }
    return problems;
}

/** Any boot within the budget: each step at most its bound, each attempt and the start ok or not. */
function bootRuns(budget: BootBudget): fc.Arbitrary<BootRun> {
    const attemptBound = worstCaseBoot(budget).attemptSeconds;
    return fc.record({
        systemBootSeconds: fc.integer({ min: 0, max: budget.systemBootSeconds }),
        attempts: fc.array(fc.record({ ok: fc.boolean(), seconds: fc.integer({ min: 0, max: attemptBound }) }),
            { minLength: budget.attempts, maxLength: budget.attempts }),
        stopSeconds: fc.integer({ min: 0, max: budget.stopTimeoutSeconds }),
        start: fc.record({ ok: fc.boolean(), seconds: fc.integer({ min: 0, max: budget.startTimeoutSeconds }) }),
        serveAfterStartSeconds: fc.integer({ min: 0, max: budget.serveAfterStartSeconds }),
        tagSeconds: fc.integer({ min: 0, max: budget.tagTimeoutSeconds }),
        logsSeconds: fc.integer({ min: 0, max: 2 * budget.logsTimeoutSeconds }),
    });
}

/** The property: a run that serves is never replaced; a run that fails says so (log line and tag) first. */
function runHolds({ budget, group }: typeof NOW, run: BootRun): boolean {
    const { servingAt, failedLineAt, taggedAt, logsSentAt } = replayBoot(budget, run);
    if (servingAt !== undefined) return targetHistory(group, servesFrom(servingAt), servingAt + HORIZON).replacedAt === undefined;
    return Math.max(failedLineAt!, taggedAt, logsSentAt) < targetHistory(group, NEVER, HORIZON).replacedAt!;
}

describe("the load balancer's and the group's health model (models/targetHealth.ts)", () => {
    const group: GroupHealthTiming = { gracePeriodSeconds: 180, intervalSeconds: 10, healthyThreshold: 3, unhealthyThreshold: 4 };

    it("a target serving from the start is healthy after 3 passing checks (30 s) and never replaced", () => {
        assert.deepStrictEqual(targetHistory(group, servesFrom(0), 600), { healthyAt: 30 });
    });

    it("a target that never serves is unhealthy after 4 failed checks (40 s), replaced at the first check after the grace period", () => {
        assert.deepStrictEqual(targetHistory(group, NEVER, 600), { unhealthyAt: 40, replacedAt: 180 });
        assert.deepStrictEqual(targetHistory({ ...group, gracePeriodSeconds: 0 }, NEVER, 600), { unhealthyAt: 40, replacedAt: 40 });
    });

    it("3 failures are not yet unhealthy; an unhealthy target needs 3 passes to be healthy again", () => {
        assert.deepStrictEqual(targetHistory(group, servesFrom(35), 600), { healthyAt: 60 });
        assert.deepStrictEqual(targetHistory(group, servesFrom(100), 600), { unhealthyAt: 40, healthyAt: 120 });
        assert.deepStrictEqual(targetHistory({ ...group, gracePeriodSeconds: 110 }, servesFrom(100), 600), { unhealthyAt: 40, replacedAt: 110 });
    });

    it("a healthy target that stops serving is replaced once unhealthy, after the grace period", () => {
        assert.deepStrictEqual(targetHistory(group, (t) => t < 300, 600), { healthyAt: 30, unhealthyAt: 330, replacedAt: 330 });
    });
});

describe("the boot timeline (models/bootTimeline.ts)", () => {
    it("derives the group's figures from the boot's bounds (written out here by hand)", () => {
        assert.deepStrictEqual(worstCaseBoot(BOOT_TIMELINE.budget), { attemptSeconds: 27, fetchSeconds: 286, fetchFailedAt: 376, startFailedAt: 561, taggedAt: 576, logsSentAt: 596, servingAt: 681 });
        assert.strictEqual(BOOT_TIMELINE.worstCase.healthyAt, 711);
        assert.strictEqual(BOOT_TIMELINE.gracePeriodSeconds, 720);
        assert.strictEqual(BOOT_TIMELINE.instanceWarmupSeconds, 480);
        assert.strictEqual(BOOT_TIMELINE.upWaitTimeoutSeconds, 1560);
        assert.strictEqual(BOOT_TIMELINE.upWaitTimeout, "26m");
    });

    it("a worst-case boot that succeeds is never replaced first; a worst-case boot that fails writes FAILED before it is replaced", () => {
        assert.deepStrictEqual(timelineViolations(NOW), []);
    });

    it("…which the numbers before the timeline break both ways (20 × 15 s against a 180 s grace period)", () => {
        const problems = timelineViolations(BEFORE);
        assert.ok(problems.some((p) => p.startsWith("a boot serving")), problems.join("; "));
        assert.ok(problems.some((p) => p.startsWith("the fetch fails")), problems.join("; "));
    });

    it("any run within the bounds (attempts failing fast or timing out, any start) holds the property", () => {
        fc.assert(fc.property(bootRuns(NOW.budget), (run) => runHolds(NOW, run)), { numRuns: 2000, seed: 15 });
    });

    it("…and the numbers before the timeline have runs that break it", () => {
        const result = fc.check(fc.property(bootRuns(BEFORE.budget), (run) => runHolds(BEFORE, run)), { numRuns: 2000, seed: 15 });
        assert.ok(result.failed, "no counterexample under the old numbers: the property proves nothing");
    });

    it("a boot that meets IAM's delay (fast failures, then success) is healthy long before the grace period ends", () => {
        const run: BootRun = {
            systemBootSeconds: 40, attempts: [...Array(5).fill({ ok: false, seconds: 1 }), { ok: true, seconds: 1 }],
            stopSeconds: 5, start: { ok: true, seconds: 30 }, serveAfterStartSeconds: 60, tagSeconds: 1, logsSeconds: 2,
        };
        const { servingAt } = replayBoot(BOOT_TIMELINE.budget, run);
        assert.strictEqual(servingAt, 40 + 6 + 5 * 10 + 5 + 5 + 30 + 60);
        assert.ok(targetHistory(BOOT_TIMELINE.groupHealth, servesFrom(servingAt!), 1200).healthyAt! < BOOT_TIMELINE.gracePeriodSeconds);
    });
});

describe("the program and the boot script take their numbers from the timeline", () => {
    const script = bootScript({ bucket: "prod-0123456789", key: ".env", region: "eu-west-1", logGroup: "/openvidu/prod-abf890/boot" });
    const b = BOOT_TIMELINE.budget;

    it("the master group, target group and refresh", () => {
        assert.strictEqual(MASTER_TIER.healthCheckGracePeriodSeconds, BOOT_TIMELINE.gracePeriodSeconds);
        assert.strictEqual(MASTER_TIER.healthyMastersTimeout, BOOT_TIMELINE.upWaitTimeout);
        assert.strictEqual(MASTER_TIER.instanceRefresh.instanceWarmupSeconds, BOOT_TIMELINE.instanceWarmupSeconds);
        assert.strictEqual(MASTER_TIER.deregistrationDelaySeconds, BOOT_TIMELINE.deregistrationDelaySeconds);
        const { intervalSeconds, timeoutSeconds, healthyThreshold, unhealthyThreshold } = MASTER_TIER.healthCheck;
        assert.deepStrictEqual({ intervalSeconds, timeoutSeconds, healthyThreshold, unhealthyThreshold }, BOOT_TIMELINE.healthCheck);
    });

    it("every step the script runs is bounded by the budget", () => {
        assert.match(script, new RegExp(`^readonly ATTEMPTS=${b.attempts}$`, "m"));
        assert.match(script, new RegExp(`^readonly RETRY_SECONDS=${b.retryDelaySeconds}$`, "m"));
        const imdsCalls = [...script.matchAll(/\bcurl -[^\n]*/g)].map((m) => m[0]);
        assert.ok(imdsCalls.length >= 2 && imdsCalls.every((c) => c.includes(`--max-time ${b.imdsTimeoutSeconds} `)), imdsCalls.join("\n"));
        // One attempt makes at most this many IMDS requests: token, instance id (once), role, credentials.
        const fetchOnce = script.slice(script.indexOf("fetch_once() {"), script.indexOf("\n}\n", script.indexOf("fetch_once() {")));
        assert.strictEqual((fetchOnce.match(/curl |imds_get /g) ?? []).length, b.imdsRequestsPerAttempt);
        assert.match(script, new RegExp(`timeout ${b.s3TimeoutSeconds} python3 "\\$\\{SIGNER\\}" --service s3`));
        assert.match(script, new RegExp(`timeout ${b.tagTimeoutSeconds} python3 "\\$\\{SIGNER\\}" --service ec2`));
        // The boot's lines: CreateLogStream and PutLogEvents, each bounded, both together too.
        assert.match(script, new RegExp(`timeout ${LOGS_CALLS * b.logsTimeoutSeconds} python3 "\\$\\{SIGNER\\}" --service logs[^\\n]*\\n\\s*--timeout ${b.logsTimeoutSeconds} --log-events`));
        assert.match(script, new RegExp(`timeout ${b.stopTimeoutSeconds} \\./openvidu stop`));
        assert.match(script, new RegExp(`timeout ${b.startTimeoutSeconds} \\./openvidu start`));
        assert.strictEqual(MASTER_BOOT.startTimeoutSeconds, b.startTimeoutSeconds);
    });
});

/** The docs' figures, from the model. */
describe("the docs quote the boot timeline", () => {
    const read = (file: string): string => fs.readFileSync(path.join(__dirname, "..", file), "utf8");
    const t = BOOT_TIMELINE;
    const b = t.budget;
    const minutes = t.upWaitTimeoutSeconds / 60;

    it("docs/env-file.md: the timeline table and the retries", () => {
        const doc = read("docs/env-file.md");
        const rows = [
            `| launch to the boot script (assumed) | ${b.systemBootSeconds} s |`,
            `| one attempt: at most ${b.imdsRequestsPerAttempt} IMDS requests of ${b.imdsTimeoutSeconds} s, a signed GET of ${b.s3TimeoutSeconds} s | ${worstCaseBoot(b).attemptSeconds} s |`,
            `| ${b.attempts} attempts, ${b.retryDelaySeconds} s apart | ${worstCaseBoot(b).fetchSeconds} s |`,
            `| check and install; \`./openvidu stop\`; \`./openvidu start\` | ${b.checkSeconds} s; ${b.stopTimeoutSeconds} s; ${b.startTimeoutSeconds} s |`,
            `| the last \`FAILED\` line, at the latest | ${t.lastFailedLineAtSeconds} s |`,
            `| the \`openvidu:boot\` tag (one signed CreateTags of ${b.tagTimeoutSeconds} s), at the latest | ${t.lastTagAtSeconds} s |`,
            `| the boot's lines in CloudWatch Logs (two signed calls of ${b.logsTimeoutSeconds} s), at the latest | ${t.lastLogsAtSeconds} s |`,
            `| OpenVidu answering on ${MASTER_TIER.masterPort} after the start (assumed) | ${b.serveAfterStartSeconds} s |`,
            `| healthy: ${t.healthCheck.healthyThreshold} passing checks ${t.healthCheck.intervalSeconds} s apart | ${t.worstCase.healthyAt} s at the latest |`,
            `| **grace period** (the group looks at the target from then on) | **${t.gracePeriodSeconds} s** |`,
            `| instance refresh warm-up | ${t.instanceWarmupSeconds} s |`,
            `| \`pulumi up\` waits for healthy masters at most | ${minutes} minutes |`,
        ];
        for (const row of rows) assert.ok(doc.includes(row), `docs/env-file.md lacks the row\n${row}`);
        assert.ok(doc.includes(`up to **${b.attempts} attempts, ${b.retryDelaySeconds} s apart**`));
        assert.ok(doc.includes("aws ec2 get-console-output --instance-id"), "how to read a replaced master's reason");
        assert.ok(!/20 attempts|15 s apart|after 20 minutes/.test(doc), "a figure from before the timeline");
    });

    it("docs/operations.md, docs/scaling.md, docs/parity.md and the README", () => {
        const operations = read("docs/operations.md");
        assert.ok(operations.includes(`up to ${b.attempts} attempts ${b.retryDelaySeconds} s apart`));
        assert.ok(operations.includes(`(${minutes} minutes at most`));
        assert.ok(operations.includes(`fails after ${minutes} minutes`));
        assert.ok(operations.includes(`grace period (${t.gracePeriodSeconds} s)`));
        assert.ok(read("docs/scaling.md").includes(`(${t.instanceWarmupSeconds} s warm-up)`));
        assert.ok(read("docs/parity.md").includes(`healthy targets (${minutes} min,`));
        for (const file of ["README.md", "Pulumi.yaml"]) assert.ok(read(file).includes(`(up to ${minutes} minutes)`), file);
        for (const [file, text] of [["docs/operations.md", operations], ["docs/scaling.md", read("docs/scaling.md")]]) {
            assert.ok(!/20 attempts|20 minutes|\(180 s warm-up\)/.test(text), `${file}: a figure from before the timeline`);
        }
    });
});
