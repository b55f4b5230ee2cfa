/**
 * A load balancer target's health over time and the Auto Scaling group's
 * reaction (healthCheckType ELB), as reference/aws-runtime.md states them:
 * checks every `interval`; `healthyThreshold` consecutive passes make a target
 * healthy, `unhealthyThreshold` consecutive failures unhealthy; once the
 * grace period is over, an unhealthy target's instance is replaced.
 *
 * Where the model stops: checks start at the instance's launch (registration
 * and the first check are instant), the group acts at the first check after
 * the grace period that finds the target unhealthy (AWS may act later, never
 * earlier: the earliest replacement is what a boot must beat), and a check's
 * own timeout is ignored (a check passes when the instance serves at its time).
 */

export interface HealthCheckTiming {
    intervalSeconds: number;
    healthyThreshold: number;
    unhealthyThreshold: number;
}

export interface GroupHealthTiming extends HealthCheckTiming {
    gracePeriodSeconds: number;
}

export type TargetState = "initial" | "healthy" | "unhealthy";

export interface TargetHistory {
    /** First time the target was healthy, if ever (within the horizon). */
    healthyAt?: number;
    /** First time the target was unhealthy, if ever. */
    unhealthyAt?: number;
    /** When the group replaced the instance, if it did. */
    replacedAt?: number;
}

/**
 * Replays the checks of one instance, launched at 0, that serves during
 * `serving(t)` (e.g. from a time on), until `horizonSeconds` or its replacement.
 */
export function targetHistory(timing: GroupHealthTiming, serving: (seconds: number) => boolean, horizonSeconds: number): TargetHistory {
    const history: TargetHistory = {};
    let state: TargetState = "initial";
    let passes = 0;
    let failures = 0;
    for (let t = timing.intervalSeconds; t <= horizonSeconds; t += timing.intervalSeconds) {
        if (serving(t)) {
            passes++;
            failures = 0;
            if (state !== "healthy" && passes >= timing.healthyThreshold) state = "healthy";
        } else {
            failures++;
            passes = 0;
            if (state !== "unhealthy" && failures >= timing.unhealthyThreshold) state = "unhealthy";
        }
        if (state === "healthy" && history.healthyAt === undefined) history.healthyAt = t;
        if (state === "unhealthy" && history.unhealthyAt === undefined) history.unhealthyAt = t;
        if (state === "unhealthy" && t >= timing.gracePeriodSeconds) {
            history.replacedAt = t;
            return history;
        }
    }
    return history;
}

/** An instance that serves from `servingFrom` on (never: `Infinity`). */
export const servesFrom = (servingFrom: number) => (seconds: number): boolean => seconds >= servingFrom;
