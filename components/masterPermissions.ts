/**
 * What the master nodes may do in AWS: the replication manager's needs, scoped
 * to this stack's resources wherever AWS allows a resource or condition.
 * Pure (no resources): the master tier turns it into a role policy, the tests
 * and docs/iam.md read it statement by statement.
 *
 * The replication manager is closed source: which calls it makes is known
 * only from what the reference template grants. So every statement grants at
 * least the reference's actions (`ec2:Describe*`, `sqs:*` on the queue, ...),
 * never fewer, and narrows only the resources, where AWS supports it: a
 * missing action would fail at run time, in the replication manager's logs.
 */
import { logGroupArn } from "./bootLogs";

export interface PolicyStatement {
    Sid: string;
    Effect: "Allow";
    Action: string[];
    Resource: string | string[];
    Condition?: Record<string, Record<string, string | string[]>>;
}

export interface MasterPermissionsInput {
    partition: string;
    region: string;
    accountId: string;
    bucketArn: string;
    queueArn: string;
    masterAsgName: string;
    mediaAsgName: string;
    /** The cluster's boot log group (components/naming.ts `bootLogGroup`). */
    bootLogGroupName: string;
}

/** An Auto Scaling group's ARN as IAM matches it (the group's UUID left open). */
export function autoScalingGroupArn(input: MasterPermissionsInput, groupName: string): string {
    return `arn:${input.partition}:autoscaling:${input.region}:${input.accountId}:autoScalingGroup:*:autoScalingGroupName/${groupName}`;
}

export function masterPolicyStatements(input: MasterPermissionsInput): PolicyStatement[] {
    const groups = [input.masterAsgName, input.mediaAsgName];
    return [
        {
            // Boot and /restart: download and rewrite the shared .env; recordings.
            Sid: "ClusterBucketObjects",
            Effect: "Allow",
            Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            Resource: `${input.bucketArn}/*`,
        },
        {
            Sid: "ClusterBucket",
            Effect: "Allow",
            Action: ["s3:ListBucket", "s3:GetBucketLocation"],
            Resource: input.bucketArn,
        },
        {
            // Media node lifecycle and the one-minute schedule arrive on this queue. The reference's
            // `sqs:*`: a whole service, but on this one queue only.
            Sid: "ReplicationQueue",
            Effect: "Allow",
            Action: ["sqs:*"],
            Resource: input.queueArn,
        },
        {
            // Marks a failed master unhealthy; unprotects a drained media node so it can go.
            Sid: "ClusterGroups",
            Effect: "Allow",
            Action: ["autoscaling:SetInstanceHealth", "autoscaling:SetInstanceProtection"],
            Resource: groups.map((group) => autoScalingGroupArn(input, group)),
        },
        {
            // Describe calls have no resource-level permissions in AWS: "*" is the only form.
            // `ec2:Describe*` as the reference grants it (DescribeTags included).
            Sid: "DescribeCluster",
            Effect: "Allow",
            Action: [
                "autoscaling:DescribeAutoScalingGroups",
                "autoscaling:DescribeAutoScalingInstances",
                "ec2:Describe*",
            ],
            Resource: "*",
        },
        {
            // Tags media nodes with their status (ov-medianode-status); only this cluster's instances.
            Sid: "TagClusterInstances",
            Effect: "Allow",
            Action: ["ec2:CreateTags"],
            Resource: `arn:${input.partition}:ec2:${input.region}:${input.accountId}:instance/*`,
            Condition: { StringEquals: { "ec2:ResourceTag/aws:autoscaling:groupName": groups } },
        },
        {
            // The boot's own lines (masterBoot.ts), one stream per instance: this cluster's boot log group only.
            Sid: "BootLogStreams",
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: `${logGroupArn(input.partition, input.region, input.accountId, input.bootLogGroupName)}:log-stream:*`,
        },
    ];
}
