#!/bin/bash
# A model of the OpenVidu 2.x master AMI's @reboot job (/usr/local/bin/openvidu-init.sh,
# run by root's crontab on every boot), written from the facts in the design notes
# (reference/openvidu-ami.md). Our own code, not OpenVidu's. Where it stops: the real
# job fills more keys; what matters here is the same (in-place sed edits on the first
# boot, appended duplicates, stop/start on every boot).
# The simulation passes paths and the IMDS address in SIM_* variables.
set -u
readonly OPENVIDU_DIR="${SIM_OPENVIDU_DIR:?}"
readonly FIRST_RUN_MARKER="${SIM_FIRST_RUN_MARKER:?}"
readonly IMDS="${SIM_IMDS:?}"
readonly ENV_FILE="${OPENVIDU_DIR}/.env"

token="$(curl -fsS -X PUT "${IMDS}/latest/api/token" -H 'X-aws-ec2-metadata-token-ttl-seconds: 21600')"
metadata() { curl -fsS -H "X-aws-ec2-metadata-token: ${token}" "${IMDS}/latest/$1"; }
# CloudFormation's "KEY=value | KEY=value" user data, collapsed onto one line.
user_data="$(metadata user-data | tr '\n' ' ')"
instance_id="$(metadata meta-data/instance-id)"
zone="$(metadata meta-data/placement/availability-zone)"
region="${zone%?}"

# KEY= up to the next | or the end; absent: empty.
extract() { printf '%s\n' "${user_data}" | sed -n "s/.*$1=\([^|]*\).*/\1/p" | head -n 1 | sed 's/ *$//'; }
# Inserts after "KEY=" (so an existing value gets prefixed, not replaced); uncomments "#KEY=".
fill() { sed -i "s|^#\{0,1\}$1=|$1=$2|" "${ENV_FILE}"; }

if [ ! -f "${FIRST_RUN_MARKER}" ]; then
    mkdir -p "$(dirname "${FIRST_RUN_MARKER}")"
    touch "${FIRST_RUN_MARKER}"
    for key in DOMAIN_OR_PUBLIC_IP OPENVIDU_PRO_LICENSE OPENVIDU_SECRET OPENVIDU_ENTERPRISE_MEDIA_SERVER OPENVIDU_PRO_CLUSTER_ID; do
        fill "${key}" "$(extract "${key}")"
    done
    if [ "$(extract OPENVIDU_PRO_ELASTICSEARCH)" != "true" ]; then
        sed -i 's|^OPENVIDU_PRO_ELASTICSEARCH=true|OPENVIDU_PRO_ELASTICSEARCH=false|' "${ENV_FILE}"
    else
        for key in OPENVIDU_PRO_ELASTICSEARCH_HOST OPENVIDU_PRO_KIBANA_HOST ELASTICSEARCH_USERNAME ELASTICSEARCH_PASSWORD; do
            fill "${key}" "$(extract "${key}")"
        done
    fi
    fill OPENVIDU_PRO_CLUSTER_ENVIRONMENT aws
    [ "$(extract OPENVIDU_RECORDING)" = "true" ] && fill OPENVIDU_RECORDING true
    fill OPENVIDU_PRO_RECORDING_STORAGE s3
    fill OPENVIDU_PRO_AWS_S3_BUCKET "$(extract OPENVIDU_PRO_CONFIG_S3_BUCKET)/recordings"
    fill OPENVIDU_PRO_AWS_REGION "${region}"
    [ "$(extract OPENVIDU_PRO_COTURN_IN_MEDIA_NODES)" = "true" ] && fill OPENVIDU_PRO_COTURN_IN_MEDIA_NODES true
    fill AWS_INSTANCE_ID "${instance_id}"
    for key in RM_REDIS_IP RM_REDIS_PORT RM_SQS_QUEUE RM_CLOUDFORMATION_ARN RM_S3_CONFIGURATION_BUCKET \
        RM_S3_CONFIGURATION_BUCKET_REGION RM_MEDIA_NODES_AUTOSCALING_GROUP_NAME RM_MASTER_NODES_AUTOSCALING_GROUP_NAME; do
        fill "${key}" "$(extract "${key}")"
    done
    autorestart=false
    [ "$(extract OPENVIDU_ENTERPRISE_S3_CONFIG_AUTORESTART)" = "true" ] && autorestart=true
    echo "OPENVIDU_ENTERPRISE_S3_CONFIG_AUTORESTART=${autorestart}" >> "${ENV_FILE}"
    echo "COTURN_SHARED_SECRET_KEY=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')" >> "${ENV_FILE}"
fi

# Every boot. From cron, so following the logs blocks nothing.
cd "${OPENVIDU_DIR}" || exit 1
./openvidu stop
./openvidu start
