/**
 * What a failed wait says of the masters, the same for `up`'s first create
 * and for an instance refresh: each master with its lifecycle state in the
 * group, its target's health and reason, what its boot said (the
 * `openvidu:boot` tag, the last console lines) and the command that shows
 * more. Ids, states and AWS's reasons only: never a secret.
 */
import { ActivityView, failedActivities, replacedMasters } from "./activities";
import { describeError } from "./poll";

/** One instance of the masters' group as DescribeAutoScalingGroups reports it. */
export interface GroupInstanceView {
    id: string;
    /** e.g. `Pending`, `InService`, `Terminating`. */
    lifecycleState: string;
    /** `Healthy` or `Unhealthy` (the group's view). */
    healthStatus?: string;
}

/** One target of the masters' target group as DescribeTargetHealth reports it. */
export interface TargetView {
    /** The instance id (targets of type `instance`). */
    id: string;
    state: string;
    /** e.g. `Target.FailedHealthChecks`. */
    reason?: string;
    description?: string;
}

export interface BootView {
    /** The instance's `openvidu:boot` tag, when the boot got as far as tagging. */
    outcome?: string;
    /** The last boot lines of the serial console. */
    lastLines: string[];
}

/** What the waits read of the masters. */
export interface MastersApi {
    /** The instances of the masters' group. */
    instances(): Promise<GroupInstanceView[]>;
    /** The targets of the masters' target group, with their health. */
    targets(): Promise<TargetView[]>;
    /**
     * What each instance said of its boot (only read for a failure): the `openvidu:boot` tag
     * (`ok`/`failed`) and the last `openvidu-boot:` lines of its serial console, which
     * outlive the instance. Key names only, never values: the boot writes no value there.
     */
    boots?(instanceIds: string[]): Promise<Record<string, BootView>>;
    /** The group's recent scaling activities (only read for a failure): the masters it replaced, the launches that failed. */
    activities?(): Promise<ActivityView[]>;
}

/** The command that shows a master's whole boot, for the failure message. */
export const consoleCommand = (instanceId: string): string => `aws ec2 get-console-output --latest --output text --instance-id ${instanceId}`;

/** The command that reads a master's boot lines from the cluster's log group (sent at the boot's outcome, so kept after the instance is gone). */
export const bootLogCommand = (group: string, instanceId: string): string => `aws logs tail ${group} --log-stream-names ${instanceId} --since 1d`;

/** A master serves: InService in the group and healthy behind the load balancer. */
export function serves(instance: GroupInstanceView | undefined, target: TargetView | undefined): boolean {
    return instance?.lifecycleState === "InService" && instance.healthStatus !== "Unhealthy" && target?.state === "healthy";
}

/** The masters that serve (serves()); an instance the target group does not list never counts. */
export function servingMasters(instances: GroupInstanceView[], targets: TargetView[]): string[] {
    return instances.filter((i) => serves(i, targets.find((t) => t.id === i.id))).map((i) => i.id);
}

/** Every master either side knows of: the group's instances, then the target group's others. */
function masterIds(instances: GroupInstanceView[] | undefined, targets: TargetView[]): string[] {
    return [...new Set([...(instances ?? []).map((i) => i.id), ...targets.map((t) => t.id)])];
}

/** Serves, or (the group unread) is a healthy target: nothing to explain. */
function needsNoExplanation(instances: GroupInstanceView[] | undefined, targets: TargetView[], id: string): boolean {
    const target = targets.find((t) => t.id === id);
    return instances === undefined ? target?.state === "healthy" : serves(instances.find((i) => i.id === id), target);
}

function groupPart(instance: GroupInstanceView | undefined, groupKnown: boolean): string {
    if (!groupKnown) return "";
    if (instance === undefined) return "no longer in the group, ";
    return `${instance.lifecycleState}${instance.healthStatus === "Unhealthy" ? " (Unhealthy)" : ""} in the group, `;
}

function targetPart(target: TargetView | undefined, inGroup: boolean): string {
    const why = target?.reason ? `, ${target.reason}` : "";
    const detail = target?.description ? ` (${target.description})` : "";
    // `unused`: the group has the instance but the target group never put it in service.
    if (inGroup && (target === undefined || target.state === "unused")) {
        return `never registered with the target group${target ? ` (unused${why}${detail})` : ""}`;
    }
    return target === undefined ? "not in the target group" : `target ${target.state}${why}${detail}`;
}

/**
 * The masters' lines of a failure message: every instance of the group or the target group;
 * under each one that does not serve, what its boot said and the command that shows more.
 * `instances` undefined: the group could not be read (its part is left out).
 */
export function describeMasters(instances: GroupInstanceView[] | undefined, targets: TargetView[], boots: Record<string, BootView> = {},
    replaced: Array<{ id: string; why: string }> = [], bootLogGroup?: string): string {
    const explained = (id: string, head: string): string[] => [
        `${head}; ${boots[id]?.outcome ? `openvidu:boot=${boots[id].outcome}` : "no boot state yet"}`,
        ...(boots[id]?.lastLines ?? []).map((line) => `      ${line}`),
        `      more: ${consoleCommand(id)}`,
        // A master sends its lines at its outcome: one without a boot state has none there yet.
        ...(bootLogGroup && boots[id]?.outcome ? [`      or:   ${bootLogCommand(bootLogGroup, id)}`] : []),
    ];
    const ids = masterIds(instances, targets);
    const lines = ids.flatMap((id) => {
        const instance = instances?.find((i) => i.id === id);
        const target = targets.find((t) => t.id === id);
        const head = `  ${id}: ${groupPart(instance, instances !== undefined)}${targetPart(target, instance !== undefined)}`;
        return needsNoExplanation(instances, targets, id) ? [head] : explained(id, head);
    });
    // Gone from both lists: only the group's activities still name them.
    for (const { id, why } of replaced.filter((r) => !ids.includes(r.id))) lines.push(...explained(id, `  ${id}: replaced by the group (${why})`));
    const serving = instances === undefined ? "" : `, ${servingMasters(instances, targets).length} InService and healthy behind the load balancer`;
    const count = instances === undefined ? `${targets.length} in the target group` : `${instances.length} in the group`;
    return [`Masters (${count}${serving}):`, ...(lines.length > 0 ? lines : ["  none"])].join("\n");
}

/**
 * Reads the group, the targets, the group's activities since `from` and the boots of the masters
 * that do not serve (the replaced ones too); a read that fails is named, not fatal. With the
 * cluster's boot log group (components/bootLogs.ts), names each finished boot's stream in it.
 */
export async function mastersReport(api: MastersApi, from: Date, bootLogGroup?: string): Promise<string> {
    const notes: string[] = [];
    const read = <T>(what: string, call: () => Promise<T>, otherwise: T): Promise<T> => call().catch((error: unknown) => {
        notes.push(`${what} could not be read: ${describeError(error)}`);
        return otherwise;
    });
    const instances = await read<GroupInstanceView[] | undefined>("The masters' group", () => api.instances(), undefined);
    const targets = await read<TargetView[]>("The target group's health", () => api.targets(), []);
    const activities = api.activities ? await read<ActivityView[]>("The group's activities", () => api.activities!(), []) : [];
    const replaced = replacedMasters(activities, from);
    const failing = [...masterIds(instances, targets).filter((id) => !needsNoExplanation(instances, targets, id)), ...replaced.map((r) => r.id)];
    let boots: Record<string, BootView> = {};
    if (api.boots && failing.length > 0) boots = await read("The masters' boot outcomes", () => api.boots!([...new Set(failing)]), {});
    const failed = failedActivities(activities, from);
    return [
        describeMasters(instances, targets, boots, replaced, bootLogGroup),
        ...(failed.length > 0 ? ["Failed activities of the group:", ...failed] : []),
        ...notes,
    ].join("\n");
}
