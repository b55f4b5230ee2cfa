/**
 * The dynamic provider behind InstanceRefreshWait. Its inputs are what makes the
 * AWS provider start an instance refresh (the group, its launch template id and
 * version), so it updates exactly when the masters are refreshed; the update
 * waits for the refresh newer than the one it recorded last (waiter.ts).
 * SDK clients are built per call, credentials and endpoints read at call time
 * (as envFile/s3.ts does): nothing secret reaches its inputs or state.
 */
import type * as pulumi from "@pulumi/pulumi";
import { credentialsFor, S3Access, stackConfig } from "../envFile/s3";
import type { ActivityView } from "./activities";
import { waitForHealthyMasters } from "./capacity";
import { describeError, isPermanent } from "./poll";
import { BootView, GroupInstanceView, TargetView } from "./report";
import { endOf, newestRefresh, RefreshApi, RefreshView, waitForRefresh } from "./waiter";
import { BOOT_OUTCOME_TAG } from "../envFile/masterBoot";

export interface InstanceRefreshWaitInputs {
    groupName: string;
    /** The group's launch template: a new id or version is what starts a refresh. */
    launchTemplateId: string;
    launchTemplateVersion: string;
    /** The masters' target group, whose targets' health a failure reports. */
    targetGroupArn: string;
    region: string;
    /** How long an update waits for the refresh to end. */
    timeoutSeconds: number;
    /** How many masters must serve when this is created, and after an update that changes it. */
    desiredMasters?: number;
    /** How long that wait lasts. */
    capacityTimeoutSeconds?: number;
    /** The cluster's boot log group, which a failure message points to. */
    bootLogGroupName?: string;
    /** How the clients authenticate, as the AWS provider does (profile, roles): never a secret. */
    access?: S3Access;
    __provider?: string;
}

export interface InstanceRefreshWaitOutputs extends InstanceRefreshWaitInputs {
    /** The newest refresh of the group when this resource last succeeded ("" for none): the next update waits only for a newer one. */
    baselineRefreshId: string;
    /** Status of the refresh this resource last waited for, or "none". */
    lastOutcome: string;
}

/** One AWS call may take this long, retries included, before the poll counts as failed. */
export const CALL_TIMEOUT_MS = 20_000;
/** The SDK's own attempts per call (throttling and 5xx are retried with its backoff). */
export const SDK_MAX_ATTEMPTS = 3;

function autoScalingSdk(): typeof import("@aws-sdk/client-auto-scaling") {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require("@aws-sdk/client-auto-scaling");
}

function ec2Sdk(): typeof import("@aws-sdk/client-ec2") {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require("@aws-sdk/client-ec2");
}

/** How many of the last boot lines of a master's console a failure quotes. */
export const BOOT_LINES_QUOTED = 3;

/** The boot script's lines in a console output (base64, as EC2 returns it): `... openvidu-boot: <text>`. */
export function bootLines(consoleOutputBase64: string | undefined, count = BOOT_LINES_QUOTED): string[] {
    const text = Buffer.from(consoleOutputBase64 ?? "", "base64").toString("utf8");
    return text.split(/\r?\n/).map((line) => /openvidu-boot: (.*)$/.exec(line)?.[1]?.trim()).filter((line): line is string => !!line).slice(-count);
}

function elbSdk(): typeof import("@aws-sdk/client-elastic-load-balancing-v2") {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require("@aws-sdk/client-elastic-load-balancing-v2");
}

/** The reads of the inputs' group, target group and masters (refreshes, instances, target health, boots), each call time-bounded. */
export function awsRefreshApi(inputs: InstanceRefreshWaitInputs, callTimeoutMs = CALL_TIMEOUT_MS): RefreshApi {
    const { AutoScalingClient, DescribeAutoScalingGroupsCommand, DescribeInstanceRefreshesCommand, DescribeScalingActivitiesCommand } = autoScalingSdk();
    const { ElasticLoadBalancingV2Client, DescribeTargetHealthCommand } = elbSdk();
    const common = { region: inputs.region, credentials: credentialsFor(inputs.access ?? {}, inputs.region), maxAttempts: SDK_MAX_ATTEMPTS };
    const env = process.env;
    const autoScaling = new AutoScalingClient({ ...common, endpoint: env.AWS_ENDPOINT_URL_AUTO_SCALING ?? env.AWS_ENDPOINT_URL });
    const elb = new ElasticLoadBalancingV2Client({ ...common, endpoint: env.AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2 ?? env.AWS_ENDPOINT_URL });
    // A hung connection ends the call (and counts as a failed poll) instead of holding `up` forever.
    const bounded = () => ({ abortSignal: AbortSignal.timeout(callTimeoutMs) });
    return {
        async refreshes(): Promise<RefreshView[]> {
            // Six weeks of refreshes; a group refreshed more than 100 times in that time is not a master tier.
            const answer = await autoScaling.send(new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: inputs.groupName, MaxRecords: 100 }), bounded());
            return (answer.InstanceRefreshes ?? []).map((r) => ({
                id: r.InstanceRefreshId ?? "",
                status: String(r.Status ?? "unknown"),
                statusReason: r.StatusReason,
                percentageComplete: r.PercentageComplete,
                instancesToUpdate: r.InstancesToUpdate,
                startTime: r.StartTime,
            }));
        },
        async instances(): Promise<GroupInstanceView[]> {
            const answer = await autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [inputs.groupName] }), bounded());
            // A group not (yet) listed has no instance: the wait goes on, and a timeout says so.
            return (answer.AutoScalingGroups?.[0]?.Instances ?? []).map((i) => ({
                id: i.InstanceId ?? "?",
                lifecycleState: String(i.LifecycleState ?? "unknown"),
                healthStatus: i.HealthStatus,
            }));
        },
        async activities(): Promise<ActivityView[]> {
            // The newest 50: more than a failed `up` (26 minutes of replacements) leaves.
            const answer = await autoScaling.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: inputs.groupName, MaxRecords: 50 }), bounded());
            return (answer.Activities ?? []).map((a) => ({
                description: a.Description ?? "",
                cause: a.Cause,
                statusCode: String(a.StatusCode ?? "unknown"),
                statusMessage: a.StatusMessage,
                startTime: a.StartTime,
            }));
        },
        async boots(instanceIds: string[]): Promise<Record<string, BootView>> {
            const { EC2Client, DescribeTagsCommand, GetConsoleOutputCommand } = ec2Sdk();
            const ec2 = new EC2Client({ ...common, endpoint: env.AWS_ENDPOINT_URL_EC2 ?? env.AWS_ENDPOINT_URL });
            const tags = await ec2.send(new DescribeTagsCommand({
                Filters: [{ Name: "resource-id", Values: instanceIds }, { Name: "key", Values: [BOOT_OUTCOME_TAG] }],
            }), bounded());
            const boots: Record<string, BootView> = {};
            for (const id of instanceIds) {
                const outcome = tags.Tags?.find((t) => t.ResourceId === id)?.Value;
                // An instance already gone or not yet writing its console gives no lines; that is no failure of the report.
                const output = await ec2.send(new GetConsoleOutputCommand({ InstanceId: id, Latest: true }), bounded()).catch(() => undefined);
                boots[id] = { outcome, lastLines: bootLines(output?.Output) };
            }
            return boots;
        },
        async targets(): Promise<TargetView[]> {
            const answer = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: inputs.targetGroupArn }), bounded());
            return (answer.TargetHealthDescriptions ?? []).map((d) => ({
                id: d.Target?.Id ?? "?",
                state: String(d.TargetHealth?.State ?? "unknown"),
                reason: d.TargetHealth?.Reason,
                description: d.TargetHealth?.Description,
            }));
        },
    };
}

/** A dynamic provider's console output reaches `pulumi up` (see envFile/provider.ts). */
function log(line: string): void {
    console.log(line);
}

/** Inputs whose change is an update; the update waits only if a newer refresh exists. */
const COMPARED = ["groupName", "launchTemplateId", "launchTemplateVersion", "targetGroupArn", "region", "timeoutSeconds",
    "desiredMasters", "capacityTimeoutSeconds", "bootLogGroupName", "access", "__provider"] as const;

export function changedInputs(olds: Partial<InstanceRefreshWaitInputs>, news: InstanceRefreshWaitInputs): string[] {
    return COMPARED.filter((p) => JSON.stringify(olds[p] ?? null) !== JSON.stringify(news[p] ?? null));
}

/** Waits for the refresh newer than the baseline; the outputs record it as the next baseline (or keep the old one: none). */
async function waitAndRecord(api: RefreshApi, inputs: InstanceRefreshWaitInputs, baselineRefreshId: string | undefined): Promise<InstanceRefreshWaitOutputs> {
    const outcome = await waitForRefresh(api, { groupName: inputs.groupName, baselineRefreshId, timeoutSeconds: inputs.timeoutSeconds, log, bootLogGroup: inputs.bootLogGroupName });
    if (outcome.kind === "none") return { ...inputs, baselineRefreshId: baselineRefreshId ?? "", lastOutcome: "none" };
    log(`instance refresh ${outcome.refresh.id} of ${inputs.groupName} ended ${outcome.refresh.status}`);
    return { ...inputs, baselineRefreshId: outcome.refresh.id, lastOutcome: outcome.refresh.status };
}

/** Waits until the inputs' desired masters serve (capacity.ts); no desired count (a state of an earlier version): nothing to wait for. */
async function waitForMasters(api: RefreshApi, inputs: InstanceRefreshWaitInputs): Promise<void> {
    if (!inputs.desiredMasters || !inputs.capacityTimeoutSeconds) return;
    await waitForHealthyMasters(api, { groupName: inputs.groupName, desired: inputs.desiredMasters, timeoutSeconds: inputs.capacityTimeoutSeconds, log, bootLogGroup: inputs.bootLogGroupName });
}

export const instanceRefreshWaitProvider: pulumi.dynamic.ResourceProvider<InstanceRefreshWaitInputs, InstanceRefreshWaitOutputs> = {
    async configure(request) {
        // aws:accessKey / aws:secretKey at call time, as the .env writer reads them (never stored).
        stackConfig.get = (key) => request.config.get(key);
    },

    async check(_olds, news) {
        const failures = (["groupName", "launchTemplateId", "targetGroupArn", "region"] as const)
            .filter((p) => !news[p])
            .map((property) => ({ property, reason: `${property} is required` }));
        return { inputs: news, failures };
    },

    async diff(_id, olds, news) {
        return { changes: changedInputs(olds, news).length > 0, replaces: [], deleteBeforeReplace: false };
    },

    async create(inputs) {
        // One set of clients (and credentials: an assumed role is assumed once) for every read of this create.
        const api = awsRefreshApi(inputs);
        // A new group has no refresh, and an existing group's ended refreshes are not this `up`'s: record the newest.
        let newest: RefreshView | undefined;
        try {
            newest = newestRefresh(await api.refreshes());
        } catch (error) {
            throw new Error(`Cannot read the instance refreshes of the masters' group ${inputs.groupName}: ${describeError(error)}` +
                (isPermanent(error) ? " (the deployer needs autoscaling:DescribeInstanceRefreshes: docs/iam.md)" : "; run `pulumi up` again"), { cause: error });
        }
        // One still running (an existing stack whose first `up` with this resource also changed the masters): wait for it.
        const outs = newest !== undefined && endOf(newest) === undefined
            ? await waitAndRecord(api, inputs, undefined)
            : { ...inputs, baselineRefreshId: newest?.id ?? "", lastOutcome: "none" };
        // The group's create no longer waits (waitForCapacityTimeout "0"): `up` is green once the masters serve.
        await waitForMasters(api, inputs);
        return { id: inputs.groupName, outs };
    },

    async update(_id, olds, news) {
        const api = awsRefreshApi(news);
        const outs = await waitAndRecord(api, news, olds.baselineRefreshId || undefined);
        // As the provider did on a new desired count (a state without one, of an earlier version, is no change) and on a new group.
        const desiredChanged = olds.desiredMasters !== undefined && olds.desiredMasters !== news.desiredMasters;
        if (desiredChanged || olds.groupName !== news.groupName) await waitForMasters(api, news);
        return { outs };
    },

    async delete() {
        // Nothing to delete: the resource only waits.
    },
};
