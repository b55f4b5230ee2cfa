#!/bin/bash
# A model of the OpenVidu 2.x master AMI's @reboot job (/usr/local/bin/openvidu-init.sh,
# run by root's crontab on every boot), written from OpenVidu's AMI template
# (openvidu-server/deployments/enterprise/aws/cfn-crete-ov-aws-asg-ami.yaml.template,
# branch v2) and reference/openvidu-ami.md. Our own code, not OpenVidu's; it keeps what
# decides what the job does to a .env it did not expect:
# - each value comes from the user data read as CloudFormation's `KEY=value | ...`
#   text, collapsed onto one line: every `KEY=` in it, up to the next `|`, trailing
#   blanks dropped, cut at the next `=`; a key that is absent gives an empty value;
# - on the first boot (marker absent) each edit replaces the first match of a fixed
#   text on every line, anywhere in the line (not anchored), e.g. `OPENVIDU_SECRET=`
#   becomes `OPENVIDU_SECRET=<value>`, `OPENVIDU_PRO_ELASTICSEARCH=true` becomes
#   `...=false` unless the value read is exactly `true`; two lines are appended;
# - `./openvidu stop; ./openvidu start` on every boot.
# Where it stops: unquoted `echo` would also expand globs in the user data (not done).
# The simulation passes paths and the IMDS address in SIM_* variables.
set -u
readonly OPENVIDU_DIR="${SIM_OPENVIDU_DIR:?}"
readonly FIRST_RUN_MARKER="${SIM_FIRST_RUN_MARKER:?}"
readonly IMDS="${SIM_IMDS:?}"
readonly ENV_FILE="${OPENVIDU_DIR}/.env"

token="$(curl -fsS -X PUT "${IMDS}/latest/api/token" -H 'X-aws-ec2-metadata-token-ttl-seconds: 21600')"
metadata() { curl -fsS -H "X-aws-ec2-metadata-token: ${token}" "${IMDS}/latest/$1"; }
user_data="$(metadata user-data | tr -s ' \t\n' '   ')"
instance_id="$(metadata meta-data/instance-id)"
zone="$(metadata meta-data/placement/availability-zone)"
region="${zone%?}"

extract() { printf '%s\n' "${user_data}" | grep -o "$1=[^|]*" | sed 's/[[:space:]]*$//' | cut -d= -f2; }
# Replace the first $1 on each line with $2 (both plain text; | and & are not expected).
edit() { sed -i "s|$1|$2|" "${ENV_FILE}"; }
# `KEY=` gets the value read from the user data inserted after it.
fill() { edit "$1=" "$1=$(extract "$1")"; }

if [ ! -f "${FIRST_RUN_MARKER}" ]; then
    mkdir -p "$(dirname "${FIRST_RUN_MARKER}")"
    touch "${FIRST_RUN_MARKER}"
    for key in DOMAIN_OR_PUBLIC_IP OPENVIDU_PRO_LICENSE OPENVIDU_SECRET OPENVIDU_ENTERPRISE_MEDIA_SERVER; do
        fill "${key}"
    done
    if [ "$(extract OPENVIDU_PRO_ELASTICSEARCH)" = "true" ]; then
        edit "#OPENVIDU_PRO_ELASTICSEARCH_HOST=" "OPENVIDU_PRO_ELASTICSEARCH_HOST=$(extract OPENVIDU_PRO_ELASTICSEARCH_HOST)"
        edit "#OPENVIDU_PRO_KIBANA_HOST=" "OPENVIDU_PRO_KIBANA_HOST=$(extract OPENVIDU_PRO_KIBANA_HOST)"
        edit "ELASTICSEARCH_USERNAME=elasticadmin" "ELASTICSEARCH_USERNAME=$(extract ELASTICSEARCH_USERNAME)"
        fill ELASTICSEARCH_PASSWORD
    else
        edit "OPENVIDU_PRO_ELASTICSEARCH=true" "OPENVIDU_PRO_ELASTICSEARCH=false"
    fi
    edit "# OPENVIDU_PRO_CLUSTER_ID=" "OPENVIDU_PRO_CLUSTER_ID=$(extract OPENVIDU_PRO_CLUSTER_ID)"
    edit "OPENVIDU_PRO_CLUSTER_ENVIRONMENT=on_premise" "OPENVIDU_PRO_CLUSTER_ENVIRONMENT=aws"
    [ "$(extract OPENVIDU_RECORDING)" = "true" ] && edit "OPENVIDU_RECORDING=false" "OPENVIDU_RECORDING=true"
    edit "#OPENVIDU_PRO_RECORDING_STORAGE=" "OPENVIDU_PRO_RECORDING_STORAGE=s3"
    edit "#OPENVIDU_PRO_AWS_S3_BUCKET=" "OPENVIDU_PRO_AWS_S3_BUCKET=$(extract OPENVIDU_PRO_CONFIG_S3_BUCKET)/recordings"
    edit "#OPENVIDU_PRO_AWS_REGION=" "OPENVIDU_PRO_AWS_REGION=${region}"
    [ "$(extract OPENVIDU_PRO_COTURN_IN_MEDIA_NODES)" = "true" ] && edit "OPENVIDU_PRO_COTURN_IN_MEDIA_NODES=false" "OPENVIDU_PRO_COTURN_IN_MEDIA_NODES=true"
    edit "#AWS_INSTANCE_ID=" "AWS_INSTANCE_ID=${instance_id}"
    for key in RM_REDIS_IP RM_REDIS_PORT RM_SQS_QUEUE RM_CLOUDFORMATION_ARN RM_MEDIA_NODES_AUTOSCALING_GROUP_NAME RM_MASTER_NODES_AUTOSCALING_GROUP_NAME; do
        fill "${key}"
    done
    edit "RM_S3_CONFIGURATION_BUCKET=" "RM_S3_CONFIGURATION_BUCKET=$(extract OPENVIDU_PRO_CONFIG_S3_BUCKET)"
    edit "RM_S3_CONFIGURATION_BUCKET_REGION=" "RM_S3_CONFIGURATION_BUCKET_REGION=${region}"
    autorestart=false
    [ "$(extract OPENVIDU_ENTERPRISE_S3_CONFIG_AUTORESTART)" = "true" ] && autorestart=true
    {
        echo "OPENVIDU_ENTERPRISE_S3_CONFIG_AUTORESTART=${autorestart}"
        echo "COTURN_SHARED_SECRET_KEY=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
        echo ""
    } >> "${ENV_FILE}"
fi

# Every boot. From cron, so following the logs blocks nothing.
cd "${OPENVIDU_DIR}" || exit 1
./openvidu stop
./openvidu start
