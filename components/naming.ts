/**
 * Physical names of the AWS resources, kept within each AWS limit for any
 * stack name. One place for every name pattern of the reference template, so
 * a reader finds each here and nowhere else.
 *
 * Every name that AWS requires to be unique in the account and region (load
 * balancer, target group, Redis, the queue, the Auto Scaling groups, security
 * groups, copied AMIs, ...) carries a short stable suffix of the project and
 * stack names, so two projects, or this program beside the CloudFormation
 * stack it replaces, can use the same stack name in one account. This matters
 * most for the queue: SQS's CreateQueue *returns* an existing queue of the same
 * name, so two clusters would silently share one, and one's destroy would
 * delete the other's.
 *
 * The names the replication manager is given (the RM_* keys of the `.env`)
 * keep the reference's patterns (`<stack>-ASGMediaNode`, `<stack>-SQS.fifo`)
 * with that unique `<stack>-<suffix>` as their stack name, the same one as in
 * RM_CLOUDFORMATION_ARN. `referenceNames` keeps the bare stack name instead,
 * for stacks deployed before (renaming replaces the groups and the queue).
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
    /** The reference's `<stack>-ASGOpenViduProMasterNode`, with the unique stack name. */
    masterAsg: string;
    /** The reference's `<stack>-ASGMediaNode`, with the unique stack name. */
    mediaAsg: string;
    /** The reference's `<stack>-SQS.fifo` (≤ 80 with the .fifo suffix), with the unique stack name. */
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
    /** The stack's name as CloudFormation would have it, for `RM_CLOUDFORMATION_ARN`: the same stack name as in the groups' names. */
    cloudFormationStackName: string;
    /** CloudWatch Logs group of the masters' boot lines (unique per account and region; ≤ 512 of `[.-_/#A-Za-z0-9]`). */
    bootLogGroup: string;
}

/**
 * Six hex characters of the project and stack names: stable for the stack's
 * life, different for the same stack name in another project.
 */
export function deploymentSuffix(projectName: string, stackName: string): string {
    return shortHash(`${projectName}/${stackName}`);
}

export interface NamingOptions {
    /** Keep the bare stack name in the queue's and groups' names (the reference's, and this program's up to 0.2.0). */
    referenceNames?: boolean;
}

export function clusterNames(stackName: string, clusterId: string, projectName: string, options: NamingOptions = {}): ClusterNames {
    const stack = alnumDash(stackName);
    // `<stack>-<suffix>`: readable in the console, unique per project and stack.
    const unique = `${stack}-${deploymentSuffix(projectName, stackName)}`;
    const lower = unique.toLowerCase();
    const redisBase = /^[a-z]/.test(lower) ? lower : `ov-${lower}`;
    // The stack name in the names handed to the replication manager (RM_*): unique unless asked otherwise.
    const rmStack = options.referenceNames ? stack : unique;
    const legacyAsgStack = options.referenceNames ? stackName : unique;
    return {
        loadBalancer: fitName(unique, "-alb", 32),
        targetGroup: fitName(unique, "-masters", 32),
        masterAsg: fitName(legacyAsgStack, "-ASGOpenViduProMasterNode", 255),
        mediaAsg: fitName(legacyAsgStack, "-ASGMediaNode", 255),
        queue: fitName(rmStack, "-SQS.fifo", 80),
        redis: fitName(redisBase, "-redis", 40).replace(/--+/g, "-"),
        bucketPrefix: fitName(clusterId.replace(/_/g, "-"), "-", 37),
        masterNodeTag: `${stackName}-Master Node`,
        mediaNodeTag: `${stackName}-Media Node`,
        prefix: fitName(unique, "", 40),
        bootLogGroup: bootLogGroupName(fitName(unique, "", 40)),
        cloudFormationStackName: fitName(/^[A-Za-z]/.test(rmStack) ? rmStack : `ov-${rmStack}`, "", 128),
    };
}

/** `/openvidu/<stack>-<suffix>/boot`: one stream per master, named by its instance id. */
export function bootLogGroupName(prefix: string): string {
    return `/openvidu/${prefix}/boot`;
}
