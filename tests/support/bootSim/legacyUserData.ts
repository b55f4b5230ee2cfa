/**
 * The masters' user data as it was before issue 8 (a `#!/bin/bash` script
 * run once by cloud-init that called `aws s3 cp`), kept verbatim so the boot
 * simulation can show it fails: a simulation that passed it would prove
 * nothing. Not used by the program.
 */
export function legacyMasterUserData(bucketName: string, region: string, key = ".env"): string {
    return `#!/bin/bash
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
`;
}
