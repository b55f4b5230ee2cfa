import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { OpenViduConfig } from "../../config/types";
import { AUTORESTART_KEY, STOCK_DEFAULTS } from "./keys";
import { renderMasterUserData } from "./masterBoot";

/** What the `.env` is built from: the config and values from the other components. */
export interface ClusterEnvInputs {
    config: OpenViduConfig;
    openviduSecret: pulumi.Output<string>;
    coturnSharedSecret: pulumi.Output<string>;
    bucketName: pulumi.Input<string>;
    redisAddress: pulumi.Input<string>;
    redisPort: pulumi.Input<number>;
    queueName: pulumi.Input<string>;
    masterAsgName: pulumi.Input<string>;
    mediaAsgName: pulumi.Input<string>;
    /** This stack as a CloudFormation-shaped stack ARN (see cloudFormationStackArn). */
    stackArn: pulumi.Input<string>;
}

/** The managed keys, split by whether their value is secret, and their order in the file. */
export interface ClusterEnv {
    settings: Record<string, pulumi.Input<string>>;
    secretSettings: Record<string, pulumi.Output<string>>;
    /** Every managed key, in the order a new file lists them. */
    keyOrder: string[];
    /** Generated secrets: a value already in the file (an adopted bucket's) is kept. */
    keepExisting: string[];
}

/** The comment a new `.env` starts with. */
export const ENV_HEADER = [
    "# OpenVidu Enterprise HA: the cluster's shared configuration.",
    "# Seeded and co-owned by the Pulumi program (openvidu-enterprise-ha-aws): at `pulumi up` it",
    "# writes only the keys whose stack config changed; changes made here or through",
    "# POST /openvidu/api/restart to other keys are kept. RM_* keys come from the",
    "# infrastructure: do not edit them. AWS_INSTANCE_ID is set by each master, never here.",
];

const flag = (value: boolean): string => (value ? "true" : "false");

/** The keys this program manages in the `.env`, with their desired values (see openvidu-env reference). */
export function clusterEnv(inputs: ClusterEnvInputs): ClusterEnv {
    const { config } = inputs;
    const es = config.elasticsearch;
    // extraEnv set with --secret: every value of it is a secret (and overrides no plain stock default).
    const plainExtraEnv = config.extraEnvSecret ? {} : config.extraEnv;
    const secretExtraEnv = config.extraEnvSecret ? config.extraEnv : {};
    const settings: Record<string, pulumi.Input<string>> = {
        DOMAIN_OR_PUBLIC_IP: config.domainName,
        OPENVIDU_EDITION: "enterprise",
        OPENVIDU_ENTERPRISE_MEDIA_SERVER: config.mediaServer,
        OPENVIDU_PRO_CLUSTER_ID: config.clusterId,
        OPENVIDU_PRO_CLUSTER_ENVIRONMENT: "aws",
        OPENVIDU_PRO_ELASTICSEARCH: flag(es !== undefined),
        ...(es ? { OPENVIDU_PRO_ELASTICSEARCH_HOST: es.url, OPENVIDU_PRO_KIBANA_HOST: es.kibanaUrl, ELASTICSEARCH_USERNAME: es.username } : {}),
        OPENVIDU_RECORDING: flag(config.recording),
        OPENVIDU_PRO_RECORDING_STORAGE: "s3",
        OPENVIDU_PRO_AWS_S3_BUCKET: pulumi.interpolate`${inputs.bucketName}/recordings`,
        // The latest 2.x AMI's first boot sets it; the bucket (and the recordings) are in the stack's region.
        OPENVIDU_PRO_AWS_REGION: config.region,
        OPENVIDU_PRO_COTURN_IN_MEDIA_NODES: flag(config.coturnInMediaNodes),
        [AUTORESTART_KEY]: flag(config.s3ConfigAutoRestart),
        RM_REDIS_IP: inputs.redisAddress,
        RM_REDIS_PORT: pulumi.output(inputs.redisPort).apply(String),
        RM_SQS_QUEUE: inputs.queueName,
        RM_CLOUDFORMATION_ARN: inputs.stackArn,
        RM_S3_CONFIGURATION_BUCKET: inputs.bucketName,
        RM_S3_CONFIGURATION_BUCKET_REGION: config.region,
        RM_MEDIA_NODES_AUTOSCALING_GROUP_NAME: inputs.mediaAsgName,
        RM_MASTER_NODES_AUTOSCALING_GROUP_NAME: inputs.masterAsgName,
        ...Object.fromEntries(Object.entries(STOCK_DEFAULTS).filter(([key]) => !(key in secretExtraEnv))),
        // Last, so it may override a stock default (validation keeps it off owned keys).
        ...plainExtraEnv,
    };
    const secretSettings: Record<string, pulumi.Output<string>> = {
        OPENVIDU_PRO_LICENSE: pulumi.secret(config.license),
        OPENVIDU_SECRET: pulumi.secret(inputs.openviduSecret),
        COTURN_SHARED_SECRET_KEY: pulumi.secret(inputs.coturnSharedSecret),
        ...(es ? { ELASTICSEARCH_PASSWORD: pulumi.secret(es.password) } : {}),
        ...Object.fromEntries(Object.entries(secretExtraEnv).map(([key, value]) => [key, pulumi.secret(value)])),
    };
    const keyOrder = [
        "DOMAIN_OR_PUBLIC_IP", "OPENVIDU_PRO_LICENSE", "OPENVIDU_SECRET",
        ...Object.keys(settings).filter((key) => key !== "DOMAIN_OR_PUBLIC_IP"),
        ...Object.keys(secretSettings).filter((key) => !["OPENVIDU_PRO_LICENSE", "OPENVIDU_SECRET"].includes(key)),
    ];
    // A generated secret never replaces the one the cluster's clients use; a configured one does.
    const keepExisting = ["COTURN_SHARED_SECRET_KEY", ...(config.openviduSecret === undefined ? ["OPENVIDU_SECRET"] : [])];
    return { settings, secretSettings, keyOrder, keepExisting };
}

/**
 * The OpenVidu secret the cluster's clients use: the file's as the last `up` left it (an adopted
 * bucket keeps its own), else the stack's until a first `up` has recorded the file.
 */
export function secretInUse(fileAtLastUp: pulumi.Input<Record<string, string> | undefined>, stackSecret: pulumi.Input<string>): pulumi.Output<string> {
    return pulumi.secret(pulumi.all([fileAtLastUp, stackSecret]).apply(([file, own]) => file?.OPENVIDU_SECRET || own));
}

export interface StackArnParts {
    partition: string;
    region: string;
    accountId: string;
    /** Becomes the ARN's stack name (CloudFormation's rules: a letter, then letters, digits, `-`). */
    stackName: string;
    /** What makes the id: the stack's fully qualified name (`<org>/<project>/<stack>`), stable for its life. */
    stackIdentity: string;
}

/**
 * RM_CLOUDFORMATION_ARN in the shape of a CloudFormation stack ARN, which the
 * closed-source replication manager may parse:
 * `arn:<partition>:cloudformation:<region>:<account>:stack/<name>/<uuid>`.
 * The uuid is derived from the stack's fully qualified name, so it never
 * changes for the stack and differs between stacks.
 */
export function cloudFormationStackArn(parts: StackArnParts): string {
    const cleaned = parts.stackName.replace(/[^A-Za-z0-9-]+/g, "-").replace(/^[^A-Za-z]+/, "").slice(0, 120);
    const name = cleaned === "" ? "openvidu" : cleaned;
    const hex = createHash("sha256").update(parts.stackIdentity).digest("hex");
    // Laid out like CloudFormation's stack ids (a uuid: 8-4-4-4-12 hex digits).
    const id = [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20, 32)].join("-");
    return `arn:${parts.partition}:cloudformation:${parts.region}:${parts.accountId}:stack/${name}/${id}`;
}

/**
 * The masters' user data (`#cloud-config`): no secret, only where the
 * configuration is. The instance role may read the bucket; the `.env` there
 * carries the secrets. See masterBoot.ts and docs/env-file.md ("Boot sequence").
 */
export function masterUserData(inputs: { bucketName: pulumi.Input<string>; region: string; key?: string; logGroupName: pulumi.Input<string> }): pulumi.Output<string> {
    return pulumi.all([inputs.bucketName, inputs.logGroupName])
        .apply(([bucket, logGroup]) => renderMasterUserData({ bucket, region: inputs.region, key: inputs.key ?? ".env", logGroup }));
}
