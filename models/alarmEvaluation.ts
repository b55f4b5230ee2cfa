/**
 * A small, pure model of how a CloudWatch metric alarm turns a metric into a
 * state over time, for questions a mock cannot answer: can a sustained breach
 * ever raise this alarm, how long does it take, does a short spike raise it.
 *
 * API (all times in seconds; nothing here reads a clock or calls AWS):
 * - `evaluateAlarm(spec, range, current)`: one evaluation. `range` is the
 *   evaluation range, one value per period, oldest first, `undefined` for a
 *   period without data; `current` is the state before (for `ignore`).
 * - `alarmTimeline(spec, feed, load, from, to)`: every evaluation (one a
 *   minute) of the alarm on a metric published by `feed` from a step `load`.
 * - `timeToState(spec, feed, change, target)`: after the metric steps from
 *   `change.before` to `change.after`, the fewest and most seconds until the
 *   alarm is in `target`, over every alignment of the step with the clock
 *   (`undefined` when some alignment never gets there).
 * - `timeToAlarm(spec, feed, bounds)`, `timeToClear(spec, feed, bounds)`: the
 *   same for a sustained breach (and its end) at the levels that make it
 *   fastest (no publishing delay) and slowest (the feed's delay), for a
 *   metric between `bounds.min` and `bounds.max`.
 * - `spikeRaisesAlarm(spec, feed, spike)`, `longestHarmlessSpike(spec, feed, levels)`,
 *   `longestIgnoredSpike(spec, feed, bounds)`: whether a temporary excursion
 *   raises the alarm at any alignment, and the longest one that never does.
 * - `alarmSpecFromArgs(args)`: an `AlarmSpec` from PutMetricAlarm-shaped
 *   fields (a `aws.cloudwatch.MetricAlarm`'s inputs).
 *
 * AWS's documented semantics ("Configuring how CloudWatch alarms treat missing
 * data"): CloudWatch retrieves more periods than EvaluationPeriods (N), the
 * evaluation range. With at least N real datapoints in it, the N most recent
 * real ones decide (M = DatapointsToAlarm of them breaching → ALARM) and the
 * missing-data rule is not used. With fewer, the missing ones are filled as
 * few times as possible by the rule. The documented tables (tests/
 * alarmEvaluation.test.ts) pin the cases the prose leaves open.
 *
 * Where the model stops (its assumptions):
 * - The evaluation range is `evaluationRangePeriods` periods: AWS gives no
 *   formula; its examples retrieve 5 periods for N = 3, so the default is N + 2.
 * - `missing` with fewer than N real datapoints, fewer than M of them
 *   breaching and none non-breaching: ALARM only when the oldest period of
 *   the range holds a breaching datapoint, as in the documented table's sixth
 *   row; otherwise INSUFFICIENT_DATA.
 * - A datapoint, timestamped at the start of its interval, averages one
 *   sample a minute; it is readable from its first sample on and grows as
 *   samples arrive, each `delaySeconds` late at most (Nitro instances;
 *   `sampleSeconds: intervalSeconds` publishes it whole at the interval's
 *   end, as Xen instances and SQS do). A
 *   sample is the time average of the load over its minute; statistics of a
 *   period are taken over datapoint averages (statistic sets are not kept).
 * - Standard-resolution alarms, evaluated at every whole minute; a period is
 *   evaluated only once it has ended.
 */

export type Comparison = "GreaterThanThreshold" | "GreaterThanOrEqualToThreshold" | "LessThanThreshold" | "LessThanOrEqualToThreshold";
export type Statistic = "Average" | "Maximum" | "Minimum" | "Sum" | "SampleCount";
export type MissingDataRule = "missing" | "notBreaching" | "breaching" | "ignore";
export type AlarmState = "OK" | "ALARM" | "INSUFFICIENT_DATA";

export interface AlarmSpec {
    periodSeconds: number;
    /** N */
    evaluationPeriods: number;
    /** M; @default evaluationPeriods */
    datapointsToAlarm?: number;
    threshold: number;
    comparison: Comparison;
    statistic: Statistic;
    treatMissingData: MissingDataRule;
    /** Periods retrieved per evaluation. @default evaluationPeriods + 2 (AWS's examples) */
    evaluationRangePeriods?: number;
}

/** How the metric reaches CloudWatch. */
export interface MetricFeed {
    /** Seconds between datapoints (EC2: 300 under basic monitoring, 60 under detailed). */
    intervalSeconds: number;
    /** Seconds after a sample is taken until it can be read (the most it may lag: the best cases take 0). */
    delaySeconds: number;
    /**
     * Seconds between the samples a datapoint aggregates; set it to `intervalSeconds` for a
     * metric published whole at the end of its interval (SQS's). @default min(intervalSeconds, 60): EC2 samples once a minute
     */
    sampleSeconds?: number;
    /** No datapoint when the value is 0 (e.g. a load balancer's HTTPCode_* counts). @default false */
    omitZero?: boolean;
}

/** EC2's hypervisor samples a metric once a minute, also under basic monitoring (five samples per datapoint). */
const SAMPLE_SECONDS = 60;

/** A step function of time: each segment's value holds from `from` until the next segment. */
export type Load = ReadonlyArray<{ from: number; value: number }>;

/** Standard-resolution alarms are evaluated once a minute. */
export const EVALUATION_INTERVAL_SECONDS = 60;

export function breaches(spec: Pick<AlarmSpec, "comparison" | "threshold">, value: number): boolean {
    switch (spec.comparison) {
        case "GreaterThanThreshold": return value > spec.threshold;
        case "GreaterThanOrEqualToThreshold": return value >= spec.threshold;
        case "LessThanThreshold": return value < spec.threshold;
        case "LessThanOrEqualToThreshold": return value <= spec.threshold;
    }
}

const alarmM = (spec: AlarmSpec): number => spec.datapointsToAlarm ?? spec.evaluationPeriods;
const rangeOf = (spec: AlarmSpec): number => spec.evaluationRangePeriods ?? spec.evaluationPeriods + 2;

/** One evaluation of the range (oldest first; undefined = no datapoint in that period). */
export function evaluateAlarm(spec: AlarmSpec, range: ReadonlyArray<number | undefined>, current: AlarmState = "INSUFFICIENT_DATA"): AlarmState {
    const n = spec.evaluationPeriods;
    const m = alarmM(spec);
    const real = range.filter((v): v is number => v !== undefined);
    const isBreach = (v: number): boolean => breaches(spec, v);
    if (real.length >= n) return real.slice(-n).filter(isBreach).length >= m ? "ALARM" : "OK";
    const realBreaching = real.filter(isBreach).length;
    switch (spec.treatMissingData) {
        case "breaching": return realBreaching + (n - real.length) >= m ? "ALARM" : "OK";
        case "notBreaching": return realBreaching >= m ? "ALARM" : "OK";
        case "missing":
        case "ignore": {
            if (realBreaching >= m) return "ALARM";
            if (realBreaching < real.length) return "OK"; // a real non-breaching datapoint decides
            if (spec.treatMissingData === "ignore") return current;
            const oldest = range[0];
            return oldest !== undefined && isBreach(oldest) ? "ALARM" : "INSUFFICIENT_DATA";
        }
    }
}

/** The time average of `load` over [start, end). */
function averageOver(load: Load, start: number, end: number): number {
    let total = 0;
    for (let i = 0; i < load.length; i++) {
        const from = i === 0 ? -Infinity : load[i].from;
        const to = i + 1 < load.length ? load[i + 1].from : Infinity;
        const overlap = Math.min(end, to) - Math.max(start, from);
        if (overlap > 0) total += overlap * load[i].value;
    }
    return total / (end - start);
}

function statistic(kind: Statistic, values: number[]): number {
    switch (kind) {
        case "Average": return values.reduce((a, b) => a + b, 0) / values.length;
        case "Sum": return values.reduce((a, b) => a + b, 0);
        case "Maximum": return Math.max(...values);
        case "Minimum": return Math.min(...values);
        case "SampleCount": return values.length;
    }
}

/** A datapoint as readable at `now`: the average of its samples taken (and delivered) so far. */
function datapointAt(feed: MetricFeed, load: Load, timestamp: number, now: number): number | undefined {
    const sample = feed.sampleSeconds ?? Math.min(feed.intervalSeconds, SAMPLE_SECONDS);
    const samples: number[] = [];
    for (let s = timestamp; s < timestamp + feed.intervalSeconds; s += sample) {
        if (s + sample + feed.delaySeconds <= now) samples.push(averageOver(load, s, s + sample));
    }
    const value = samples.length === 0 ? undefined : samples.reduce((a, b) => a + b, 0) / samples.length;
    return feed.omitZero && value === 0 ? undefined : value;
}

/** The period's value as the alarm sees it at `now`: the statistic of the datapoints readable by then. */
function periodValue(spec: AlarmSpec, feed: MetricFeed, load: Load, periodStart: number, now: number): number | undefined {
    const values: number[] = [];
    const c = feed.intervalSeconds;
    for (let t = Math.ceil(periodStart / c) * c; t < periodStart + spec.periodSeconds; t += c) {
        const value = datapointAt(feed, load, t, now);
        if (value !== undefined) values.push(value);
    }
    return values.length === 0 ? undefined : statistic(spec.statistic, values);
}

export interface Evaluation { time: number; state: AlarmState }

/** Every evaluation from `from` to `to` (whole minutes), starting in `initial`. */
export function alarmTimeline(spec: AlarmSpec, feed: MetricFeed, load: Load, from: number, to: number,
    initial: AlarmState = "INSUFFICIENT_DATA"): Evaluation[] {
    return [...evaluations(spec, feed, load, from, to, initial)];
}

function* evaluations(spec: AlarmSpec, feed: MetricFeed, load: Load, from: number, to: number, initial: AlarmState): Generator<Evaluation> {
    const p = spec.periodSeconds;
    let state = initial;
    for (let now = Math.ceil(from / EVALUATION_INTERVAL_SECONDS) * EVALUATION_INTERVAL_SECONDS; now <= to; now += EVALUATION_INTERVAL_SECONDS) {
        const lastEnded = Math.floor(now / p) * p;
        const range: Array<number | undefined> = [];
        for (let k = rangeOf(spec); k >= 1; k--) range.push(periodValue(spec, feed, load, lastEnded - k * p, now));
        state = evaluateAlarm(spec, range, state);
        yield { time: now, state };
    }
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
const lcm = (a: number, b: number): number => (a / gcd(a, b)) * b;

/** Every alignment of a change with the clock worth trying: one per `step` over a full cycle of periods, datapoints and evaluations. */
function alignments(spec: AlarmSpec, feed: MetricFeed, step: number): number[] {
    const cycle = lcm(lcm(spec.periodSeconds, feed.intervalSeconds), EVALUATION_INTERVAL_SECONDS);
    return Array.from({ length: Math.ceil(cycle / step) }, (_, i) => i * step);
}

/** Long enough for the range to forget the past: warm-up before a change, and the horizon after it. */
function memorySeconds(spec: AlarmSpec, feed: MetricFeed): number {
    return (rangeOf(spec) + 2) * Math.max(spec.periodSeconds, feed.intervalSeconds) + feed.delaySeconds + 2 * EVALUATION_INTERVAL_SECONDS;
}

export interface Options {
    /** Resolution of the alignments tried, seconds. @default 1 */
    stepSeconds?: number;
}

/** Seconds from `start` to the first evaluation in `target`, for a load that has settled before `start`. */
function firstTimeIn(spec: AlarmSpec, feed: MetricFeed, load: Load, start: number, until: number, target: AlarmState): number | undefined {
    const warm = memorySeconds(spec, feed);
    const settled = alarmTimeline(spec, feed, load, start - warm, start - 1);
    const initial = settled.length > 0 ? settled[settled.length - 1].state : "INSUFFICIENT_DATA";
    for (const e of evaluations(spec, feed, load, start, until, initial)) {
        if (e.state === target) return e.time - start;
    }
    return undefined;
}

export interface Span { best: number; worst: number }

/**
 * After the metric steps from `before` to `after`, the fewest and most seconds
 * until the alarm is in `target`; undefined when some alignment never gets there.
 */
export function timeToState(spec: AlarmSpec, feed: MetricFeed, change: { before: number; after: number }, target: AlarmState = "ALARM",
    options: Options = {}): Span | undefined {
    const horizon = 2 * memorySeconds(spec, feed) + lcm(spec.periodSeconds, feed.intervalSeconds);
    const base = 10 * memorySeconds(spec, feed);
    let best = Infinity;
    let worst = 0;
    for (const offset of alignments(spec, feed, options.stepSeconds ?? 1)) {
        const start = base + offset;
        const seconds = firstTimeIn(spec, feed, [{ from: 0, value: change.before }, { from: start, value: change.after }], start, start + horizon, target);
        if (seconds === undefined) return undefined;
        best = Math.min(best, seconds);
        worst = Math.max(worst, seconds);
    }
    return { best, worst };
}

/** Whether a spike from `base` to `peak` lasting `seconds` raises the alarm at any alignment. */
export function spikeRaisesAlarm(spec: AlarmSpec, feed: MetricFeed, spike: { base: number; peak: number; seconds: number }, options: Options = {}): boolean {
    const base = 10 * memorySeconds(spec, feed);
    return alignments(spec, feed, options.stepSeconds ?? 1).some((offset) => {
        const start = base + offset;
        const load: Load = [{ from: 0, value: spike.base }, { from: start, value: spike.peak }, { from: start + spike.seconds, value: spike.base }];
        return firstTimeIn(spec, feed, load, start, start + spike.seconds + 2 * memorySeconds(spec, feed), "ALARM") !== undefined;
    });
}

/** The longest spike (in `resolution` steps, up to `limit`) that never raises the alarm, nor any shorter one. */
export function longestHarmlessSpike(spec: AlarmSpec, feed: MetricFeed, levels: { base: number; peak: number },
    options: Options & { resolutionSeconds?: number; limitSeconds?: number } = {}): number {
    const resolution = options.resolutionSeconds ?? 10;
    // Longer than N periods and a datapoint interval: as good as a sustained breach.
    const limit = options.limitSeconds ?? (spec.evaluationPeriods + 1) * Math.max(spec.periodSeconds, feed.intervalSeconds) + feed.delaySeconds;
    let harmless = 0;
    for (let seconds = resolution; seconds <= limit; seconds += resolution) {
        if (spikeRaisesAlarm(spec, feed, { ...levels, seconds }, options)) return harmless;
        harmless = seconds;
    }
    return harmless;
}

/** The values the metric can take (CPUUtilization: 0 to 100). */
export interface Bounds { min: number; max: number }

/** Levels just on either side of the threshold, and the far ends, in the alarm's breaching direction. */
function levelsOf(spec: AlarmSpec, bounds: Bounds): { justSafe: number; justBreaching: number; farSafe: number; farBreaching: number } {
    const epsilon = (bounds.max - bounds.min) * 1e-6;
    const up = spec.comparison.startsWith("Greater");
    const [farSafe, farBreaching] = up ? [bounds.min, bounds.max] : [bounds.max, bounds.min];
    const justBreaching = breaches(spec, spec.threshold) ? spec.threshold : spec.threshold + (up ? epsilon : -epsilon);
    const justSafe = breaches(spec, spec.threshold) ? spec.threshold + (up ? -epsilon : epsilon) : spec.threshold;
    return { justSafe, justBreaching, farSafe, farBreaching };
}

/**
 * From the start of a sustained breach to ALARM: `best` when the metric jumps from just
 * inside the threshold to its far end, `worst` when it creeps from the far safe end to just
 * past the threshold. Undefined: some sustained breach never raises the alarm.
 */
export function timeToAlarm(spec: AlarmSpec, feed: MetricFeed, bounds: Bounds, options: Options = {}): Span | undefined {
    const l = levelsOf(spec, bounds);
    const fast = timeToState(spec, { ...feed, delaySeconds: 0 }, { before: l.justSafe, after: l.farBreaching }, "ALARM", options);
    const slow = timeToState(spec, feed, { before: l.farSafe, after: l.justBreaching }, "ALARM", options);
    return fast && slow ? { best: fast.best, worst: slow.worst } : undefined;
}

/** From the end of a breach (the metric back inside the threshold) to OK, bounded the same way. */
export function timeToClear(spec: AlarmSpec, feed: MetricFeed, bounds: Bounds, options: Options = {}): Span | undefined {
    const l = levelsOf(spec, bounds);
    const fast = timeToState(spec, { ...feed, delaySeconds: 0 }, { before: l.justBreaching, after: l.farSafe }, "OK", options);
    const slow = timeToState(spec, feed, { before: l.farBreaching, after: l.justSafe }, "OK", options);
    return fast && slow ? { best: fast.best, worst: slow.worst } : undefined;
}

/** The longest excursion to the far breaching end, from just inside the threshold, that never raises the alarm. */
export function longestIgnoredSpike(spec: AlarmSpec, feed: MetricFeed, bounds: Bounds,
    options: Options & { resolutionSeconds?: number; limitSeconds?: number } = {}): number {
    const l = levelsOf(spec, bounds);
    return longestHarmlessSpike(spec, feed, { base: l.justSafe, peak: l.farBreaching }, options);
}

/** PutMetricAlarm's fields (as an `aws.cloudwatch.MetricAlarm` takes them) → AlarmSpec. */
export function alarmSpecFromArgs(args: {
    period: number; evaluationPeriods: number; datapointsToAlarm?: number; threshold: number;
    comparisonOperator: string; statistic: string; treatMissingData?: string;
}): AlarmSpec {
    return {
        periodSeconds: args.period,
        evaluationPeriods: args.evaluationPeriods,
        datapointsToAlarm: args.datapointsToAlarm,
        threshold: args.threshold,
        comparison: args.comparisonOperator as Comparison,
        statistic: args.statistic as Statistic,
        treatMissingData: (args.treatMissingData ?? "missing") as MissingDataRule,
    };
}
