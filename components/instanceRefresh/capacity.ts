/**
 * Waiting for the masters to serve, in place of the AWS provider's capacity
 * wait (`waitForElbCapacity`), which fails with "waiting for Auto Scaling
 * Group (…) capacity satisfied" and nothing else. Same condition as the
 * provider's create (at least `desired` instances InService and Healthy in the
 * group, each healthy in the target group), except that an instance the
 * target group does not list never counts (the provider counts it); on a
 * timeout the message says what each master is doing (report.ts).
 */
import { describeError, isPermanent, pollUntil } from "./poll";
import { GroupInstanceView, MastersApi, mastersReport, servingMasters, TargetView } from "./report";

export interface MastersWaitOptions {
    groupName: string;
    /** How many masters must serve. */
    desired: number;
    timeoutSeconds: number;
    /** Progress lines (the dynamic provider's console reaches `pulumi up`'s output). */
    log?: (line: string) => void;
    /** The cluster's boot log group, named in a failure's report (each master's stream is its instance id). */
    bootLogGroup?: string;
}

/** "26 minutes", or "20 s" for a limit that is not whole minutes. */
const duration = (seconds: number): string => seconds % 60 === 0 ? `${seconds / 60} minutes` : `${seconds} s`;

const WHAT_TO_DO = "The masters go on booting in AWS (the group replaces each one that fails its health check): " +
    "see docs/operations.md, \"When `pulumi up` fails waiting for the masters\".";

/** Waits until `desired` masters serve; returns their ids. Throws, explaining each master, when they do not in time. */
export async function waitForHealthyMasters(api: MastersApi, options: MastersWaitOptions): Promise<string[]> {
    const log = options.log ?? (() => undefined);
    const started = new Date();
    let serving: string[] = [];
    let reported = "";
    const read = async (): Promise<{ instances: GroupInstanceView[]; targets: TargetView[] }> =>
        ({ instances: await api.instances(), targets: await api.targets() });
    const result = await pollUntil(options.timeoutSeconds, read, ({ instances, targets }) => {
        serving = servingMasters(instances, targets);
        const line = `masters of ${options.groupName}: ${serving.length} of ${options.desired} InService and healthy behind the load balancer (${instances.length} in the group)`;
        if (line !== reported) log(line);
        reported = line;
        return serving.length >= options.desired ? "done" : "wait";
    });
    if (result.state === "done") return serving;
    if (result.state === "unreachable") {
        throw new Error(`Could not follow the masters' group ${options.groupName}: AWS answered ${describeError(result.lastError)}. ` +
            "Whether the masters serve is unknown: they go on booting in AWS. " +
            (isPermanent(result.lastError)
                ? "The deployer needs autoscaling:DescribeAutoScalingGroups and elasticloadbalancing:DescribeTargetHealth (docs/iam.md)."
                : "Run `pulumi up` again to wait for them."));
    }
    throw new Error([
        `The masters' group ${options.groupName} did not have ${options.desired} masters serving within ${duration(options.timeoutSeconds)} ` +
            `(${serving.length} InService and healthy behind the load balancer).`,
        await mastersReport(api, started, options.bootLogGroup),
        WHAT_TO_DO,
    ].join("\n"));
}
