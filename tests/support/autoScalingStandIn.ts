/**
 * A stand-in for the AWS calls the masters' waits make: Auto Scaling's
 * DescribeInstanceRefreshes, DescribeAutoScalingGroups and
 * DescribeScalingActivities, ELBv2's
 * DescribeTargetHealth, EC2's DescribeTags and GetConsoleOutput, served on
 * one local port in the AWS query protocol (form-encoded POST, XML answers
 * and `<ErrorResponse>` errors), so the real SDK v3 clients talk to it
 * through AWS_ENDPOINT_URL_AUTO_SCALING / _ELASTIC_LOAD_BALANCING_V2 / _EC2.
 * A refresh follows a script over time (refreshAt: Pending → InProgress →
 * an end status), read from `Date.now()`, so a test on a fake clock moves it;
 * a group's instances and a target group's health may be functions of that
 * time too.
 *
 * Where the model stops: no signature check, no pagination (NextToken), no
 * InstanceRefreshIds filter, no other action; a refresh does not launch or
 * terminate instances, the group neither replaces an unhealthy one nor
 * records activities, and target health follows none of it (a test writes
 * each view, activities included); Auto Scaling's own
 * rules (one active refresh per group, a new start cancelling the old one)
 * are played by the test's scripts, not enforced. A group not listed answers
 * an empty list, as AWS does.
 */
import * as http from "http";
import * as net from "net";

export interface Phase {
    status: string;
    seconds: number;
    statusReason?: string;
}

/** A refresh's life: its phases in order, then the status it ends with. */
export interface RefreshScript {
    id: string;
    groupName: string;
    /** ms since the epoch. */
    startTime: number;
    phases: Phase[];
    end: { status: string; statusReason?: string; percentageComplete?: number };
    instancesToUpdate?: number;
}

export interface RefreshState {
    id: string;
    status: string;
    statusReason?: string;
    percentageComplete: number;
    instancesToUpdate: number;
    startTime: number;
    endTime?: number;
}

/** The refresh as DescribeInstanceRefreshes would show it at `now` (pure). */
export function refreshAt(script: RefreshScript, now: number): RefreshState {
    let elapsed = (now - script.startTime) / 1000;
    const instances = script.instancesToUpdate ?? 2;
    for (const phase of script.phases) {
        if (elapsed < phase.seconds) {
            // InProgress climbs towards 100 % over its phase; earlier phases have done nothing yet.
            const done = phase.status === "InProgress" ? Math.floor((100 * elapsed) / phase.seconds) : 0;
            return { id: script.id, status: phase.status, statusReason: phase.statusReason, percentageComplete: done,
                instancesToUpdate: Math.ceil(instances * (1 - done / 100)), startTime: script.startTime };
        }
        elapsed -= phase.seconds;
    }
    const endTime = script.startTime + script.phases.reduce((sum, p) => sum + p.seconds, 0) * 1000;
    const done = script.end.percentageComplete ?? (script.end.status === "Successful" ? 100 : 0);
    return { id: script.id, status: script.end.status, statusReason: script.end.statusReason, percentageComplete: done,
        instancesToUpdate: Math.ceil(instances * (1 - done / 100)), startTime: script.startTime, endTime };
}

/** One instance of a group as DescribeAutoScalingGroups lists it. */
export interface GroupInstance {
    id: string;
    lifecycleState: string;
    healthStatus?: "Healthy" | "Unhealthy";
}

/** One scaling activity of a group (DescribeScalingActivities). */
export interface Activity {
    description: string;
    cause?: string;
    statusCode: string;
    statusMessage?: string;
    /** ms since the epoch. */
    startTime: number;
}

/** A view that is fixed, or a function of the clock (ms since the epoch). */
export type OverTime<T> = T | ((now: number) => T);
const at = <T>(view: OverTime<T>, now: number): T => typeof view === "function" ? (view as (now: number) => T)(now) : view;

export interface TargetHealth {
    id: string;
    state: string;
    reason?: string;
    description?: string;
}

/** An error AWS answers with (query protocol), for the next `count` requests. */
export interface Fault {
    httpStatus: number;
    code: string;
    message: string;
    count: number;
    /** Only requests of this Action. @default every request */
    action?: string;
}

export interface AutoScalingStandIn {
    endpoint: string;
    /** Environment for clients (and the dynamic provider's host) to reach it. */
    env: Record<string, string>;
    refreshes: RefreshScript[];
    targets: Map<string, OverTime<TargetHealth[]>>;
    /** Each group's instances, by group name. */
    groups: Map<string, OverTime<GroupInstance[]>>;
    /**
     * The instances of a group, and the targets of a target group, not in the maps above: for
     * a whole program through the CLI, whose names and ARNs the stand-in provider makes up.
     */
    anyGroup?: OverTime<GroupInstance[]>;
    anyTargetGroup?: OverTime<TargetHealth[]>;
    /** Each group's scaling activities, by group name (answered newest first, as AWS does). */
    activities: Map<string, Activity[]>;
    /** Every request, in order: its Action and parameters. */
    calls: Array<Record<string, string>>;
    faults: Fault[];
    /** Requests received and not answered yet. */
    inFlight: number;
    /** Requests (counted down) that get no answer at all: a hung connection. */
    hangs: number;
    /** EC2's side of a master's boot: its `openvidu:boot` tag and its serial console's text, by instance id. */
    instances: Map<string, { bootTag?: string; console?: string }>;
    close(): Promise<void>;
}

const xmlEscape = (text: string): string => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const tag = (name: string, value: string | number | undefined): string => value === undefined ? "" : `<${name}>${xmlEscape(String(value))}</${name}>`;
const iso = (ms: number): string => new Date(ms).toISOString();

function refreshesXml(standIn: AutoScalingStandIn, params: Record<string, string>): string {
    const members = standIn.refreshes
        .filter((r) => r.groupName === params.AutoScalingGroupName && r.startTime <= Date.now())
        .map((r) => refreshAt(r, Date.now()))
        .sort((a, b) => b.startTime - a.startTime)
        .map((r) => `<member>${tag("InstanceRefreshId", r.id)}${tag("AutoScalingGroupName", params.AutoScalingGroupName)}${tag("Status", r.status)}` +
            `${tag("StatusReason", r.statusReason)}${tag("StartTime", iso(r.startTime))}${tag("EndTime", r.endTime && iso(r.endTime))}` +
            `${tag("PercentageComplete", r.percentageComplete)}${tag("InstancesToUpdate", r.instancesToUpdate)}</member>`);
    return `<DescribeInstanceRefreshesResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/"><DescribeInstanceRefreshesResult>` +
        `<InstanceRefreshes>${members.join("")}</InstanceRefreshes></DescribeInstanceRefreshesResult>` +
        `<ResponseMetadata><RequestId>stand-in</RequestId></ResponseMetadata></DescribeInstanceRefreshesResponse>`;
}

function targetHealthXml(standIn: AutoScalingStandIn, params: Record<string, string>): string | undefined {
    const view = standIn.targets.get(params.TargetGroupArn) ?? standIn.anyTargetGroup;
    if (view === undefined) return undefined;
    const targets = at(view, Date.now());
    const members = targets.map((t) => `<member><Target>${tag("Id", t.id)}<Port>4443</Port></Target><HealthCheckPort>4443</HealthCheckPort>` +
        `<TargetHealth>${tag("State", t.state)}${tag("Reason", t.reason)}${tag("Description", t.description)}</TargetHealth></member>`);
    return `<DescribeTargetHealthResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"><DescribeTargetHealthResult>` +
        `<TargetHealthDescriptions>${members.join("")}</TargetHealthDescriptions></DescribeTargetHealthResult>` +
        `<ResponseMetadata><RequestId>stand-in</RequestId></ResponseMetadata></DescribeTargetHealthResponse>`;
}

function groupsXml(standIn: AutoScalingStandIn, params: Record<string, string>): string {
    const names = Object.keys(params).filter((k) => k.startsWith("AutoScalingGroupNames.member.")).map((k) => params[k]);
    const members = names.flatMap((name) => {
        const view = standIn.groups.get(name) ?? standIn.anyGroup;
        if (view === undefined) return [];
        const instances = at(view, Date.now()).map((i) => `<member>${tag("InstanceId", i.id)}${tag("AvailabilityZone", "eu-west-1a")}` +
            `${tag("LifecycleState", i.lifecycleState)}${tag("HealthStatus", i.healthStatus ?? "Healthy")}<ProtectedFromScaleIn>false</ProtectedFromScaleIn></member>`);
        return [`<member>${tag("AutoScalingGroupName", name)}<MinSize>0</MinSize><MaxSize>10</MaxSize><DesiredCapacity>${instances.length}</DesiredCapacity>` +
            `<DefaultCooldown>300</DefaultCooldown><HealthCheckType>ELB</HealthCheckType>${tag("CreatedTime", iso(0))}<Instances>${instances.join("")}</Instances></member>`];
    });
    return `<DescribeAutoScalingGroupsResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/"><DescribeAutoScalingGroupsResult>` +
        `<AutoScalingGroups>${members.join("")}</AutoScalingGroups></DescribeAutoScalingGroupsResult>` +
        `<ResponseMetadata><RequestId>stand-in</RequestId></ResponseMetadata></DescribeAutoScalingGroupsResponse>`;
}

function activitiesXml(standIn: AutoScalingStandIn, params: Record<string, string>): string {
    const members = [...(standIn.activities.get(params.AutoScalingGroupName) ?? [])].filter((a) => a.startTime <= Date.now())
        .sort((a, b) => b.startTime - a.startTime).slice(0, Number(params.MaxRecords ?? 100))
        .map((a, i) => `<member>${tag("ActivityId", `act-${i}`)}${tag("AutoScalingGroupName", params.AutoScalingGroupName)}${tag("Description", a.description)}` +
            `${tag("Cause", a.cause ?? "")}${tag("StartTime", iso(a.startTime))}${tag("StatusCode", a.statusCode)}${tag("StatusMessage", a.statusMessage)}` +
            `<Progress>100</Progress></member>`);
    return `<DescribeScalingActivitiesResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/"><DescribeScalingActivitiesResult>` +
        `<Activities>${members.join("")}</Activities></DescribeScalingActivitiesResult>` +
        `<ResponseMetadata><RequestId>stand-in</RequestId></ResponseMetadata></DescribeScalingActivitiesResponse>`;
}

function errorXml(code: string, message: string): string {
    return `<ErrorResponse><Error><Type>Sender</Type>${tag("Code", code)}${tag("Message", message)}</Error><RequestId>stand-in</RequestId></ErrorResponse>`;
}

function answer(standIn: AutoScalingStandIn, params: Record<string, string>): { status: number; body: string } {
    const fault = standIn.faults.find((f) => f.count > 0 && (f.action === undefined || f.action === params.Action));
    if (fault) {
        fault.count--;
        return { status: fault.httpStatus, body: errorXml(fault.code, fault.message) };
    }
    if (params.Action === "DescribeInstanceRefreshes") return { status: 200, body: refreshesXml(standIn, params) };
    if (params.Action === "DescribeAutoScalingGroups") return { status: 200, body: groupsXml(standIn, params) };
    if (params.Action === "DescribeScalingActivities") return { status: 200, body: activitiesXml(standIn, params) };
    if (params.Action === "DescribeTargetHealth") {
        const body = targetHealthXml(standIn, params);
        return body ? { status: 200, body } : { status: 400, body: errorXml("TargetGroupNotFound", "One or more target groups not found") };
    }
    if (params.Action === "DescribeTags") return { status: 200, body: describeTagsXml(standIn, params) };
    if (params.Action === "GetConsoleOutput") {
        const instance = standIn.instances.get(params.InstanceId);
        return instance ? { status: 200, body: consoleOutputXml(params.InstanceId, instance.console ?? "") }
            : { status: 400, body: errorXml("InvalidInstanceID.NotFound", `The instance ID '${params.InstanceId}' does not exist`) };
    }
    return { status: 400, body: errorXml("InvalidAction", `${params.Action} is not modelled by the stand-in`) };
}

// EC2's query protocol: no Result wrapper, `item` lists, its own namespace. Filters arrive as Filter.N.Name / Filter.N.Value.M.
const EC2_XMLNS = "http://ec2.amazonaws.com/doc/2016-11-15/";

function filterValues(params: Record<string, string>, name: string): string[] {
    const index = Object.keys(params).find((k) => /^Filter\.\d+\.Name$/.test(k) && params[k] === name)?.split(".")[1];
    return index === undefined ? [] : Object.keys(params).filter((k) => k.startsWith(`Filter.${index}.Value.`)).map((k) => params[k]);
}

function describeTagsXml(standIn: AutoScalingStandIn, params: Record<string, string>): string {
    const ids = filterValues(params, "resource-id");
    const keys = filterValues(params, "key");
    const items = ids.flatMap((id) => {
        const bootTag = standIn.instances.get(id)?.bootTag;
        return bootTag !== undefined && keys.includes("openvidu:boot")
            ? [`<item>${tag("resourceId", id)}${tag("resourceType", "instance")}${tag("key", "openvidu:boot")}${tag("value", bootTag)}</item>`] : [];
    });
    return `<DescribeTagsResponse xmlns="${EC2_XMLNS}"><requestId>stand-in</requestId><tagSet>${items.join("")}</tagSet></DescribeTagsResponse>`;
}

function consoleOutputXml(instanceId: string, text: string): string {
    return `<GetConsoleOutputResponse xmlns="${EC2_XMLNS}"><requestId>stand-in</requestId>${tag("instanceId", instanceId)}` +
        `${tag("timestamp", iso(Date.now()))}${tag("output", Buffer.from(text).toString("base64"))}</GetConsoleOutputResponse>`;
}

export async function startAutoScalingStandIn(): Promise<AutoScalingStandIn> {
    const server = http.createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on("data", (chunk: Buffer) => chunks.push(chunk));
        standIn.inFlight++;
        response.on("close", () => { standIn.inFlight--; });
        request.on("end", () => {
            const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString("utf8")));
            standIn.calls.push(params);
            if (standIn.hangs > 0) {
                standIn.hangs--;
                return;
            }
            const { status, body } = answer(standIn, params);
            // No Date header: the tests run the SDK on a fake clock, and a Date of real time makes the
            // SDK see clock skew and retry any error once corrected (even a 403), which AWS would not.
            response.sendDate = false;
            response.writeHead(status, { "content-type": "text/xml" });
            response.end(body);
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    const standIn: AutoScalingStandIn = {
        endpoint,
        env: {
            AWS_ENDPOINT_URL_AUTO_SCALING: endpoint,
            AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2: endpoint,
            AWS_ENDPOINT_URL_EC2: endpoint,
            AWS_ACCESS_KEY_ID: "STANDINKEY",
            AWS_SECRET_ACCESS_KEY: "stand-in-secret",
            AWS_REGION: "eu-west-1",
        },
        refreshes: [],
        targets: new Map(),
        groups: new Map(),
        activities: new Map(),
        calls: [],
        faults: [],
        hangs: 0,
        inFlight: 0,
        instances: new Map(),
        close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
    };
    return standIn;
}
