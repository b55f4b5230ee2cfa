/**
 * Which `.env` keys this program owns, and the stock defaults it seeds.
 * Pure data (no AWS, no Pulumi): the config validator uses it to stop
 * `extraEnv` from overriding an owned key, the seeding logic to render the file.
 * See docs/env-file.md.
 */

/** Keys whose value comes from the stack configuration. */
export const CONFIG_OWNED_KEYS = [
    "DOMAIN_OR_PUBLIC_IP",
    "OPENVIDU_PRO_LICENSE",
    "OPENVIDU_SECRET",
    "OPENVIDU_EDITION",
    "OPENVIDU_ENTERPRISE_MEDIA_SERVER",
    "OPENVIDU_PRO_CLUSTER_ID",
    "OPENVIDU_PRO_CLUSTER_ENVIRONMENT",
    "OPENVIDU_PRO_ELASTICSEARCH",
    "OPENVIDU_PRO_ELASTICSEARCH_HOST",
    "OPENVIDU_PRO_KIBANA_HOST",
    "ELASTICSEARCH_USERNAME",
    "ELASTICSEARCH_PASSWORD",
    "OPENVIDU_RECORDING",
    "OPENVIDU_PRO_RECORDING_STORAGE",
    "OPENVIDU_PRO_AWS_S3_BUCKET",
    "OPENVIDU_PRO_AWS_REGION",
    "OPENVIDU_PRO_COTURN_IN_MEDIA_NODES",
    "OPENVIDU_ENTERPRISE_S3_CONFIG_AUTORESTART",
    "COTURN_SHARED_SECRET_KEY",
] as const;

/** The replication manager's keys, whose value comes from the infrastructure. */
export const INFRA_OWNED_KEYS = [
    "RM_REDIS_IP",
    "RM_REDIS_PORT",
    "RM_SQS_QUEUE",
    "RM_CLOUDFORMATION_ARN",
    "RM_S3_CONFIGURATION_BUCKET",
    "RM_S3_CONFIGURATION_BUCKET_REGION",
    "RM_MEDIA_NODES_AUTOSCALING_GROUP_NAME",
    "RM_MASTER_NODES_AUTOSCALING_GROUP_NAME",
] as const;

/**
 * With `true` (OpenVidu's default, also when absent), any change to the bucket's `.env`
 * restarts every master at once; with `false` a master reads it at its next start only.
 */
export const AUTORESTART_KEY = "OPENVIDU_ENTERPRISE_S3_CONFIG_AUTORESTART";

/** Per instance: each master writes its own; never in the shared file. */
export const PER_INSTANCE_KEYS = ["AWS_INSTANCE_ID"] as const;

/**
 * OpenVidu documents `RM_*` and `AWS_*` as set by the deployment and not to be
 * changed by hand, so `extraEnv` may not use those prefixes either.
 */
export const DEPLOYMENT_KEY_PREFIXES = ["RM_", "AWS_"] as const;

/** Defaults of the stock 2.x `.env`, kept unless the operator (or extraEnv) changes them. */
export const STOCK_DEFAULTS: Readonly<Record<string, string>> = {
    CERTIFICATE_TYPE: "selfsigned", // TLS ends at the load balancer
    OPENVIDU_PRO_CLUSTER_MODE: "manual",
    OPENVIDU_PRO_CLUSTER_AUTOSCALING: "false", // the media ASG scales instead
    OPENVIDU_PRO_CLUSTER_LOAD_STRATEGY: "streams",
    OPENVIDU_RECORDING_PATH: "/opt/openvidu/recordings",
    OPENVIDU_RECORDING_CUSTOM_LAYOUT: "/opt/openvidu/custom-layout",
    OPENVIDU_RECORDING_PUBLIC_ACCESS: "false",
    OPENVIDU_RECORDING_NOTIFICATION: "publisher_moderator",
    OPENVIDU_RECORDING_AUTOSTOP_TIMEOUT: "120",
    OPENVIDU_STREAMS_VIDEO_MAX_RECV_BANDWIDTH: "1000",
    OPENVIDU_STREAMS_VIDEO_MIN_RECV_BANDWIDTH: "300",
    OPENVIDU_STREAMS_VIDEO_MAX_SEND_BANDWIDTH: "1000",
    OPENVIDU_STREAMS_VIDEO_MIN_SEND_BANDWIDTH: "300",
    OPENVIDU_WEBHOOK: "false",
    OPENVIDU_SESSIONS_GARBAGE_INTERVAL: "900",
    OPENVIDU_SESSIONS_GARBAGE_THRESHOLD: "3600",
    OPENVIDU_CDR: "false",
    OPENVIDU_CDR_PATH: "/opt/openvidu/cdr",
    // The stock .env's value since March 2026 (it was true).
    COTURN_INTERNAL_RELAY: "false",
};

const OWNED = new Set<string>([...CONFIG_OWNED_KEYS, ...INFRA_OWNED_KEYS, ...PER_INSTANCE_KEYS]);

/** True for a key that only this program (or the instance itself) may set. */
export function isProgramOwnedKey(key: string): boolean {
    return OWNED.has(key) || DEPLOYMENT_KEY_PREFIXES.some((prefix) => key.startsWith(prefix));
}
