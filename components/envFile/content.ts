import * as pulumi from "@pulumi/pulumi";
import { OpenViduConfig } from "../../config/types";
import { STOCK_DEFAULTS } from "./keys";

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
    /** A stable identifier of this Pulumi stack (for RM_CLOUDFORMATION_ARN). */
    stackIdentifier: string;
}

/** The managed keys, split by whether their value is secret, and their order in the file. */
export interface ClusterEnv {
    settings: Record<string, pulumi.Input<string>>;
    secretSettings: Record<string, pulumi.Output<string>>;
    /** Every managed key, in the order a new file lists them. */
    keyOrder: string[];
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
        OPENVIDU_PRO_COTURN_IN_MEDIA_NODES: flag(config.coturnInMediaNodes),
        OPENVIDU_ENTERPRISE_S3_CONFIG_AUTORESTART: flag(config.s3ConfigAutoRestart),
        RM_REDIS_IP: inputs.redisAddress,
        RM_REDIS_PORT: pulumi.output(inputs.redisPort).apply(String),
        RM_SQS_QUEUE: inputs.queueName,
        RM_CLOUDFORMATION_ARN: inputs.stackIdentifier,
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
    return { settings, secretSettings, keyOrder };
}

/**
 * The masters' user data: no secret, only where the configuration is. The
 * instance role may read the bucket; the `.env` there carries the secrets.
 * See docs/env-file.md for the boot sequence.
 */
export function masterUserData(inputs: { bucketName: pulumi.Input<string>; region: string; key?: string }): pulumi.Output<string> {
    return renderMasterUserData(inputs.bucketName, inputs.region, inputs.key ?? ".env");
}

function renderMasterUserData(bucket: pulumi.Input<string>, region: string, key: string): pulumi.Output<string> {
    return pulumi.output(bucket).apply((bucketName) => `#!/bin/bash
# OpenVidu Enterprise HA master node boot (rendered by the Pulumi program).
# Carries no secret: the configuration, secrets included, is read from the
# cluster's bucket with the instance role.
set -euo pipefail

readonly CONFIG_BUCKET='${bucketName}'
readonly CONFIG_KEY='${key}'
readonly CONFIG_REGION='${region}'
readonly OPENVIDU_DIR=/opt/openvidu

# IMDSv2 only: a session token first, then the instance id.
imds_token="$(curl -fsS -X PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 300')"
instance_id="$(curl -fsS -H "X-aws-ec2-metadata-token: \${imds_token}" http://169.254.169.254/latest/meta-data/instance-id)"

# The .env is seeded before this group exists; retry anyway (IAM propagation, S3 hiccups).
umask 077
install -d -m 0750 "\${OPENVIDU_DIR}"
for attempt in $(seq 1 30); do
    if aws s3 cp "s3://\${CONFIG_BUCKET}/\${CONFIG_KEY}" "\${OPENVIDU_DIR}/.env" --region "\${CONFIG_REGION}" --only-show-errors; then
        break
    fi
    echo "configuration not readable yet (attempt \${attempt}); retrying in 10 s" >&2
    sleep 10
done
test -s "\${OPENVIDU_DIR}/.env"

# AWS_INSTANCE_ID is per instance: never in the shared file, always set here.
sed -i '/^AWS_INSTANCE_ID=/d' "\${OPENVIDU_DIR}/.env"
printf 'AWS_INSTANCE_ID=%s\\n' "\${instance_id}" >> "\${OPENVIDU_DIR}/.env"

cd "\${OPENVIDU_DIR}"
./openvidu start
`);
}
