/**
 * The stack configuration keys: the program's public interface.
 *
 * This table is the single source of truth for every `openvidu:*` key. The
 * `config:` block of `Pulumi.yaml`, the README's config reference and the
 * Automation API's key mapping are all checked against (or generated from)
 * it, so they cannot drift apart. Key names are a public interface (stack
 * files, the Automation API and CI set them by name):
 * add keys, never rename them.
 */
import { BOOT_TIMELINE } from "../models/bootTimeline";
import { LOG_RETENTION_DAYS } from "./rules";

/** The value kinds a key can have, as they appear in a stack file. */
export type KeyKind = "string" | "secret" | "boolean" | "integer" | "stringList" | "stringMap";

export interface KeySpec {
    /** The key without its namespace (`domainName` for `openvidu:domainName`). */
    readonly key: string;
    readonly kind: KeyKind;
    /** One line for `Pulumi.yaml` and the README. */
    readonly description: string;
    /** The static default, when there is one (written to `Pulumi.yaml`). */
    readonly default?: string | number | boolean | readonly string[];
    /** Human wording of a default that depends on other values (e.g. "the stack name"). */
    readonly defaultText?: string;
    /** `true` when the stack cannot be deployed without it. */
    readonly required?: boolean;
    /** The CloudFormation parameter this key replaces. */
    readonly cloudFormation?: string;
}

/** The Pulumi config namespace of every key (`openvidu:<key>`); also the project name. */
export const CONFIG_NAMESPACE = "openvidu";

export const KEY_SPECS: readonly KeySpec[] = [
    { key: "domainName", kind: "string", required: true, cloudFormation: "DomainName",
        description: "Public domain name of the cluster (lower-case FQDN), e.g. openvidu.example.com." },
    { key: "clusterId", kind: "string", defaultText: "the stack name, lower-cased, other characters → `-`",
        cloudFormation: "OpenViduProClusterId",
        description: "OpenVidu Pro cluster id; letters a-z, digits, `_` and `-`." },
    { key: "license", kind: "secret", required: true, cloudFormation: "OpenViduLicense",
        description: "OpenVidu Enterprise license key (set with `pulumi config set --secret`)." },
    { key: "openviduSecret", kind: "secret", defaultText: "generated once per stack (32 chars of [A-Za-z0-9_-])",
        cloudFormation: "OpenViduSecret",
        description: "Secret of the OPENVIDUAPP user; `[A-Za-z0-9_-]`. Generated when unset." },
    { key: "mediaServer", kind: "string", default: "mediasoup", cloudFormation: "MediaServer",
        description: "Media server of the media nodes: mediasoup or kurento." },
    { key: "bucketName", kind: "string", defaultText: "unset: a bucket is created (and retained on destroy)",
        cloudFormation: "OpenViduS3BucketName",
        description: "Existing S3 bucket (same region) to adopt for the .env and recordings; unset creates one." },
    { key: "envTakeover", kind: "boolean", default: false,
        description: "With bucketName: take over a .env whose RM_* keys name another cluster's Redis, queue, groups or stack (e.g. a deleted CloudFormation stack's); false refuses it before anything is written." },
    { key: "s3ConfigAutoRestart", kind: "boolean", default: true, cloudFormation: "OpenViduS3ConfigAutoRestart",
        description: "Masters restart by themselves when the .env in S3 changes." },
    { key: "recording", kind: "boolean", default: true, cloudFormation: "OpenViduRecording",
        description: "Enable recording (stored in the bucket under recordings/)." },
    { key: "coturnInMediaNodes", kind: "boolean", default: false, cloudFormation: "CoturnInMediaNodes",
        description: "Run the TURN server (coturn) in the media nodes instead of the masters." },
    { key: "elasticsearchEnabled", kind: "boolean", default: true, cloudFormation: "ElasticsearchEnabled",
        description: "Send events and monitoring to an external Elasticsearch/Kibana." },
    { key: "elasticsearchUrl", kind: "string", cloudFormation: "ElasticsearchUrl",
        description: "Elasticsearch URL with an explicit port (even 443), e.g. https://es.example.com:443." },
    { key: "kibanaUrl", kind: "string", cloudFormation: "KibanaUrl",
        description: "Kibana URL with an explicit port (even 443), e.g. https://kibana.example.com:443." },
    { key: "elasticsearchUsername", kind: "string", default: "elasticadmin", cloudFormation: "ElasticsearchUser",
        description: "Elasticsearch user; no spaces, quotes or `=`." },
    { key: "elasticsearchPassword", kind: "secret", cloudFormation: "ElasticsearchPassword",
        description: "Elasticsearch password (secret); at least 6 characters, no spaces, quotes or `=`." },
    { key: "certificateArn", kind: "string", defaultText: "required unless hostedZoneId is set",
        cloudFormation: "LoadBalancerCertificateARN",
        description: "ACM certificate ARN for the load balancer, in the stack's region." },
    { key: "hostedZoneId", kind: "string",
        description: "Route 53 hosted zone of the domain: creates the DNS record and, without certificateArn, a DNS-validated certificate." },
    { key: "masterInstanceType", kind: "string", default: "c5.xlarge", cloudFormation: "AwsInstanceTypeOV",
        description: "EC2 instance type of the master nodes." },
    { key: "mediaInstanceType", kind: "string", default: "c5.xlarge", cloudFormation: "AwsInstanceTypeKMS",
        description: "EC2 instance type of the media nodes." },
    { key: "keyName", kind: "string", defaultText: "unset: no key pair; admin access through SSM Session Manager",
        cloudFormation: "KeyName",
        description: "EC2 key pair for SSH access to the nodes (optional)." },
    { key: "minMasterNodes", kind: "integer", default: 1, cloudFormation: "MinMasterNodes",
        description: "Minimum number of master nodes." },
    { key: "desiredMasterNodes", kind: "integer", default: 2, cloudFormation: "DesiredMasterNodes",
        description: "Desired number of master nodes (masters do not autoscale)." },
    { key: "maxMasterNodes", kind: "integer", default: 4, cloudFormation: "MaxMasterNodes",
        description: "Maximum number of master nodes." },
    { key: "minMediaNodes", kind: "integer", default: 1, cloudFormation: "MinMediaNodes",
        description: "Minimum number of media nodes." },
    { key: "desiredMediaNodes", kind: "integer", default: 2, cloudFormation: "DesiredMediaNodes",
        description: "Initial desired number of media nodes (then CPU-scaled)." },
    { key: "maxMediaNodes", kind: "integer", default: 4, cloudFormation: "MaxMediaNodes",
        description: "Maximum number of media nodes." },
    { key: "scaleUpCpu", kind: "integer", default: 70, cloudFormation: "ScaleUpMediaNodesAvgCpu",
        description: "Average media-node CPU (whole percent) above which a media node is added." },
    { key: "scaleDownCpu", kind: "integer", default: 30, cloudFormation: "ScaleDownMediaNodesAvgCpu",
        description: "Average media-node CPU (whole percent) below which a media node is removed." },
    { key: "vpcId", kind: "string", defaultText: "unset: a new VPC is created", cloudFormation: "OpenViduVPC",
        description: "Existing VPC to deploy into; set together with subnetIds." },
    { key: "subnetIds", kind: "stringList", defaultText: "unset: the new VPC's public subnets",
        cloudFormation: "OpenViduSubnets",
        description: "Existing public subnets (≥ 2, in ≥ 2 availability zones) of vpcId." },
    { key: "masterAmiId", kind: "string", required: true,
        description: "AMI of the master nodes, in the stack's region or in amiSourceRegion: its id (ami-...), or its exact name (then amiOwnerId is required)." },
    { key: "mediaAmiId", kind: "string", required: true,
        description: "AMI of the media nodes, in the stack's region or in amiSourceRegion: its id (ami-...), or its exact name (then amiOwnerId is required)." },
    { key: "amiSourceRegion", kind: "string",
        description: "When set, both AMIs are copied from this region into the stack's region." },
    { key: "amiOwnerId", kind: "string", defaultText: "unset: the AMIs are given by id",
        description: "12-digit account id of the AMIs' publisher, as verified with `aws ec2 describe-images` (docs/amis.md); an AMI given by name is looked up only among its images." },
    { key: "masterVolumeSize", kind: "integer", default: 100,
        description: "Root volume size of the master nodes, in GiB (≥ 20)." },
    { key: "mediaVolumeSize", kind: "integer", default: 50,
        description: "Root volume size of the media nodes, in GiB (≥ 20)." },
    { key: "extraEnv", kind: "stringMap", default: undefined, defaultText: "{}",
        description: "Further .env keys managed as code (KEY: value); may not override a key the program owns." },
    { key: "deleteEnvOnDestroy", kind: "boolean", default: false,
        description: "Delete the seeded .env object on `pulumi destroy` (by default it stays in the retained bucket)." },
    { key: "deployerRoleArn", kind: "string", default: "", defaultText: "empty: the IAM role (or user) that runs `pulumi up`",
        description: "IAM role or user ARN that deploys the stack: with the masters' role, the only principal the bucket policy lets touch the .env." },
    { key: "envReaderArns", kind: "stringList", default: [], defaultText: "empty: only the masters and the deployer read the .env",
        description: "IAM role or user ARNs the created bucket's policy lets read the .env but not write or delete it (e.g. the CI preview role, so previews and drift checks name keys changed at run time)." },
    { key: "noncurrentVersionExpirationDays", kind: "integer", default: 30,
        description: "Days a replaced or deleted object's old version (recording or .env) is kept before S3 expires it (1-3650)." },
    { key: "recordingsStorageClass", kind: "string", default: "STANDARD",
        description: "Storage class recordings/ move to after recordingsTransitionDays: STANDARD (stay), STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING or GLACIER_IR." },
    { key: "recordingsTransitionDays", kind: "integer", default: 30,
        description: "Age in days at which recordings move to recordingsStorageClass (≥ 30 for STANDARD_IA and ONEZONE_IA)." },
    { key: "redisNodeType", kind: "string", default: "cache.t3.medium",
        description: "ElastiCache node type of the replication manager's Redis (cache.<family>.<size>)." },
    { key: "redisReplicas", kind: "integer", default: 1,
        description: "Redis read replicas besides the primary (0-5); 0 is one node: no failover, no Multi-AZ." },
    { key: "referenceNames", kind: "boolean", default: false,
        description: "Name the queue and the Auto Scaling groups `<stack>-SQS.fifo`, `<stack>-ASG…` as the CloudFormation template and " +
            "this program up to 0.2.0 did (not unique per project and stack: see docs/operations.md). Unset: `<stack>-<suffix>-…`, unique." },
    { key: "masterSsmAccess", kind: "string", default: "managed",
        description: "SSM on the masters: managed (AmazonSSMManagedInstanceCore), session (Session Manager shell only) or none." },
    { key: "mediaSsmAccess", kind: "string", default: "session",
        description: "SSM on the media nodes: session (Session Manager shell only), managed (AmazonSSMManagedInstanceCore) or none (no role)." },
    { key: "waitForHealthyMasters", kind: "boolean", default: true,
        description: `\`pulumi up\` waits (up to ${BOOT_TIMELINE.upWaitTimeoutSeconds / 60} minutes) until the desired number of masters pass the load balancer's health check; false skips the wait.` },
    { key: "overwriteDnsRecord", kind: "boolean", default: false,
        description: "With hostedZoneId: take over a record of domainName that already exists (e.g. the CNAME the CloudFormation guide had you create); false stops before creating anything." },
    { key: "alarmsEnabled", kind: "boolean", default: true,
        description: "Alarms on what breaks high availability, an SNS topic they publish to, and a CloudWatch dashboard (docs/operations.md); false declares none of them." },
    { key: "alarmEmails", kind: "stringList", default: [], defaultText: "empty: no subscription (subscribe to the topic yourself)",
        description: "E-mail addresses subscribed to the created alarm topic (each confirms by mail)." },
    { key: "alarmTopicArn", kind: "string", defaultText: "unset: a topic of the cluster is created",
        description: "An SNS topic of your own, in the stack's region, for the alarms instead of the created one (its policy must let CloudWatch, EventBridge and ElastiCache publish)." },
    { key: "bootLogRetentionDays", kind: "integer", default: 90,
        description: `Days CloudWatch Logs keeps the masters' boot lines (docs/operations.md, "Boot logs"): one of ${LOG_RETENTION_DAYS.join(", ")}.` },
];

const SPEC_BY_KEY = new Map(KEY_SPECS.map((spec) => [spec.key, spec]));

export function specFor(key: string): KeySpec | undefined {
    return SPEC_BY_KEY.get(key);
}

/** The keys whose values must be stored as Pulumi secrets. */
export const SECRET_KEYS: readonly string[] = KEY_SPECS.filter((s) => s.kind === "secret").map((s) => s.key);
