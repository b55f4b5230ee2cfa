/**
 * The operations resources as the program declares them, through Pulumi's mocks:
 * the alarm topic (encrypted, CloudWatch and EventBridge may publish), its
 * e-mail subscriptions, every HA alarm acting on it, the failed-launch rule, the
 * Redis failover notifications, the media group's metrics, the dashboard and its
 * URL; alarmsEnabled=false declaring none; alarmTopicArn using the given topic.
 * The alarms' behaviour over time: tests/operations.alarms.test.ts.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { outputsFrom } from "../automation";
import { dashboardUrl, loadBalancerDimension, targetGroupDimension } from "../components/operations";
import { OPERATIONS_ALARMS } from "../components/operationsAlarms";
import { ConfigError } from "../config/errors";
import { MockRun } from "../plan/run";
import { all, failProgram, inputsOf, one, runProgram, VALID_CONFIG } from "./harness";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const TOPIC = "aws:sns/topic:Topic";
const OWN_TOPIC = "arn:aws:sns:eu-west-1:123456789012:ops-pager";

const operationsAlarms = (run: MockRun) => all(run, ALARM).filter((r) => r.name.startsWith("openvidu-operations-"));
const alarmNamed = (run: MockRun, suffix: string) => inputsOf(one(run, ALARM, `operations-${suffix}`));
/** The mocks give a created resource the ARN `arn:aws:<service>:<region>:<account>:<resource name>` (plan/mocks.ts). */
const mockArn = (service: string, name: string) => `arn:aws:${service}:eu-west-1:123456789012:${name}`;
const TOPIC_ARN = mockArn("sns", "openvidu-alarm-topic-topic");

describe("operations: alarms, topic and dashboard (mocks)", function () {
    this.timeout(120_000);
    let run: MockRun;
    before(async () => {
        run = await runProgram({ ...VALID_CONFIG, desiredMasterNodes: "3", maxMasterNodes: "4", redisReplicas: "2",
            alarmEmails: JSON.stringify(["ops@example.com", "oncall@example.org"]) }, { stackName: "prod" });
    });

    it("creates one topic of the cluster, encrypted with a rotated key that CloudWatch and EventBridge may use", () => {
        const topic = inputsOf(one(run, TOPIC));
        const key = one(run, "aws:kms/key:Key", "alarm-topic-key");
        assert.match(topic.name, /^prod-[0-9a-f]{6}-alarms$/, "unique per project and stack");
        assert.strictEqual(topic.kmsMasterKeyId, mockArn("kms", key.name));
        assert.strictEqual(inputsOf(key).enableKeyRotation, true);
        const keyPolicy = JSON.parse(inputsOf(key).policy);
        const grant = keyPolicy.Statement.find((s: any) => s.Sid === "Publishers");
        assert.ok(grant.Principal.Service.includes("cloudwatch.amazonaws.com") && grant.Principal.Service.includes("events.amazonaws.com"));
        assert.deepStrictEqual(grant.Action, ["kms:Decrypt", "kms:GenerateDataKey*"]);
        // Only on this account's behalf: another account's alarm cannot use the key (confused deputy).
        assert.deepStrictEqual(grant.Condition, { StringEquals: { "aws:SourceAccount": "123456789012" } });
        const policy = JSON.parse(inputsOf(one(run, "aws:sns/topicPolicy:TopicPolicy")).policy);
        const [statement] = policy.Statement;
        assert.strictEqual(statement.Action, "sns:Publish");
        assert.ok(statement.Principal.Service.includes("cloudwatch.amazonaws.com"));
        assert.deepStrictEqual(statement.Condition, { StringEquals: { "aws:SourceAccount": "123456789012" } });
    });

    it("subscribes each configured e-mail address", () => {
        const subscriptions = all(run, "aws:sns/topicSubscription:TopicSubscription").map(inputsOf);
        assert.deepStrictEqual(subscriptions.map((s) => [s.protocol, s.endpoint]), [["email", "ops@example.com"], ["email", "oncall@example.org"]]);
    });

    it("declares every HA alarm, each telling the topic when it fires and when it clears", () => {
        const topicArn = mockArn("sns", one(run, TOPIC).name);
        const names = operationsAlarms(run).map((r) => r.name.replace("openvidu-operations-", "")).sort();
        assert.deepStrictEqual(names, ["alb-5xx", "masters-healthy", "media-at-max", "queue-age",
            "redis-cpu-001", "redis-cpu-002", "redis-cpu-003", "redis-memory-001", "redis-memory-002", "redis-memory-003"]);
        for (const alarm of operationsAlarms(run).map(inputsOf)) {
            assert.deepStrictEqual(alarm.alarmActions, [topicArn], alarm.name);
            assert.deepStrictEqual(alarm.okActions, [topicArn], alarm.name);
            assert.match(alarm.name, /^prod-[0-9a-f]{6}-/);
        }
    });

    it("takes each threshold from the fact it depends on", () => {
        assert.strictEqual(alarmNamed(run, "masters-healthy").threshold, 3, "the desired masters");
        assert.strictEqual(alarmNamed(run, "media-at-max").threshold, 4, "the media tier's maximum");
        assert.strictEqual(alarmNamed(run, "queue-age").threshold, OPERATIONS_ALARMS.queueAge.threshold);
        assert.ok(OPERATIONS_ALARMS.queueAge.threshold < 60, "below the queue's retention, which caps the metric");
    });

    it("watches the declared load balancer, target group, queue, Redis nodes and media group", () => {
        const masters = alarmNamed(run, "masters-healthy");
        assert.deepStrictEqual(Object.keys(masters.dimensions).sort(), ["LoadBalancer", "TargetGroup"]);
        assert.strictEqual(alarmNamed(run, "queue-age").dimensions.QueueName, inputsOf(one(run, "aws:sqs/queue:Queue")).name);
        const redisId = inputsOf(one(run, "aws:elasticache/replicationGroup:ReplicationGroup")).replicationGroupId;
        assert.strictEqual(alarmNamed(run, "redis-cpu-003").dimensions.CacheClusterId, `${redisId}-003`);
        const mediaGroup = inputsOf(one(run, "aws:autoscaling/group:Group", "media-asg"));
        assert.strictEqual(alarmNamed(run, "media-at-max").dimensions.AutoScalingGroupName, mediaGroup.name);
        // The at-maximum alarm reads a group metric, published only once enabled.
        assert.ok(mediaGroup.enabledMetrics.includes(OPERATIONS_ALARMS.mediaAtMaximum.metricName));
        assert.strictEqual(mediaGroup.metricsGranularity, "1Minute");
    });

    it("sends failed launches of either group, and Redis's failover notifications, to the topic", () => {
        const rule = inputsOf(one(run, "aws:cloudwatch/eventRule:EventRule", "launch-failed"));
        const pattern = JSON.parse(rule.eventPattern);
        assert.deepStrictEqual(pattern["detail-type"], ["EC2 Instance Launch Unsuccessful"]);
        const groups = all(run, "aws:autoscaling/group:Group").map((g) => inputsOf(g).name).sort();
        assert.deepStrictEqual([...pattern.detail.AutoScalingGroupName].sort(), groups);
        const target = inputsOf(one(run, "aws:cloudwatch/eventTarget:EventTarget", "launch-failed-topic"));
        assert.strictEqual(target.arn, TOPIC_ARN);
        const redis = inputsOf(one(run, "aws:elasticache/replicationGroup:ReplicationGroup"));
        assert.strictEqual(redis.notificationTopicArn, target.arn);
    });

    it("declares a dashboard of those metrics and the scaling alarms, its URL a stack output", () => {
        const dashboard = inputsOf(one(run, "aws:cloudwatch/dashboard:Dashboard"));
        const body = JSON.parse(dashboard.dashboardBody);
        const alarmWidget = body.widgets.find((w: any) => w.type === "alarm");
        assert.strictEqual(alarmWidget.properties.alarms.length, operationsAlarms(run).length + 2, "the cluster's alarms and the two CPU scaling alarms");
        const metrics = JSON.stringify(body.widgets.filter((w: any) => w.type === "metric").map((w: any) => w.properties.metrics));
        for (const spec of Object.values(OPERATIONS_ALARMS)) assert.ok(metrics.includes(`"${spec.metricName}"`), spec.metricName);
        assert.ok(metrics.includes("CPUUtilization"));
        assert.strictEqual(run.outputs.dashboardUrl,
            `https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards:name=${dashboard.dashboardName}`);
        assert.strictEqual(run.outputs.alarmTopicArn, TOPIC_ARN);
    });

    it("declares no at-maximum alarm for a media tier of fixed size (always at its maximum)", async () => {
        const fixed = await runProgram({ ...VALID_CONFIG, minMediaNodes: "2", desiredMediaNodes: "2", maxMediaNodes: "2" });
        assert.ok(!operationsAlarms(fixed).some((r) => r.name.endsWith("media-at-max")));
        assert.ok(operationsAlarms(fixed).some((r) => r.name.endsWith("masters-healthy")));
    });

    it("alarmsEnabled=false declares no alarm, topic, key, rule or dashboard, and empty outputs", async () => {
        const off = await runProgram({ ...VALID_CONFIG, alarmsEnabled: "false" });
        assert.deepStrictEqual(operationsAlarms(off), []);
        for (const type of [TOPIC, "aws:cloudwatch/dashboard:Dashboard", "aws:sns/topicPolicy:TopicPolicy"]) {
            assert.deepStrictEqual(all(off, type), [], type);
        }
        assert.deepStrictEqual(all(off, "aws:kms/key:Key").map((k) => k.name), ["openvidu-boot-logs-key"], "only the boot logs' key (docs/operations.md)");
        assert.ok(!all(off, "aws:cloudwatch/eventRule:EventRule").some((r) => r.name.endsWith("launch-failed")));
        assert.strictEqual(inputsOf(one(off, "aws:elasticache/replicationGroup:ReplicationGroup")).notificationTopicArn, undefined);
        assert.strictEqual(all(off, ALARM).length, 2, "the media tier's scaling alarms stay");
        assert.strictEqual(off.outputs.dashboardUrl, "");
        assert.strictEqual(off.outputs.alarmTopicArn, "");
    });

    it("alarmTopicArn: the alarms, the rule and Redis use the given topic, and none is created", async () => {
        const own = await runProgram({ ...VALID_CONFIG, alarmTopicArn: OWN_TOPIC });
        assert.deepStrictEqual(all(own, TOPIC), []);
        assert.deepStrictEqual(all(own, "aws:kms/key:Key").map((k) => k.name), ["openvidu-boot-logs-key"], "no alarm topic key");
        for (const alarm of operationsAlarms(own).map(inputsOf)) assert.deepStrictEqual(alarm.alarmActions, [OWN_TOPIC], alarm.name);
        assert.ok(operationsAlarms(own).length >= 5);
        assert.strictEqual(inputsOf(one(own, "aws:cloudwatch/eventTarget:EventTarget", "launch-failed-topic")).arn, OWN_TOPIC);
        assert.strictEqual(inputsOf(one(own, "aws:elasticache/replicationGroup:ReplicationGroup")).notificationTopicArn, OWN_TOPIC);
        assert.strictEqual(own.outputs.alarmTopicArn, OWN_TOPIC);
    });

    it("rejects bad alarm settings before anything is declared, naming each key", async () => {
        const { error, resources } = await failProgram({ ...VALID_CONFIG,
            alarmTopicArn: "arn:aws:sns:us-east-1:123456789012:elsewhere", alarmEmails: JSON.stringify(["ops@example.com", "not-an-address"]) });
        assert.ok(error instanceof ConfigError, String(error));
        assert.deepStrictEqual(resources, []);
        const messages = error.problems.map((p) => `${p.key}: ${p.message}`);
        assert.ok(messages.some((m) => /^openvidu:alarmTopicArn: is in region us-east-1, but the stack is in eu-west-1/.test(m)), messages.join("\n"));
        assert.ok(messages.some((m) => /^openvidu:alarmEmails: entry 1 \("not-an-address"\) must be an e-mail address/.test(m)), messages.join("\n"));
        assert.ok(messages.some((m) => /^openvidu:alarmEmails: is set together with openvidu:alarmTopicArn/.test(m)), messages.join("\n"));
        const fifo = await failProgram({ ...VALID_CONFIG, alarmTopicArn: "arn:aws:sns:eu-west-1:123456789012:pager.fifo" });
        assert.match(String(fifo.error), /openvidu:alarmTopicArn: is a FIFO topic/);
        const unused = await failProgram({ ...VALID_CONFIG, alarmsEnabled: "false", alarmEmails: JSON.stringify(["ops@example.com"]) });
        assert.match(String(unused.error), /openvidu:alarmsEnabled: is false but openvidu:alarmTopicArn or openvidu:alarmEmails is set/);
    });
});

describe("operations: CloudWatch's dimensions and the dashboard's address", () => {
    it("take the resource part of the load balancer's and target group's ARNs", () => {
        assert.strictEqual(loadBalancerDimension("arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/prod-alb/50dc6c495c0c9188"),
            "app/prod-alb/50dc6c495c0c9188");
        assert.strictEqual(targetGroupDimension("arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/prod-masters/73e2d6bc24d8a067"),
            "targetgroup/prod-masters/73e2d6bc24d8a067");
    });

    it("the URL opens the dashboard in its region", () => {
        assert.strictEqual(dashboardUrl("eu-west-1", "prod-abc123-openvidu"),
            "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards:name=prod-abc123-openvidu");
    });
});

describe("operations: the new outputs wherever the project lists outputs", function () {
    this.timeout(120_000);
    const read = (file: string) => fs.readFileSync(path.resolve(__dirname, "..", file), "utf8");

    it("index.ts exports every output the program returns, and the README's outputs table names each", async () => {
        const run = await runProgram({ ...VALID_CONFIG });
        const keys = Object.keys(run.outputs).sort();
        assert.ok(keys.includes("dashboardUrl") && keys.includes("alarmTopicArn"));
        // index.ts returns its outputs as `name: outputs.name,` (an async program the CLI awaits).
        const exported = [...read("index.ts").matchAll(/^\s+(\w+): outputs\.(\w+),$/gm)].map((m) => m[1]).sort();
        assert.deepStrictEqual(exported, keys);
        const readme = read("README.md");
        const table = readme.slice(readme.indexOf("### Outputs"), readme.indexOf("###", readme.indexOf("### Outputs") + 4));
        for (const key of keys) assert.ok(table.includes(`\`${key}\``), `the README's outputs table names ${key}`);
    });

    it("the Automation API returns them, and \"\" for a stack last deployed before they existed", () => {
        const base = Object.fromEntries(["loadBalancerUrl", "inspectorUrl", "domainName", "bucketName", "masterAsgName", "mediaAsgName", "openviduSecret"]
            .map((key) => [key, { value: `${key}-value`, secret: false }]));
        const before = outputsFrom(base);
        assert.strictEqual(before.dashboardUrl, "");
        assert.strictEqual(before.alarmTopicArn, "");
        assert.strictEqual(before.bootLogGroupName, "");
        const after = outputsFrom({ ...base, dashboardUrl: { value: "https://x", secret: false }, alarmTopicArn: { value: OWN_TOPIC, secret: false } });
        assert.strictEqual(after.dashboardUrl, "https://x");
        assert.strictEqual(after.alarmTopicArn, OWN_TOPIC);
        assert.throws(() => outputsFrom({ ...base, loadBalancerUrl: undefined as any }), /no output loadBalancerUrl/);
    });
});
