import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** The boot logs' AWS facts, each named for what it means. */
export const BOOT_LOGS = {
    /** KMS waits this long (its minimum) before deleting the key `destroy` schedules for deletion; it can be cancelled meanwhile. */
    keyDeletionWindowDays: 7,
    /** The deploy role may manage only keys so tagged (docs/iam/). */
    keyPurposeTag: { "openvidu:purpose": "boot-logs" },
    /** What CloudWatch Logs needs of a customer managed key (its guide, "Encrypt log data in CloudWatch Logs using AWS KMS"). */
    logsKeyActions: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
} as const;

export interface BootLogsArgs {
    /** The group's name (components/naming.ts `bootLogGroup`): unique per project and stack. */
    groupName: string;
    /** The stack's region: CloudWatch Logs' service principal is regional. */
    region: string;
    /** Days CloudWatch Logs keeps the boot lines (openvidu:bootLogRetentionDays). */
    retentionDays: number;
}

/** A log group's ARN as KMS's encryption context and IAM name it (no trailing `:*`). */
export function logGroupArn(partition: string, region: string, accountId: string, groupName: string): string {
    return `arn:${partition}:logs:${region}:${accountId}:log-group:${groupName}`;
}

/** The key policy: the account administers the key; CloudWatch Logs may use it for this one group only. */
export function bootLogsKeyPolicy(input: { partition: string; dnsSuffix: string; region: string; accountId: string; groupName: string }): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            { Sid: "Account", Effect: "Allow", Principal: { AWS: `arn:${input.partition}:iam::${input.accountId}:root` }, Action: "kms:*", Resource: "*" },
            {
                Sid: "BootLogGroup", Effect: "Allow", Principal: { Service: `logs.${input.region}.${input.dnsSuffix}` },
                Action: BOOT_LOGS.logsKeyActions, Resource: "*",
                Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": logGroupArn(input.partition, input.region, input.accountId, input.groupName) } },
            },
        ],
    });
}

/**
 * Where the masters' boot lines outlive the instance: a CloudWatch Logs group
 * of the cluster, one stream per master (its instance id), encrypted with a
 * key of its own, events kept `retentionDays`. Deleted with the stack by
 * `pulumi destroy` (its name would collide with the same stack's next `up`);
 * the key is scheduled for deletion (docs/operations.md, "Boot logs").
 *
 * @example
 * const logs = new BootLogs("openvidu-boot-logs", { groupName: names.bootLogGroup, region, retentionDays: 90 });
 */
export class BootLogs extends pulumi.ComponentResource {
    readonly groupName: pulumi.Output<string>;
    readonly groupArn: pulumi.Output<string>;

    constructor(name: string, args: BootLogsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("openvidu:aws:BootLogs", name, {}, opts);
        const parent = { parent: this };
        const identity = aws.getCallerIdentityOutput({}, parent);
        const partition = aws.getPartitionOutput({}, parent);
        const key = new aws.kms.Key(`${name}-key`, {
            description: `Encrypts the OpenVidu boot log group ${args.groupName}`,
            enableKeyRotation: true,
            deletionWindowInDays: BOOT_LOGS.keyDeletionWindowDays,
            tags: { ...BOOT_LOGS.keyPurposeTag },
            policy: pulumi.all([identity.accountId, partition.partition, partition.dnsSuffix]).apply(([accountId, part, dnsSuffix]) =>
                bootLogsKeyPolicy({ partition: part, dnsSuffix, region: args.region, accountId, groupName: args.groupName })),
        }, parent);
        // CloudWatch Logs checks the key's policy when the group is created with it: the key comes first.
        const group = new aws.cloudwatch.LogGroup(`${name}-group`, {
            name: args.groupName,
            retentionInDays: args.retentionDays,
            kmsKeyId: key.arn,
        }, parent);
        this.groupName = group.name;
        this.groupArn = group.arn;
        this.registerOutputs({ groupName: this.groupName, groupArn: this.groupArn });
    }
}
