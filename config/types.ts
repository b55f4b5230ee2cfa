import * as pulumi from "@pulumi/pulumi";

export type MediaServer = "mediasoup" | "kurento";

/**
 * What SSM may do on a tier's nodes: `managed` attaches AWS's
 * AmazonSSMManagedInstanceCore, `session` only the Session Manager shell,
 * `none` nothing (docs/iam.md lists each exactly).
 */
export type SsmAccess = "managed" | "session" | "none";

/** Storage classes recordings may move to: all serve a GET at once (OpenVidu plays them back). */
export type RecordingsStorageClass = "STANDARD" | "STANDARD_IA" | "ONEZONE_IA" | "INTELLIGENT_TIERING" | "GLACIER_IR";

/**
 * The stack configuration as the stack files hold it: one field per
 * `openvidu:*` key, with the public key names. The Automation API takes this
 * same type, so the two ways of configuring a stack can never disagree.
 * Secrets (`license`, `openviduSecret`, `elasticsearchPassword`) are plain
 * strings here; they become Pulumi secrets when set on a stack.
 */
export interface OpenViduStackConfig {
    domainName: string;
    clusterId?: string;
    license: string;
    openviduSecret?: string;
    mediaServer?: MediaServer;
    bucketName?: string;
    envTakeover?: boolean;
    s3ConfigAutoRestart?: boolean;
    recording?: boolean;
    coturnInMediaNodes?: boolean;
    elasticsearchEnabled?: boolean;
    elasticsearchUrl?: string;
    kibanaUrl?: string;
    elasticsearchUsername?: string;
    elasticsearchPassword?: string;
    certificateArn?: string;
    hostedZoneId?: string;
    masterInstanceType?: string;
    mediaInstanceType?: string;
    keyName?: string;
    minMasterNodes?: number;
    desiredMasterNodes?: number;
    maxMasterNodes?: number;
    minMediaNodes?: number;
    desiredMediaNodes?: number;
    maxMediaNodes?: number;
    scaleUpCpu?: number;
    scaleDownCpu?: number;
    vpcId?: string;
    subnetIds?: string[];
    masterAmiId: string;
    mediaAmiId: string;
    amiSourceRegion?: string;
    amiOwnerId?: string;
    masterVolumeSize?: number;
    mediaVolumeSize?: number;
    extraEnv?: Record<string, string>;
    deleteEnvOnDestroy?: boolean;
    deployerRoleArn?: string;
    envReaderArns?: string[];
    noncurrentVersionExpirationDays?: number;
    recordingsStorageClass?: RecordingsStorageClass;
    recordingsTransitionDays?: number;
    redisNodeType?: string;
    redisReplicas?: number;
    referenceNames?: boolean;
    masterSsmAccess?: SsmAccess;
    mediaSsmAccess?: SsmAccess;
    waitForHealthyMasters?: boolean;
    overwriteDnsRecord?: boolean;
    alarmsEnabled?: boolean;
    alarmEmails?: string[];
    alarmTopicArn?: string;
    bootLogRetentionDays?: number;
}

/** Size of an Auto Scaling group: min ≤ desired ≤ max. */
export interface NodeCounts {
    min: number;
    desired: number;
    max: number;
}

export interface ElasticsearchSettings {
    url: string;
    kibanaUrl: string;
    username: string;
    password: pulumi.Output<string>;
}

export interface ExistingNetwork {
    vpcId: string;
    subnetIds: string[];
}

/**
 * The validated, defaulted configuration every component is built from.
 * Secrets are Pulumi secret outputs; nothing here is read from config again.
 */
export interface OpenViduConfig {
    /** The Pulumi stack name (names of AWS resources derive from it). */
    stackName: string;
    /** The stack's AWS region (`aws:region`). */
    region: string;
    domainName: string;
    clusterId: string;
    license: pulumi.Output<string>;
    /** Unset: a secret is generated once for the stack. */
    openviduSecret?: pulumi.Output<string>;
    mediaServer: MediaServer;
    /** Set: adopt this existing bucket. Unset: create one. */
    bucketName?: string;
    /** Write an adopted `.env` that names another cluster's resources (refused otherwise). */
    envTakeover: boolean;
    s3ConfigAutoRestart: boolean;
    recording: boolean;
    coturnInMediaNodes: boolean;
    /** Unset when Elasticsearch is disabled. */
    elasticsearch?: ElasticsearchSettings;
    certificateArn?: string;
    hostedZoneId?: string;
    masterInstanceType: string;
    mediaInstanceType: string;
    keyName?: string;
    masterNodes: NodeCounts;
    mediaNodes: NodeCounts;
    scaleUpCpu: number;
    scaleDownCpu: number;
    /** Unset: a new VPC is created. */
    network?: ExistingNetwork;
    /** An AMI id (`ami-…`, used as is) or an image name (looked up among amiOwnerId's images). */
    masterAmiId: string;
    mediaAmiId: string;
    amiSourceRegion?: string;
    /** The account whose images a name is looked up among; required when a name is given. */
    amiOwnerId?: string;
    masterVolumeSize: number;
    mediaVolumeSize: number;
    extraEnv: Record<string, string>;
    /** `extraEnv` was set with `--secret`: its values stay secrets in state. */
    extraEnvSecret?: boolean;
    deleteEnvOnDestroy: boolean;
    /** Unset: the principal running `pulumi up` (its role, for an assumed-role session). */
    deployerRoleArn?: string;
    /**
     * Principals (IAM role or user ARNs) the created bucket's policy lets read the `.env` and
     * nothing more; an entry that is also the deployer keeps its write access. Empty: none.
     */
    envReaderArns: string[];
    /** The created bucket's lifecycle (an adopted bucket is never modified). */
    bucketLifecycle: BucketLifecycleSettings;
    redis: RedisSettings;
    /** Keep the CloudFormation template's (and 0.2.0's) `<stack>-…` names of the queue and the groups. */
    referenceNames: boolean;
    masterSsmAccess: SsmAccess;
    mediaSsmAccess: SsmAccess;
    /** `pulumi up` waits for the masters to pass the load balancer's health check. */
    waitForHealthyMasters: boolean;
    /** With hostedZoneId: take over an existing record of domainName. */
    overwriteDnsRecord: boolean;
    alarms: AlarmSettings;
    /** Days CloudWatch Logs keeps the masters' boot lines (one of rules.LOG_RETENTION_DAYS). */
    bootLogRetentionDays: number;
}

export interface AlarmSettings {
    /** false: no alarm, topic, rule or dashboard. */
    enabled: boolean;
    /** Subscribed to the created topic. */
    emails: string[];
    /** The user's own topic: none is created. */
    topicArn?: string;
}

export interface BucketLifecycleSettings {
    noncurrentVersionExpirationDays: number;
    /** `STANDARD`: recordings stay where they are. */
    recordingsStorageClass: RecordingsStorageClass;
    recordingsTransitionDays: number;
}

export interface RedisSettings {
    /** @example "cache.t3.medium" */
    nodeType: string;
    /** Read replicas besides the primary; 0 means a single node (no failover). */
    replicas: number;
}
