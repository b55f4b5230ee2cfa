import { MEDIA_TIER } from "./mediaTier";
import { MEDIA_GROUP_METRICS, OPERATIONS_ALARMS } from "./operationsAlarms";

export interface DashboardInputs {
    region: string;
    /** CloudWatch dimension values (resolved). */
    loadBalancer: string;
    targetGroup: string;
    queueName: string;
    mediaAsgName: string;
    redisNodeIds: string[];
    /** The cluster's alarms, then the media tier's CPU scaling alarms. */
    alarmArns: string[];
    scalingAlarmArns: string[];
}

type Metric = Array<string | Record<string, unknown>>;

const WIDTH = 12;
const HEIGHT = 6;

function metricWidget(title: string, region: string, metrics: Metric[], index: number): Record<string, unknown> {
    return {
        type: "metric", width: WIDTH, height: HEIGHT, x: (index % 2) * WIDTH, y: 2 * HEIGHT + Math.floor(index / 2) * HEIGHT,
        properties: { title, region, view: "timeSeries", stacked: false, period: 60, metrics },
    };
}

/** The dashboard's body: the alarms' states on top, then each alarm's metric and the media tier's CPU. */
export function operationsDashboardBody(inputs: DashboardInputs): string {
    const a = OPERATIONS_ALARMS;
    const lb = ["LoadBalancer", inputs.loadBalancer];
    const redis = (metricName: string): Metric[] =>
        inputs.redisNodeIds.map((node) => ["AWS/ElastiCache", metricName, "CacheClusterId", node, { stat: "Average" }]);
    const cpu = MEDIA_TIER.scaling.metric;
    const widgets = [
        ["Masters: healthy and unhealthy targets", [
            [a.mastersHealthy.namespace, a.mastersHealthy.metricName, "TargetGroup", inputs.targetGroup, ...lb, { stat: "Maximum" }],
            [a.mastersHealthy.namespace, "UnHealthyHostCount", "TargetGroup", inputs.targetGroup, ...lb, { stat: "Maximum" }],
        ]],
        ["Load balancer: 5xx (its own, and the masters')", [
            [a.loadBalancer5xx.namespace, a.loadBalancer5xx.metricName, ...lb, { stat: "Sum" }],
            [a.loadBalancer5xx.namespace, "HTTPCode_Target_5XX_Count", ...lb, { stat: "Sum" }],
        ]],
        ["Replication manager queue: oldest message (s)", [[a.queueAge.namespace, a.queueAge.metricName, "QueueName", inputs.queueName, { stat: "Maximum" }]]],
        ["Redis: engine CPU and memory (%)", [...redis(a.redisCpu.metricName), ...redis(a.redisMemory.metricName)]],
        ["Media tier: nodes", MEDIA_GROUP_METRICS.map((m) => [a.mediaAtMaximum.namespace, m, "AutoScalingGroupName", inputs.mediaAsgName, { stat: "Maximum" }])],
        ["Media tier: average CPU (scaling)", [[cpu.namespace, cpu.name, "AutoScalingGroupName", inputs.mediaAsgName, { stat: cpu.statistic }]]],
    ] as const;
    return JSON.stringify({
        widgets: [
            {
                type: "alarm", width: 2 * WIDTH, height: 2 * HEIGHT, x: 0, y: 0,
                properties: { title: "Alarms (cluster, then media scaling)", alarms: [...inputs.alarmArns, ...inputs.scalingAlarmArns] },
            },
            ...widgets.map(([title, metrics], index) => metricWidget(title, inputs.region, metrics as unknown as Metric[], index)),
        ],
    });
}
