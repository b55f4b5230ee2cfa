/**
 * Every HA alarm as declared, run through the alarm-evaluation model
 * (models/alarmEvaluation.ts): the fault it names raises it within the time
 * docs/operations.md states, and a healthy cluster's series (sparse and
 * zero-omitted data, a rolling refresh of the masters, short excursions)
 * does not.
 *
 * Where the model stops: CloudWatch is not run. The cadences and delays are
 * METRIC_FEEDS' (AWS's documented one-minute datapoints; the delays are
 * assumptions); the model averages a datapoint's samples, so a Maximum over
 * a minute is read pessimistically (a partial dip counts). A stopped
 * consumer's queue is modelled by its average oldest-message age (ticks every
 * minute expiring at the retention); SQS's own sampling of it is not modelled.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { METRIC_FEEDS, OPERATIONS_ALARMS, SQS_LONGEST_POLL_SECONDS } from "../components/operationsAlarms";
import { REPLICATION_STATE } from "../components/replicationState";
import {
    AlarmSpec, alarmSpecFromArgs, alarmTimeline, evaluateAlarm, Load, longestHarmlessSpike, MetricFeed, spikeRaisesAlarm, timeToAlarm, timeToState,
} from "../models/alarmEvaluation";
import { MockRun } from "../plan/run";
import { inputsOf, one, runProgram, VALID_CONFIG } from "./harness";

const OPTIONS = { stepSeconds: 5 };
const DOC = fs.readFileSync(path.resolve(__dirname, "../docs/operations.md"), "utf8");
const HOUR = 3600;

const declared = (run: MockRun, suffix: string): AlarmSpec =>
    alarmSpecFromArgs(inputsOf(one(run, "aws:cloudwatch/metricAlarm:MetricAlarm", `operations-${suffix}`)) as any);

/** Never ALARM over a series, from a settled start. */
function neverAlarms(spec: AlarmSpec, feed: MetricFeed, load: Load, until: number): void {
    const states = alarmTimeline(spec, feed, load, 0, until, "OK");
    const alarm = states.find((e) => e.state === "ALARM");
    assert.strictEqual(alarm, undefined, `ALARM at ${alarm?.time}s`);
}

/** The worst time to ALARM, in whole minutes as docs/operations.md's table states it ("≤ N min"). */
function docMinutes(alarm: string): number {
    const line = DOC.split("\n").find((l) => l.startsWith(`| \`${alarm}\` |`));
    assert.ok(line, `docs/operations.md's alarm table has no row for ${alarm}`);
    const within = /≤ (\d+) min/.exec(line);
    assert.ok(within, `the ${alarm} row states no "≤ N min"`);
    return Number(within[1]);
}

describe("HA alarms fire on their fault and stay quiet in a healthy cluster (alarm-evaluation model)", function () {
    this.timeout(300_000);
    let run: MockRun;
    const desired = 2;
    before(async () => {
        run = await runProgram({ ...VALID_CONFIG, desiredMasterNodes: String(desired), maxMasterNodes: "4", maxMediaNodes: "4" }, { stackName: "prod" });
    });

    describe("masters-healthy", () => {
        it("one master failing its health check raises it within the documented time", () => {
            const spec = declared(run, "masters-healthy");
            const span = timeToState(spec, METRIC_FEEDS.loadBalancer, { before: desired, after: desired - 1 }, "ALARM", OPTIONS);
            assert.ok(span, "a lost master always raises it");
            const worst = OPERATIONS_ALARMS.mastersHealthy.unhealthyAfterSeconds + span.worst;
            assert.strictEqual(docMinutes("masters-healthy"), Math.ceil(worst / 60));
        });

        it("a load balancer that reports no count at all raises it (missing data breaches)", () => {
            assert.strictEqual(evaluateAlarm(declared(run, "masters-healthy"), [undefined, undefined, undefined, undefined, undefined], "OK"), "ALARM");
        });

        it("a rolling refresh (new masters first, old ones removed once the new are warm) never raises it", () => {
            const warm = OPERATIONS_ALARMS.mastersHealthy.unhealthyAfterSeconds;
            // minHealthyPercentage 100, maxHealthyPercentage 200: both replacements launch together.
            const refresh: Load = [{ from: 0, value: desired }, { from: 1200, value: 2 * desired }, { from: 1200 + 600 + warm, value: desired }];
            neverAlarms(declared(run, "masters-healthy"), METRIC_FEEDS.loadBalancer, refresh, 2 * HOUR);
        });

        it("a target flapping for a minute (after its 40 s of failed checks) does not raise it", () => {
            const spec = declared(run, "masters-healthy");
            assert.ok(!spikeRaisesAlarm(spec, METRIC_FEEDS.loadBalancer, { base: desired, peak: desired - 1, seconds: 60 }, OPTIONS));
            assert.strictEqual(longestHarmlessSpike(spec, METRIC_FEEDS.loadBalancer, { base: desired, peak: desired - 1 }, OPTIONS), 60);
        });
    });

    describe("alb-5xx", () => {
        it("a master tier failing every request raises it within the documented time", () => {
            const span = timeToAlarm(declared(run, "alb-5xx"), METRIC_FEEDS.loadBalancerCount, { min: 0, max: 1000 }, OPTIONS);
            assert.ok(span);
            assert.strictEqual(docMinutes("alb-5xx"), Math.ceil(span.worst / 60));
        });

        it("healthy: no datapoint in error-free minutes, a few errors now and then, a one-minute burst of a replaced master", () => {
            const spec = declared(run, "alb-5xx");
            const feed = METRIC_FEEDS.loadBalancerCount;
            const sparse: Load = Array.from({ length: 40 }, (_, i) => ({ from: i * 180, value: i % 3 === 0 ? 7 : 0 }));
            neverAlarms(spec, feed, sparse, 2 * HOUR);
            assert.ok(!spikeRaisesAlarm(spec, feed, { base: 0, peak: 1000, seconds: 60 }, OPTIONS), "a minute of errors, however many");
        });
    });

    describe("queue-age", () => {
        const feed = METRIC_FEEDS.queue;
        it("sits between a polling consumer's age and a stopped one's, below the retention that caps the metric", () => {
            const a = OPERATIONS_ALARMS.queueAge;
            assert.ok(a.threshold < a.stoppedConsumerAverageAge && a.threshold < REPLICATION_STATE.queue.messageRetentionSeconds);
        });

        it("a replication manager that stopped consuming raises it within the documented time", () => {
            const span = timeToState(declared(run, "queue-age"), feed,
                { before: 1, after: OPERATIONS_ALARMS.queueAge.stoppedConsumerAverageAge }, "ALARM", OPTIONS);
            assert.ok(span);
            assert.strictEqual(docMinutes("queue-age"), Math.ceil(span.worst / 60));
        });

        it("healthy: messages received within a long poll, an empty queue publishing nothing, one redelivery after the visibility timeout", () => {
            const spec = declared(run, "queue-age");
            const polled: Load = Array.from({ length: 60 }, (_, i) => ({ from: i * 120, value: i % 4 === 0 ? 0 : 1 + (i % 20) }));
            neverAlarms(spec, feed, polled, 2 * HOUR);
            neverAlarms(spec, { ...feed, omitZero: true }, polled, 2 * HOUR);
            // A master dying with a message in flight: it reappears after the visibility timeout and another
            // master takes it within a long poll; the age stays above the threshold from then until taken.
            const aboveThreshold = REPLICATION_STATE.queue.visibilityTimeoutSeconds + SQS_LONGEST_POLL_SECONDS - OPERATIONS_ALARMS.queueAge.threshold;
            assert.ok(!spikeRaisesAlarm(spec, feed, { base: 1, peak: REPLICATION_STATE.queue.messageRetentionSeconds, seconds: aboveThreshold }, OPTIONS));
        });
    });

    for (const [suffix, key] of [["redis-cpu-001", "redisCpu"], ["redis-memory-001", "redisMemory"]] as const) {
        describe(suffix, () => {
            it("sustained at the top raises it within the documented time", () => {
                const span = timeToAlarm(declared(run, suffix), METRIC_FEEDS.redis, { min: 0, max: 100 }, OPTIONS);
                assert.ok(span);
                assert.strictEqual(docMinutes(suffix.replace(/-001$/, "-*")), Math.ceil(span.worst / 60));
            });

            it("healthy: a few minutes at 100% (a snapshot, a burst of writes) and a node's missing data during a failover do not", () => {
                const spec = declared(run, suffix);
                assert.ok(!spikeRaisesAlarm(spec, METRIC_FEEDS.redis, { base: 30, peak: 100, seconds: 240 }, OPTIONS));
                assert.notStrictEqual(evaluateAlarm(spec, [30, undefined, undefined, undefined, undefined, undefined, undefined], "OK"), "ALARM");
                assert.ok(OPERATIONS_ALARMS[key].threshold < 100);
            });
        });
    }

    describe("media-at-max", () => {
        it("the tier held at its maximum raises it within the documented time", () => {
            const span = timeToAlarm(declared(run, "media-at-max"), METRIC_FEEDS.group, { min: 0, max: 4 }, OPTIONS);
            assert.ok(span);
            assert.strictEqual(docMinutes("media-at-max"), Math.ceil(span.worst / 60));
        });

        it("healthy: scaling between min and max, touching the maximum for nine minutes, does not", () => {
            const spec = declared(run, "media-at-max");
            const scaling: Load = [{ from: 0, value: 2 }, { from: 900, value: 3 }, { from: 1800, value: 4 }, { from: 1800 + 540, value: 3 }, { from: 4000, value: 2 }];
            neverAlarms(spec, METRIC_FEEDS.group, scaling, 2 * HOUR);
            assert.ok(!spikeRaisesAlarm(spec, METRIC_FEEDS.group, { base: 3, peak: 4, seconds: 540 }, OPTIONS));
        });
    });
});
