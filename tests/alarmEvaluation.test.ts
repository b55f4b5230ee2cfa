/**
 * The CloudWatch alarm-evaluation model (models/alarmEvaluation.ts) on its
 * own: AWS's documented missing-data tables cell by cell, properties of one
 * evaluation, and the timings it derives from a metric's publishing cadence.
 *
 * Where the model stops: CloudWatch itself is not run (nothing here can reach
 * it). The tables below are AWS's; the evaluation range (N + 2 periods), the
 * once-a-minute evaluation and the datapoint timing are the model's stated
 * assumptions, and the timing tests hold under them.
 */
import * as assert from "assert";
import * as fc from "fast-check";
import {
    AlarmSpec, AlarmState, alarmSpecFromArgs, alarmTimeline, evaluateAlarm, longestIgnoredSpike, MissingDataRule,
    spikeRaisesAlarm, timeToAlarm, timeToClear, timeToState,
} from "../models/alarmEvaluation";

const RULES: MissingDataRule[] = ["missing", "ignore", "breaching", "notBreaching"];
const RETAIN = "retain";

/** "0 - X - X" → values: 0 non-breaching, X breaching, - missing (threshold 1, GreaterThanThreshold). */
const points = (text: string): Array<number | undefined> => text.split(" ").map((c) => (c === "-" ? undefined : c === "X" ? 2 : 0));

const spec = (n: number, m: number, rule: MissingDataRule): AlarmSpec => ({
    periodSeconds: 300, evaluationPeriods: n, datapointsToAlarm: m, threshold: 1,
    comparison: "GreaterThanThreshold", statistic: "Average", treatMissingData: rule,
});

// AWS, "Configuring how CloudWatch alarms treat missing data": columns MISSING, IGNORE, BREACHING, NOT BREACHING.
const THREE_OF_THREE: Array<[string, Array<AlarmState | typeof RETAIN>]> = [
    ["0 - X - X", ["OK", "OK", "OK", "OK"]],
    ["0 - - - -", ["OK", "OK", "OK", "OK"]],
    ["- - - - -", ["INSUFFICIENT_DATA", RETAIN, "ALARM", "OK"]],
    ["0 X X - X", ["ALARM", "ALARM", "ALARM", "ALARM"]],
    ["- - - - X", ["INSUFFICIENT_DATA", RETAIN, "ALARM", "OK"]],
    ["X - - - -", ["ALARM", RETAIN, "ALARM", "OK"]],
];
const TWO_OF_THREE: Array<[string, Array<AlarmState | typeof RETAIN>]> = [
    ["0 - X - X", ["ALARM", "ALARM", "ALARM", "ALARM"]],
    ["0 0 X 0 X", ["ALARM", "ALARM", "ALARM", "ALARM"]],
    ["0 - X - -", ["OK", "OK", "ALARM", "OK"]],
    ["- - - - 0", ["OK", "OK", "ALARM", "OK"]],
    ["- - - - X", ["INSUFFICIENT_DATA", RETAIN, "ALARM", "OK"]],
];

describe("alarm evaluation model", () => {
    describe("AWS's missing-data tables, every cell", () => {
        for (const [title, m, table] of [["3 of 3", 3, THREE_OF_THREE], ["2 of 3", 2, TWO_OF_THREE]] as const) {
            for (const [row, expected] of table) {
                it(`${title}: ${row}`, () => {
                    RULES.forEach((rule, i) => {
                        for (const current of ["OK", "ALARM", "INSUFFICIENT_DATA"] as AlarmState[]) {
                            const want = expected[i] === RETAIN ? current : expected[i];
                            assert.strictEqual(evaluateAlarm(spec(3, m, rule), points(row), current), want, `${rule}, from ${current}`);
                        }
                    });
                });
            }
        }
    });

    describe("one evaluation: properties", () => {
        const value = fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined });
        const shape = fc.integer({ min: 1, max: 8 }).chain((n) => fc.record({
            n: fc.constant(n), m: fc.integer({ min: 1, max: n }), extra: fc.integer({ min: 0, max: 4 }),
            rule: fc.constantFrom(...RULES), current: fc.constantFrom<AlarmState>("OK", "ALARM", "INSUFFICIENT_DATA"),
        }));
        const withRange = shape.chain((s) => fc.record({ s: fc.constant(s), range: fc.array(value, { minLength: s.n + s.extra, maxLength: s.n + s.extra }) }));

        it("with at least N real datapoints the missing-data rule does not matter", () => {
            fc.assert(fc.property(withRange, ({ s, range }) => {
                fc.pre(range.filter((v) => v !== undefined).length >= s.n);
                const states = RULES.map((rule) => evaluateAlarm(spec(s.n, s.m, rule), range, s.current));
                assert.ok(states.every((st) => st === states[0]), states.join());
            }));
        });

        it("a datapoint turning from not breaching to breaching never takes an alarm out of ALARM", () => {
            fc.assert(fc.property(withRange, fc.nat(), ({ s, range }, pick) => {
                const safe = range.map((v, i) => (v === 0 ? i : -1)).filter((i) => i >= 0);
                fc.pre(safe.length > 0);
                const worse = [...range];
                worse[safe[pick % safe.length]] = 2;
                const alarmSpec = spec(s.n, s.m, s.rule);
                if (evaluateAlarm(alarmSpec, range, s.current) === "ALARM") assert.strictEqual(evaluateAlarm(alarmSpec, worse, s.current), "ALARM");
            }));
        });

        it("notBreaching raises ALARM only on M real breaching datapoints; breaching keeps OK only with a real non-breaching one", () => {
            fc.assert(fc.property(withRange, ({ s, range }) => {
                const breachingReal = range.filter((v) => v === 2).length;
                if (evaluateAlarm(spec(s.n, s.m, "notBreaching"), range) === "ALARM") assert.ok(breachingReal >= s.m);
                if (evaluateAlarm(spec(s.n, s.m, "breaching"), range) === "OK") assert.ok(range.some((v) => v !== undefined && v < 2));
            }));
        });

        it("Less* comparisons breach below the threshold, *OrEqual at it", () => {
            const at = (comparison: AlarmSpec["comparison"], v: number): AlarmState =>
                evaluateAlarm({ ...spec(1, 1, "missing"), comparison }, [v]);
            assert.deepStrictEqual([at("LessThanThreshold", 0), at("LessThanThreshold", 1), at("LessThanOrEqualToThreshold", 1)], ["ALARM", "OK", "ALARM"]);
            assert.deepStrictEqual([at("GreaterThanThreshold", 1), at("GreaterThanOrEqualToThreshold", 1)], ["OK", "ALARM"]);
        });
    });

    describe("over time: cadence, period, delay", () => {
        const cpu = { min: 0, max: 100 };
        const up: AlarmSpec = {
            periodSeconds: 60, evaluationPeriods: 3, datapointsToAlarm: 3, threshold: 70,
            comparison: "GreaterThanThreshold", statistic: "Average", treatMissingData: "notBreaching",
        };
        const down: AlarmSpec = { ...up, evaluationPeriods: 15, datapointsToAlarm: 15, threshold: 30, comparison: "LessThanThreshold" };
        const basic = { intervalSeconds: 300, delaySeconds: 0 };
        const detailed = { intervalSeconds: 60, delaySeconds: 120 };

        it("60 s periods on 5-minute data, missing data not breaching: neither 3 of 3 nor 15 of 15 can ever fire", () => {
            assert.strictEqual(timeToAlarm(up, basic, cpu), undefined);
            assert.strictEqual(timeToAlarm(down, basic, cpu), undefined);
            // Not even CPU pinned at 100 % for hours, at any alignment.
            assert.strictEqual(timeToState(up, basic, { before: 0, after: 100 }), undefined);
        });

        it("the same alarms fire on 5-minute data when missing data is breaching (each gap counts against the node)", () => {
            assert.ok(timeToState({ ...up, treatMissingData: "breaching" }, basic, { before: 0, after: 100 }));
        });

        it("the verdict on 5-minute data does not hang on the assumed evaluation range (any range up to 10 periods)", () => {
            for (let range = 3; range <= 10; range++) {
                assert.strictEqual(timeToAlarm({ ...up, evaluationRangePeriods: range }, basic, cpu, { stepSeconds: 20 }), undefined, `range ${range}`);
            }
        });

        it("the CloudFormation template's shape (60 s, 1 of 1, missing data `missing`) does fire on 5-minute data", () => {
            const span = timeToAlarm({ ...up, evaluationPeriods: 1, datapointsToAlarm: 1, treatMissingData: "missing" }, basic, cpu);
            assert.ok(span);
            assert.ok(span.worst <= 600 + 60, `worst ${span.worst}`);
        });

        it("one 300 s period, 1 of 1, on 5-minute data fires", () => {
            const span = timeToAlarm({ ...up, periodSeconds: 300, evaluationPeriods: 1, datapointsToAlarm: 1 }, basic, cpu);
            assert.ok(span);
            assert.ok(span.worst <= 600 + 60, `worst ${span.worst}`);
        });

        it("per-minute data: 3 of 3 fires 2 to 6 minutes after sustained load (delay up to 2 min), clears within 4", () => {
            assert.deepStrictEqual(timeToAlarm(up, detailed, cpu), { best: 121, worst: 359 });
            assert.deepStrictEqual(timeToClear(up, detailed, cpu), { best: 1, worst: 239 });
            assert.deepStrictEqual(timeToAlarm(down, detailed, cpu), { best: 841, worst: 1079 });
        });

        it("per-minute data: a spike must touch M consecutive minutes to raise M of M", () => {
            assert.strictEqual(spikeRaisesAlarm(up, detailed, { base: 69, peak: 100, seconds: 60 }), false);
            assert.strictEqual(spikeRaisesAlarm(up, detailed, { base: 69, peak: 100, seconds: 70 }), true, "61+ s can touch three minutes");
            assert.strictEqual(spikeRaisesAlarm(up, detailed, { base: 0, peak: 71, seconds: 170 }), false, "just above: three whole minutes needed");
            assert.strictEqual(longestIgnoredSpike(up, detailed, cpu), 60);
            assert.strictEqual(longestIgnoredSpike(down, detailed, cpu), 780);
        });

        it("property: on data at the period's cadence and a delay the range absorbs, a sustained breach fires within (M+1) periods + delay + 1 min", () => {
            fc.assert(fc.property(
                fc.integer({ min: 1, max: 5 }).chain((n) => fc.record({ n: fc.constant(n), m: fc.integer({ min: 1, max: n }) })),
                fc.constantFrom(60, 120, 300), fc.integer({ min: 0, max: 2 }), fc.constantFrom<MissingDataRule>("missing", "notBreaching", "ignore"),
                ({ n, m }, period, delayPeriods, rule) => {
                    const alarm = { ...up, periodSeconds: period, evaluationPeriods: n, datapointsToAlarm: m, treatMissingData: rule };
                    const span = timeToAlarm(alarm, { intervalSeconds: 60, delaySeconds: delayPeriods * period }, cpu, { stepSeconds: 15 });
                    assert.ok(span, "fires");
                    assert.ok(span.worst <= (m + 1) * period + delayPeriods * period + 60, `worst ${span.worst}`);
                    assert.ok(span.best >= (m - 1) * period, `best ${span.best}`);
                }), { numRuns: 25 });
        });

        it("property: with notBreaching, data sparser than the range can hold M of can never fire", () => {
            fc.assert(fc.property(fc.integer({ min: 2, max: 6 }), fc.constantFrom(60, 120), fc.constantFrom(300, 600, 900), (n, period, interval) => {
                fc.pre(Math.ceil(((n + 2) * period) / interval) < n);
                const alarm = { ...up, periodSeconds: period, evaluationPeriods: n, datapointsToAlarm: n };
                assert.strictEqual(timeToState(alarm, { intervalSeconds: interval, delaySeconds: 0 }, { before: 0, after: 100 }, "ALARM", { stepSeconds: 30 }), undefined);
            }), { numRuns: 15 });
        });

        it("a timeline shows the state each minute; late data leaves the newest periods missing", () => {
            const load = [{ from: 0, value: 0 }, { from: 600, value: 100 }];
            const timeline = alarmTimeline(up, detailed, load, 600, 1200, "OK");
            assert.deepStrictEqual(timeline.slice(0, 8).map((e) => e.state), ["OK", "OK", "OK", "OK", "OK", "ALARM", "ALARM", "ALARM"]);
            assert.strictEqual(timeline[5].time, 900, "three minutes of data (600–780) readable at 900 with a 120 s delay");
        });

        it("a count published only when non-zero (5xx): `missing` sits in INSUFFICIENT_DATA when all is well, `notBreaching` in OK", () => {
            const errors: AlarmSpec = { ...up, statistic: "Sum", threshold: 5, evaluationPeriods: 2, datapointsToAlarm: 2 };
            const feed = { intervalSeconds: 60, delaySeconds: 60, omitZero: true };
            const quiet = [{ from: 0, value: 0 }];
            assert.deepStrictEqual(new Set(alarmTimeline({ ...errors, treatMissingData: "missing" }, feed, quiet, 600, 1200).map((e) => e.state)), new Set(["INSUFFICIENT_DATA"]));
            assert.deepStrictEqual(new Set(alarmTimeline(errors, feed, quiet, 600, 1200).map((e) => e.state)), new Set(["OK"]));
            assert.ok(timeToState(errors, feed, { before: 0, after: 50 }), "a burst of errors still fires");
        });

        it("reads an alarm's declared arguments (missing data defaults to `missing`)", () => {
            assert.deepStrictEqual(alarmSpecFromArgs({ period: 60, evaluationPeriods: 3, threshold: 70, comparisonOperator: "GreaterThanThreshold", statistic: "Average" }), {
                periodSeconds: 60, evaluationPeriods: 3, datapointsToAlarm: undefined, threshold: 70,
                comparison: "GreaterThanThreshold", statistic: "Average", treatMissingData: "missing",
            });
        });
    });
});
