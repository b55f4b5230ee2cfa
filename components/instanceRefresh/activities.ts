/**
 * What the masters' group did during a wait, from its scaling activities:
 * the masters it replaced (whose boot output outlives them for a while) and
 * the launches or terminations that failed (capacity, a quota, the instance
 * profile), which leave no instance behind to report.
 */

/** One scaling activity as DescribeScalingActivities reports it (the fields the report reads). */
export interface ActivityView {
    /** e.g. `Terminating EC2 instance: i-0123…`, `Launching a new EC2 instance: i-0123…`. */
    description: string;
    /** e.g. `At 2026-…Z an instance was taken out of service in response to an ELB system health check failure.` */
    cause?: string;
    /** `Successful`, `Failed`, `InProgress`, `Cancelled`, … */
    statusCode: string;
    statusMessage?: string;
    startTime?: Date;
}

/** How many failed activities a report quotes. */
export const FAILED_ACTIVITIES_QUOTED = 3;

const since = (activities: ActivityView[], from: Date): ActivityView[] =>
    activities.filter((a) => (a.startTime?.getTime() ?? 0) >= from.getTime())
        .sort((a, b) => (b.startTime?.getTime() ?? 0) - (a.startTime?.getTime() ?? 0));

/** The cause's sentence that says why (Auto Scaling writes `At <time> <what happened>.` several times). */
function why(cause: string | undefined): string {
    const sentences = (cause ?? "").split(/(?<=\.)\s+/).map((s) => s.replace(/^At \S+Z /, "").replace(/\.$/, "").trim()).filter(Boolean);
    return sentences.find((s) => /taken out of service/.test(s)) ?? sentences[sentences.length - 1] ?? "no cause given";
}

/** The instances the group terminated since `from`, newest first, with why. */
export function replacedMasters(activities: ActivityView[], from: Date): Array<{ id: string; why: string }> {
    return since(activities, from).flatMap((a) => {
        const id = /^Terminating EC2 instance: (i-[0-9a-zA-Z]+)/.exec(a.description)?.[1];
        return id === undefined ? [] : [{ id, why: why(a.cause) }];
    });
}

/** The activities that failed since `from`, newest first, at most FAILED_ACTIVITIES_QUOTED, one line each. */
export function failedActivities(activities: ActivityView[], from: Date): string[] {
    return since(activities, from).filter((a) => a.statusCode === "Failed").slice(0, FAILED_ACTIVITIES_QUOTED)
        // Auto Scaling often repeats the status message in the description ("… Status Reason: <message>").
        .map((a) => `  ${a.description}${a.statusMessage && !a.description.includes(a.statusMessage) ? ` (${a.statusMessage})` : ""}: Failed`);
}
