/**
 * Physical names of the AWS resources, kept within each AWS limit for any
 * stack name. One place for every name pattern of the reference template, so
 * a reader finds each here and nowhere else.
 *
 * Two kinds of names:
 * - the names the masters' replication manager is given (the RM_* keys of the
 *   `.env`: the two Auto Scaling groups and the queue) and the instances'
 *   `Name` tags keep the reference's `<stack>-...` patterns;
 * - every other name that AWS requires to be unique in the account and region
 *   (load balancer, target group, Redis, security groups, copied AMIs, ...)
 *   also carries a short stable suffix of the project and stack names, so two
 *   projects, or this program beside the CloudFormation stack it replaces,
 *   can use the same stack name in one account.
 */
import { createHash } from "crypto";

/** A short, stable suffix that keeps truncated names unique per stack. */
function shortHash(text: string, length = 6): string {
    return createHash("sha256").update(text).digest("hex").slice(0, length);
}

/**
 * `<prefix><suffix>` when it fits in `max` characters; otherwise the prefix is
 * cut and a hash of the full name added, so two long stack names never collide.
 */
export function fitName(prefix: string, suffix: string, max: number): string {
    const full = `${prefix}${suffix}`;
    if (full.length <= max) return full;
    const hash = shortHash(full);
    const room = max - suffix.length - hash.length - 1;
    return `${prefix.slice(0, Math.max(room, 1)).replace(/[-_.]+$/, "")}-${hash}${suffix}`.slice(0, max);
}

/** Only letters, digits and hyphens, no leading/trailing hyphen (ALB, target group, Redis ids). */
function alnumDash(text: string): string {
    return text.replace(/[^A-Za-z0-9-]+/g, "-").replace(/^-+|-+$/g, "") || "openvidu";
}

export interface ClusterNames {
    /** Application Load Balancer (≤ 32: letters, digits, '-'). */
    loadBalancer: string;
    /** Target group of the masters (≤ 32). */
    targetGroup: string;
    /** The reference's `<stack>-ASGOpenViduProMasterNode`. */
    masterAsg: string;
    /** The reference's `<stack>-ASGMediaNode`. */
    mediaAsg: string;
    /** The reference's `<stack>-SQS.fifo` (≤ 80 with the .fifo suffix). */
    queue: string;
    /** ElastiCache replication group id (≤ 40, lower case, starts with a letter). */
    redis: string;
    /** Prefix of the created bucket's name: `<clusterId>-` (S3 adds a unique suffix). */
    bucketPrefix: string;
    /** `Name` tag of the masters: the reference's `<stack>-Master Node`. */
    masterNodeTag: string;
    /** `Name` tag of the media nodes: the reference's `<stack>-Media Node`. */
    mediaNodeTag: string;
    /** Prefix for IAM, security group, copied AMI and other names that AWS limits loosely (unique per project and stack). */
    prefix: string;
    /** The stack's name as CloudFormation would have it, for `RM_CLOUDFORMATION_ARN` (the reference's names, like the groups'). */
    cloudFormationStackName: string;
}

/**
 * Six hex characters of the project and stack names: stable for the stack's
 * life, different for the same stack name in another project.
 */
export function deploymentSuffix(projectName: string, stackName: string): string {
    return shortHash(`${projectName}/${stackName}`);
}

export function clusterNames(stackName: string, clusterId: string, projectName: string): ClusterNames {
    const stack = alnumDash(stackName);
    // `<stack>-<suffix>`: readable in the console, unique per project and stack.
    const unique = `${stack}-${deploymentSuffix(projectName, stackName)}`;
    const lower = unique.toLowerCase();
    const redisBase = /^[a-z]/.test(lower) ? lower : `ov-${lower}`;
    return {
        loadBalancer: fitName(unique, "-alb", 32),
        targetGroup: fitName(unique, "-masters", 32),
        // Handed to the replication manager (RM_*_AUTOSCALING_GROUP_NAME, RM_SQS_QUEUE): the reference's names.
        masterAsg: fitName(stackName, "-ASGOpenViduProMasterNode", 255),
        mediaAsg: fitName(stackName, "-ASGMediaNode", 255),
        queue: fitName(stack, "-SQS.fifo", 80),
        redis: fitName(redisBase, "-redis", 40).replace(/--+/g, "-"),
        bucketPrefix: fitName(clusterId.replace(/_/g, "-"), "-", 37),
        masterNodeTag: `${stackName}-Master Node`,
        mediaNodeTag: `${stackName}-Media Node`,
        prefix: fitName(unique, "", 40),
        cloudFormationStackName: fitName(/^[A-Za-z]/.test(stack) ? stack : `ov-${stack}`, "", 128),
    };
}
