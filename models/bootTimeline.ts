/**
 * One timeline for a master's boot: the boot script's bounds (retries and
 * per-step timeouts), the load balancer's health check, and the Auto Scaling
 * group's grace period, instance-refresh warm-up and `pulumi up`'s wait are
 * all derived here, from each other, so that a boot that succeeds is never
 * replaced first and a boot that fails has written why before it is
 * (tests/bootTimeline.test.ts replays both on models/targetHealth.ts).
 * MASTER_BOOT (components/envFile/masterBoot.ts) and MASTER_TIER
 * (components/masterTier.ts) take their numbers from BOOT_TIMELINE.
 */
import { GroupHealthTiming } from "./targetHealth";

/** What the boot may take, step by step; every step the script runs is bounded by one of these. */
export interface BootBudget {
    /**
     * Launch (the instance is InService, the grace period starts) to cloud-init's
     * final stage, which runs the boot script. Assumed: Ubuntu on EC2 reaches it in
     * 20-40 s; 90 s leaves room for a root volume restored lazily from its snapshot.
     */
    systemBootSeconds: number;
    /** curl's --max-time for each IMDS request (link-local; answers in milliseconds). */
    imdsTimeoutSeconds: number;
    /** IMDS requests in one attempt at most: token, role name, credentials, instance id (first time). */
    imdsRequestsPerAttempt: number;
    /** The signed S3 GET, killed after this (a 3 KB object). */
    s3TimeoutSeconds: number;
    /** The signed EC2 CreateTags that records the outcome (openvidu:boot), killed after this. */
    tagTimeoutSeconds: number;
    /** Each of the two signed CloudWatch Logs calls (CreateLogStream, PutLogEvents) that send the boot's lines, after the tag. */
    logsTimeoutSeconds: number;
    /** Attempts to read the `.env`, and the pause between two (IAM propagation, an S3 hiccup). */
    attempts: number;
    retryDelaySeconds: number;
    /** Checking and installing the file (python3 on a few KB). */
    checkSeconds: number;
    /** `./openvidu stop` (docker compose down; containers get 10 s to stop), killed after this. */
    stopTimeoutSeconds: number;
    /**
     * `./openvidu start` with FOLLOW_OPENVIDU_LOGS=false (docker compose up -d),
     * killed after this. Assumed: the master AMI has the 2.x images pulled, so
     * nothing is downloaded; creating and starting its ~10 containers takes
     * 10-30 s; 4x that on a slow first read of the root volume.
     */
    startTimeoutSeconds: number;
    /**
     * From `docker compose up -d` returning to OpenVidu answering the health
     * check on 4443. Assumed: openvidu-server (a Spring Boot application) and its
     * proxy come up in 30-60 s on the masters' instance types; twice that.
     * The AMI's own `stop; start` (cron) runs before the boot script's install,
     * or is refused (held), so it never adds a second start to the worst case.
     */
    serveAfterStartSeconds: number;
}

export interface BootTimelineInputs {
    budget: BootBudget;
    healthCheck: HealthCheckSettings;
    /** The target group's deregistration delay: a refresh ends after old masters drain. */
    deregistrationDelaySeconds: number;
    /** From the group's decision to replace to the new instance InService (terminate, launch). Assumed 60 s. */
    replacementSeconds: number;
}

export interface HealthCheckSettings {
    intervalSeconds: number;
    /** Per check; shorter than the interval (an ELB rule). */
    timeoutSeconds: number;
    healthyThreshold: number;
    unhealthyThreshold: number;
}

/** The boot sends its lines once, at its outcome: CreateLogStream, then one PutLogEvents. */
export const LOGS_CALLS = 2;

/** Worst-case times from launch, in seconds, of a boot bounded by `budget`. */
export function worstCaseBoot(budget: BootBudget): {
    attemptSeconds: number; fetchSeconds: number; fetchFailedAt: number; startFailedAt: number; taggedAt: number; logsSentAt: number; servingAt: number;
} {
    const attemptSeconds = budget.imdsRequestsPerAttempt * budget.imdsTimeoutSeconds + budget.s3TimeoutSeconds;
    const fetchSeconds = budget.attempts * attemptSeconds + (budget.attempts - 1) * budget.retryDelaySeconds;
    const fetchFailedAt = budget.systemBootSeconds + fetchSeconds;
    const startFailedAt = fetchFailedAt + budget.checkSeconds + budget.stopTimeoutSeconds + budget.startTimeoutSeconds;
    // The outcome's tag follows the last log line (FAILED, or OpenVidu started); serving does not wait for it.
    const taggedAt = startFailedAt + budget.tagTimeoutSeconds;
    const logsSentAt = taggedAt + LOGS_CALLS * budget.logsTimeoutSeconds;
    return { attemptSeconds, fetchSeconds, fetchFailedAt, startFailedAt, taggedAt, logsSentAt, servingAt: startFailedAt + budget.serveAfterStartSeconds };
}

const roundUpToMinute = (seconds: number): number => Math.ceil(seconds / 60) * 60;

/** Everything the group, the refresh and `up` are given, derived from the boot's budget and the health check. */
export function deriveTimeline(inputs: BootTimelineInputs) {
    const { budget, healthCheck } = inputs;
    const worst = worstCaseBoot(budget);
    // A target that starts passing needs this long of passing checks to be healthy.
    const healthyWindowSeconds = healthCheck.healthyThreshold * healthCheck.intervalSeconds;
    const worstHealthyAtSeconds = worst.servingAt + healthyWindowSeconds;
    // The group first looks after the grace period: by then the slowest good boot is healthy.
    const gracePeriodSeconds = roundUpToMinute(worstHealthyAtSeconds);
    // A first attempt that succeeds, every later step at its bound: the refresh waits that long, or until healthy.
    const firstTry = worstCaseBoot({ ...budget, attempts: 1 });
    const instanceWarmupSeconds = roundUpToMinute(firstTry.servingAt + healthyWindowSeconds);
    // One failed boot, its replacement's slowest good boot, and the old masters' draining.
    const upWaitTimeoutSeconds = roundUpToMinute(gracePeriodSeconds + inputs.replacementSeconds + worstHealthyAtSeconds + inputs.deregistrationDelaySeconds);
    return {
        ...inputs,
        worstCase: { ...worst, healthyAt: worstHealthyAtSeconds },
        /** The latest a boot writes its FAILED line (a start that failed after the slowest fetch). */
        lastFailedLineAtSeconds: worst.startFailedAt,
        /** The latest the instance carries its openvidu:boot tag. */
        lastTagAtSeconds: worst.taggedAt,
        /** The latest the boot's lines are in CloudWatch Logs (sent after the tag). */
        lastLogsAtSeconds: worst.logsSentAt,
        gracePeriodSeconds,
        instanceWarmupSeconds,
        upWaitTimeoutSeconds,
        /** `up`'s wait for the masters as a duration, e.g. "26m" (components/instanceRefresh, mastersWaitSeconds). */
        upWaitTimeout: `${upWaitTimeoutSeconds / 60}m`,
        /** The group's view: grace period and thresholds, for models/targetHealth.ts. */
        groupHealth: {
            gracePeriodSeconds,
            intervalSeconds: healthCheck.intervalSeconds,
            healthyThreshold: healthCheck.healthyThreshold,
            unhealthyThreshold: healthCheck.unhealthyThreshold,
        } as GroupHealthTiming,
    };
}

export type BootTimeline = ReturnType<typeof deriveTimeline>;

export const BOOT_TIMELINE_INPUTS: BootTimelineInputs = {
    budget: {
        systemBootSeconds: 90,
        imdsTimeoutSeconds: 3,
        imdsRequestsPerAttempt: 4,
        s3TimeoutSeconds: 15,
        tagTimeoutSeconds: 15,
        logsTimeoutSeconds: 10,
        attempts: 8,
        retryDelaySeconds: 10,
        checkSeconds: 5,
        stopTimeoutSeconds: 60,
        startTimeoutSeconds: 120,
        serveAfterStartSeconds: 120,
    },
    // OpenVidu's latest 2.x template's check timing: a target is healthy after 30 s of passes.
    healthCheck: { intervalSeconds: 10, timeoutSeconds: 5, healthyThreshold: 3, unhealthyThreshold: 4 },
    deregistrationDelaySeconds: 60,
    replacementSeconds: 60,
};

export const BOOT_TIMELINE: BootTimeline = deriveTimeline(BOOT_TIMELINE_INPUTS);

/** One boot as it happens: each step's actual duration (≤ its bound) and outcome. */
export interface BootRun {
    systemBootSeconds: number;
    /** The attempts made, in order; the boot stops at the first `ok` (later entries are ignored). */
    attempts: Array<{ ok: boolean; seconds: number }>;
    stopSeconds: number;
    start: { ok: boolean; seconds: number };
    serveAfterStartSeconds: number;
    tagSeconds: number;
    /** Both CloudWatch Logs calls together. */
    logsSeconds: number;
}

/** When this run writes its FAILED line or starts serving, is tagged and has sent its lines; mirrors the boot script's control flow. */
export function replayBoot(budget: BootBudget, run: BootRun): { failedLineAt?: number; servingAt?: number; taggedAt: number; logsSentAt: number } {
    let t = run.systemBootSeconds;
    const tried = run.attempts.slice(0, budget.attempts);
    const success = tried.findIndex((attempt) => attempt.ok);
    const made = success === -1 ? tried : tried.slice(0, success + 1);
    made.forEach((attempt, i) => {
        t += attempt.seconds;
        if (!attempt.ok && i < budget.attempts - 1) t += budget.retryDelaySeconds;
    });
    const outcome = (at: number) => ({ taggedAt: at + run.tagSeconds, logsSentAt: at + run.tagSeconds + run.logsSeconds });
    if (success === -1) return { failedLineAt: t, ...outcome(t) };
    t += budget.checkSeconds + run.stopSeconds + run.start.seconds;
    if (!run.start.ok) return { failedLineAt: t, ...outcome(t) };
    return { servingAt: t + run.serveAfterStartSeconds, ...outcome(t) };
}
