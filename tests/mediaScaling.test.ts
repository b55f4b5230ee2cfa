/**
 * Media autoscaling that fires, measured: the declared launch template's
 * monitoring and the declared CPU alarms, run through the alarm-evaluation
 * model (models/alarmEvaluation.ts), against the timings docs/scaling.md
 * states; and what `pulumi up` waits for with the media group.
 *
 * Where the model stops: CloudWatch and EC2 are not run. EC2's cadence (300 s
 * basic, 60 s detailed) is written out below from AWS's documentation; the
 * publishing delay and a node's boot are the stated assumptions in
 * MEDIA_TIER.scaling; the evaluation itself follows the model's own limits.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { MEDIA_TIER } from "../components/mediaTier";
import { AlarmSpec, alarmSpecFromArgs, longestIgnoredSpike, MetricFeed, spikeRaisesAlarm, timeToAlarm, timeToClear } from "../models/alarmEvaluation";
import { MockRun } from "../plan/run";
import { inputsOf, one, runProgram, VALID_CONFIG } from "./harness";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const CPU = { min: 0, max: 100 };
const DOC = fs.readFileSync(path.resolve(__dirname, "../docs/scaling.md"), "utf8");

/** EC2 publishes CPUUtilization every 5 minutes, every minute only with detailed monitoring (AWS docs). */
function declaredFeed(run: MockRun): MetricFeed {
    const template = inputsOf(one(run, "aws:ec2/launchTemplate:LaunchTemplate", "media-template"));
    return { intervalSeconds: template.monitoring?.enabled === true ? 60 : 300, delaySeconds: MEDIA_TIER.scaling.metricDelaySeconds };
}

const declaredAlarm = (run: MockRun, direction: "up" | "down"): AlarmSpec => alarmSpecFromArgs(inputsOf(one(run, ALARM, `cpu-${direction}`)) as any);

/** The figures of docs/scaling.md's timing table, in minutes: row label → cells after it. */
function docRow(label: string): string[] {
    const line = DOC.split("\n").find((l) => l.startsWith(`| ${label} |`));
    assert.ok(line, `docs/scaling.md has no row "${label}"`);
    return line.split("|").slice(2, -1).map((cell) => cell.trim());
}

/** "2–6 min" → [2, 6]; "≤ 4 min" → [0, 4]; "1 min" → [1, 1] */
function minutes(cell: string): [number, number] {
    const range = /^(\d+)–(\d+) min$/.exec(cell) ?? /^≤ ()(\d+) min$/.exec(cell) ?? /^(\d+)() min$/.exec(cell);
    assert.ok(range, `"${cell}" is not a figure in minutes`);
    const low = range[1] === "" ? 0 : Number(range[1]);
    return [low, range[2] === "" ? low : Number(range[2])];
}

const DIRECTIONS = [{ key: "up", column: 0, what: "above scaleUpCpu" }, { key: "down", column: 1, what: "below scaleDownCpu" }] as const;

describe("media scaling fires (the declared alarms through the alarm-evaluation model)", function () {
    this.timeout(120_000);
    let run: MockRun;
    before(async () => {
        run = await runProgram({ ...VALID_CONFIG, scaleUpCpu: "75", scaleDownCpu: "25" }, { stackName: "prod" });
    });

    it("docs/scaling.md states the publishing delay its slowest figures assume", () => {
        assert.ok(DOC.replace(/\s+/g, " ").includes(`read up to ${MEDIA_TIER.scaling.metricDelaySeconds / 60} minutes late`));
    });

    it("media nodes publish CPU at the cadence the alarms assume (detailed monitoring)", () => {
        assert.deepStrictEqual(inputsOf(one(run, "aws:ec2/launchTemplate:LaunchTemplate", "media-template")).monitoring, { enabled: true });
        assert.strictEqual(declaredFeed(run).intervalSeconds, MEDIA_TIER.scaling.metricIntervalSeconds);
    });

    for (const { key, column, what } of DIRECTIONS) {
        it(`sustained CPU ${what} raises the scale-${key} alarm within docs/scaling.md's time`, () => {
            const span = timeToAlarm(declaredAlarm(run, key), declaredFeed(run), CPU);
            assert.ok(span, `the scale-${key} alarm can never fire on the declared monitoring`);
            const [fastest, slowest] = minutes(docRow("sustained load → alarm")[column]);
            assert.ok(span.worst <= slowest * 60, `slowest ${span.worst} s, the docs say ${slowest} min`);
            // The docs quote the model: the figures, rounded to whole minutes outward.
            assert.deepStrictEqual([Math.floor(span.best / 60), Math.ceil(span.worst / 60)], [fastest, slowest]);
        });

        it(`a shorter excursion ${what} never raises the scale-${key} alarm, as docs/scaling.md states`, () => {
            const alarm = declaredAlarm(run, key);
            assert.ok(timeToAlarm(alarm, declaredFeed(run), CPU), "the alarm fires at all (or no spike could raise it either)");
            const [tolerated] = minutes(docRow("shorter excursions never alarm")[column]);
            assert.ok(tolerated >= 1, "some spike is tolerated");
            const [base, peak] = key === "up" ? [alarm.threshold, CPU.max] : [alarm.threshold, CPU.min];
            assert.strictEqual(spikeRaisesAlarm(alarm, declaredFeed(run), { base, peak, seconds: tolerated * 60 }), false);
            assert.strictEqual(Math.floor(longestIgnoredSpike(alarm, declaredFeed(run), CPU) / 60), tolerated);
        });

        it(`the scale-${key} alarm clears within docs/scaling.md's time once CPU is back`, () => {
            const span = timeToClear(declaredAlarm(run, key), declaredFeed(run), CPU);
            assert.ok(span);
            const [, slowest] = minutes(docRow("alarm clears once CPU is back")[column]);
            assert.strictEqual(Math.ceil(span.worst / 60), slowest);
        });
    }

    it("one load adds one node: the scale-up cooldown outlasts a node's boot plus the slowest the alarm clears", () => {
        const clears = timeToClear(declaredAlarm(run, "up"), declaredFeed(run), CPU);
        assert.ok(clears);
        const cooldown = inputsOf(one(run, "aws:autoscaling/policy:Policy", "scale-up")).cooldown;
        assert.ok(cooldown >= MEDIA_TIER.scaling.nodeBootSeconds + clears.worst, `cooldown ${cooldown} s < ${MEDIA_TIER.scaling.nodeBootSeconds} + ${clears.worst} s`);
    });

    it("one removal at a time: the scale-down cooldown outlasts the terminate hold plus the slowest the alarm clears", () => {
        const clears = timeToClear(declaredAlarm(run, "down"), declaredFeed(run), CPU);
        assert.ok(clears);
        const cooldown = inputsOf(one(run, "aws:autoscaling/policy:Policy", "scale-down")).cooldown;
        assert.ok(cooldown >= MEDIA_TIER.lifecycleHooks.terminate.heartbeatTimeoutSeconds + clears.worst);
    });

    it("basic monitoring (no `monitoring` on the template) would leave both alarms unable to fire", () => {
        for (const key of ["up", "down"] as const) {
            assert.strictEqual(timeToAlarm(declaredAlarm(run, key), { intervalSeconds: 300, delaySeconds: 0 }, CPU, { stepSeconds: 10 }), undefined);
        }
    });
});

describe("`pulumi up` never waits for media capacity", () => {
    let run: MockRun;
    before(async () => {
        run = await runProgram({ ...VALID_CONFIG, minMediaNodes: "2", desiredMediaNodes: "3" }, { stackName: "prod" });
    });

    it("turns the provider's capacity wait off (create and update), with no ELB capacity to wait for", () => {
        // The provider waits on create, and on an update of min/desired, for exactly max(min, desired)
        // in-service instances unless the timeout is "0": the running size here is the alarms' and
        // the replication manager's, so such a wait can only time out.
        const group = inputsOf(one(run, "aws:autoscaling/group:Group", "media-asg"));
        assert.strictEqual(group.waitForCapacityTimeout, "0");
        assert.deepStrictEqual([group.waitForElbCapacity, group.minElbCapacity, group.targetGroupArns], [undefined, undefined, undefined]);
    });

    it("docs/scaling.md says what `up` waits for with media nodes", () => {
        assert.match(DOC, /`pulumi up` waits for no media node/);
    });
});
