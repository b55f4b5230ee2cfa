/**
 * Adjusting resources without forking: the components' `transform` hooks and
 * Pulumi's own `transforms` resource option on the top-level component.
 */
import * as assert from "assert";
import { openviduProgram } from "../program";
import { all, inputsOf, one, runProgram, VALID_CONFIG } from "./harness";

describe("adjusting resources", () => {
    it("a function transform changes a component's underlying resource args", async () => {
        const run = await runProgram({ ...VALID_CONFIG }, {
            program: () => ({ ...openviduProgram({
                transform: { master: { launchTemplate: (args) => { args.ebsOptimized = "true"; } } },
            }) }),
        });
        assert.strictEqual(inputsOf(one(run, "aws:ec2/launchTemplate:LaunchTemplate", "master-template")).ebsOptimized, "true");
        assert.strictEqual(inputsOf(one(run, "aws:ec2/launchTemplate:LaunchTemplate", "media-template")).ebsOptimized, undefined);
    });

    it("reaches the storage, network and replication-state components too", async () => {
        const run = await runProgram({ ...VALID_CONFIG }, {
            program: () => ({ ...openviduProgram({
                transform: {
                    storage: { bucket: { objectLockEnabled: true } },
                    network: { securityGroup: (args) => { args.revokeRulesOnDelete = true; } },
                    state: { redis: { snapshotRetentionLimit: 7 }, queue: { delaySeconds: 1 } },
                },
            }) }),
        });
        assert.strictEqual(inputsOf(one(run, "aws:s3/bucket:Bucket")).objectLockEnabled, true);
        assert.ok(all(run, "aws:ec2/securityGroup:SecurityGroup").every((sg) => inputsOf(sg).revokeRulesOnDelete === true));
        assert.strictEqual(inputsOf(one(run, "aws:elasticache/replicationGroup:ReplicationGroup")).snapshotRetentionLimit, 7);
        assert.strictEqual(inputsOf(one(run, "aws:sqs/queue:Queue")).delaySeconds, 1);
    });

    it("an object transform is merged over the component's args", async () => {
        const run = await runProgram({ ...VALID_CONFIG }, {
            program: () => ({ ...openviduProgram({ transform: { media: { scaleUpAlarm: { evaluationPeriods: 5, datapointsToAlarm: 4 } } } }) }),
        });
        const alarm = inputsOf(one(run, "aws:cloudwatch/metricAlarm:MetricAlarm", "cpu-up"));
        assert.deepStrictEqual([alarm.evaluationPeriods, alarm.datapointsToAlarm, alarm.metricName], [5, 4, "CPUUtilization"]);
    });

    // `transformations` run inside the SDK, so the mocks see them; the engine-side `transforms`
    // behave the same under `pulumi up` but need the engine's callback service, absent under mocks.
    it("Pulumi's transformations option on the top-level component reaches every child", async () => {
        const run = await runProgram({ ...VALID_CONFIG }, {
            program: () => ({ ...openviduProgram({
                resourceOptions: {
                    transformations: [(args) => args.type === "aws:lb/targetGroup:TargetGroup"
                        ? { props: { ...args.props, slowStart: 30 }, opts: args.opts }
                        : undefined],
                },
            }) }),
        });
        assert.strictEqual(inputsOf(one(run, "aws:lb/targetGroup:TargetGroup")).slowStart, 30);
    });

    it("without a transform, the program's own values stand", async () => {
        const run = await runProgram({ ...VALID_CONFIG });
        assert.strictEqual(inputsOf(one(run, "aws:lb/targetGroup:TargetGroup")).slowStart, undefined);
        assert.strictEqual(inputsOf(one(run, "aws:cloudwatch/metricAlarm:MetricAlarm", "cpu-up")).evaluationPeriods, 3);
    });
});
