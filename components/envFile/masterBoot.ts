/**
 * The masters' user data: a `#cloud-config` that makes OpenVidu's own master
 * AMI start only on the cluster's `.env` from S3, whatever the order of the
 * AMI's `@reboot` job and cloud-init, on the first boot and on every reboot.
 *
 * - `bootcmd` (every boot, in cloud-init's network stage, before cron and so
 *   before the AMI's job) is local and quick: it creates the AMI's first-run
 *   marker, so the AMI job never edits `.env`, and puts a placeholder `.env`
 *   in place on which `./openvidu start` refuses to start (Elasticsearch on
 *   without a password). OpenVidu is *held*.
 * - `write_files` installs the boot script as a cloud-init per-boot script
 *   (final stage, every boot) and the SigV4 signer it uses (awsSigV4.ts). It
 *   fetches the bucket's `.env` with a GET signed in python3's standard
 *   library (any curl: 7.68 on the oldest 2.x AMIs cannot sign the session
 *   token) and the instance role's credentials from IMDSv2, checks it,
 *   adds `AWS_INSTANCE_ID`, swaps it in atomically and starts OpenVidu with
 *   `FOLLOW_OPENVIDU_LOGS=false`. On failure it leaves the placeholder: nothing
 *   starts, the target stays unhealthy and the Auto Scaling group replaces it.
 *
 * The AMI job's `./openvidu stop; ./openvidu start` (from cron, every boot)
 * therefore either refuses (placeholder) or restarts on the verified file.
 * Every step is bounded by models/bootTimeline.ts, and every log line also
 * goes to the serial console, which outlives the instance. No secret is in
 * here. See docs/env-file.md, "Boot sequence".
 */
import { BOOT_TIMELINE, LOGS_CALLS } from "../../models/bootTimeline";
import { AWS_SIGV4_PATH } from "./awsSigV4";
import { AWS_SIGV4_GZIP_BASE64 } from "./awsSigV4Blob";

const BUDGET = BOOT_TIMELINE.budget;

/** Where things are on the master AMI, and the boot's bounds. */
export const MASTER_BOOT = {
    openviduDir: "/opt/openvidu",
    /** The AMI job edits `.env` only when this marker is absent (its first boot). */
    amiFirstRunMarker: "/var/lib/openvidu/.openvidu-first-run",
    bootLog: "/var/log/openvidu-boot.log",
    /** A cloud-init per-boot script: run in the final stage of every boot. */
    bootScriptPath: "/var/lib/cloud/scripts/per-boot/openvidu-config.sh",
    /** Read by `aws ec2 get-console-output` (the serial console), also after the instance is gone. */
    console: "/dev/console",
    /** The SigV4 signer (Python 3.8 standard library), written by cloud-init. */
    signerPath: AWS_SIGV4_PATH,
    /** The bounds of models/bootTimeline.ts: the group waits for exactly this. */
    attempts: BUDGET.attempts,
    retrySeconds: BUDGET.retryDelaySeconds,
    imdsTimeoutSeconds: BUDGET.imdsTimeoutSeconds,
    s3TimeoutSeconds: BUDGET.s3TimeoutSeconds,
    stopTimeoutSeconds: BUDGET.stopTimeoutSeconds,
    /** `./openvidu start` returns once the containers are up; this bounds a hang. */
    startTimeoutSeconds: BUDGET.startTimeoutSeconds,
    tagTimeoutSeconds: BUDGET.tagTimeoutSeconds,
    logsTimeoutSeconds: BUDGET.logsTimeoutSeconds,
} as const;

/** Keys the fetched file must have, non-empty, before OpenVidu may start on it. */
export const REQUIRED_KEYS = ["DOMAIN_OR_PUBLIC_IP", "OPENVIDU_PRO_LICENSE", "OPENVIDU_SECRET", "RM_S3_CONFIGURATION_BUCKET"] as const;

export interface MasterBootTarget {
    bucket: string;
    /** Object key of the `.env`. @default ".env" */
    key: string;
    /** The bucket's (and stack's) region. */
    region: string;
    /** The cluster's CloudWatch Logs group for the boot's lines (components/bootLogs.ts); one stream per instance id. */
    logGroup: string;
}

/**
 * The S3 URL the masters read when `AWS_ENDPOINT_URL_S3` is unset: the
 * regional virtual-hosted endpoint, or path style for a bucket name with
 * dots (its TLS certificate would not match `a.b.s3...`).
 */
export function defaultObjectUrl(target: MasterBootTarget): string {
    const domain = target.region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
    const key = encodeURI(target.key);
    return target.bucket.includes(".")
        ? `https://s3.${target.region}.${domain}/${target.bucket}/${key}`
        : `https://${target.bucket}.s3.${target.region}.${domain}/${key}`;
}

/** A service's regional endpoint (EC2 for the outcome tag, CloudWatch Logs for the lines) when its `AWS_ENDPOINT_URL_*` is unset. */
export function defaultServiceUrl(service: "ec2" | "logs", region: string): string {
    return `https://${service}.${region}.${region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com"}/`;
}

/** The instance tag that records the boot's outcome (`ok` or `failed`); the masters' role may tag its own instances. */
export const BOOT_OUTCOME_TAG = "openvidu:boot";

/**
 * The placeholder `.env` that holds OpenVidu, with two locks, each enough on
 * its own (OpenVidu's 2.x files cited in docs/env-file.md, "The hold"):
 * - the launcher's: `OPENVIDU_PRO_ELASTICSEARCH` empty reads as Elasticsearch
 *   on, and with no Elasticsearch user or password line `./openvidu start`
 *   refuses (2.26+). The AMI's first-run edits cannot lift it: they rewrite
 *   only `...=true` to `false` and fill only lines that are absent here;
 * - Docker Compose's: the last line is not `KEY=value` (a key with spaces), so
 *   compose refuses to read the file and creates no container, whatever the
 *   launcher (older ones check nothing) or an edit made of Elasticsearch.
 * Holds no secret and no configuration: persisted anywhere, nothing starts on it.
 */
export const HOLD_ENV = [
    "# OpenVidu is held: this placeholder stands until the boot script has fetched and checked",
    `# the cluster .env from S3 (see ${MASTER_BOOT.bootLog}). ./openvidu start refuses to start on it.`,
    "OPENVIDU_PRO_ELASTICSEARCH=",
    "OPENVIDU IS HELD BY A PLACEHOLDER",
];

/**
 * One placeholder line as a quoted `printf` argument. A setting is written
 * `'KEY''=value'`: the AMI job greps `KEY=` out of the user data (its pipe
 * format), and must find none of its keys in ours, so every value it inserts is empty.
 */
const holdLineArgument = (line: string): string => {
    const setting = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    return setting ? `'${setting[1]}''=${setting[2]}'` : `'${line}'`;
};

/** `bootcmd`: POSIX sh, local only (no network), every boot before cron. */
export function holdCommand(): string {
    const { openviduDir, amiFirstRunMarker, bootLog } = MASTER_BOOT;
    const markerDir = amiFirstRunMarker.slice(0, amiFirstRunMarker.lastIndexOf("/"));
    return `set -e
# Before cron and Docker: the AMI's @reboot job must find its first-run marker (so it
# never edits .env), and the AMI job and the containers Docker restarts must find a
# .env nothing can start on.
mkdir -p ${markerDir} ${openviduDir}
touch ${amiFirstRunMarker}
umask 077
printf '%s\\n' ${HOLD_ENV.map(holdLineArgument).join(" \\\n    ")} > ${openviduDir}/.env.hold
mv -f ${openviduDir}/.env.hold ${openviduDir}/.env
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) openvidu-boot: held OpenVidu (placeholder .env) until the cluster's .env is fetched" >> ${bootLog}
`;
}

/** Docker Compose's project name for /opt/openvidu: its containers carry it as a label. */
export const COMPOSE_PROJECT = MASTER_BOOT.openviduDir.slice(MASTER_BOOT.openviduDir.lastIndexOf("/") + 1);

/**
 * Boot-script step, before the fetch: on a reboot Docker's restart policy has
 * brought back the last boot's containers (replication-manager, which answers
 * the health check and writes to S3, included) while the placeholder is in
 * place. Stop them by compose's label: compose itself cannot read the placeholder.
 */
export function stopRestartedContainers(): string {
    return `# Docker may have restarted the last boot's containers (restart policy) on the placeholder.
if running="$(docker ps -q --filter 'label=com.docker.compose.project=${COMPOSE_PROJECT}' 2>> "\${BOOT_LOG}")"; then
    if [ -n "\${running}" ]; then
        log "stopping $(printf '%s\\n' "\${running}" | wc -l) container(s) Docker restarted from the last boot"
        printf '%s\\n' "\${running}" | xargs docker stop >> "\${BOOT_LOG}" 2>&1 || log "docker stop failed"
    fi
else
    log "docker ps failed: cannot check for containers restarted from the last boot"
fi`;
}

/**
 * Checks the downloaded file and writes the file OpenVidu starts with: the
 * bucket's lines, minus any AWS_INSTANCE_ID (a master's /restart may have
 * persisted its own), plus this instance's. Messages name keys, never values.
 */
const CHECK_AND_COMPOSE_PY = String.raw`import os, re, sys
src, dst, instance_id, bucket, required = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5].split(",")
problems = []
try:
    text = open(src, "rb").read().decode("utf-8")
except UnicodeDecodeError:
    sys.exit("it is not UTF-8 text")
if "\r" in text:
    sys.exit("it has CR (Windows) line ends, which the launcher (grep | cut) would keep in values")
lines = text.split("\n")
if lines and lines[-1] == "":
    lines.pop()
kept, seen, values = [], {}, {}
for number, line in enumerate(lines, 1):
    if line.strip() == "" or line.lstrip().startswith("#"):
        kept.append(line)
        continue
    match = re.match(r"([A-Za-z_][A-Za-z0-9_]*)=(.*)$", line)
    if not match:
        problems.append("line %d is not KEY=value" % number)
        continue
    key = match.group(1)
    if key == "AWS_INSTANCE_ID":
        continue
    if key in seen:
        problems.append("%s appears twice (lines %d and %d)" % (key, seen[key], number))
    seen[key] = number
    values[key] = match.group(2)
    kept.append(line)
for key in required:
    if not values.get(key):
        problems.append("%s is missing or empty" % key)
if values.get("RM_S3_CONFIGURATION_BUCKET", bucket) != bucket:
    problems.append("RM_S3_CONFIGURATION_BUCKET names another bucket")
if problems:
    sys.exit("; ".join(problems))
kept.append("AWS_INSTANCE_ID=" + instance_id)
fd = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
with os.fdopen(fd, "w") as out:
    out.write("\n".join(kept) + "\n")
    out.flush()
    os.fsync(out.fileno())
print(len(values) + 1)`;


/** The per-boot script (bash): fetch, check, install, start. */
export function bootScript(target: MasterBootTarget): string {
    const b = MASTER_BOOT;
    return `#!/bin/bash
# OpenVidu Enterprise HA master: installs the cluster's .env from S3 and starts
# OpenVidu, on every boot (cloud-init per-boot script, after bootcmd held it).
# Carries no secret: the instance role reads the bucket. Rendered by the Pulumi program.
set -uo pipefail

readonly CONFIG_BUCKET='${target.bucket}'
readonly CONFIG_KEY='${target.key}'
readonly CONFIG_REGION='${target.region}'
readonly DEFAULT_OBJECT_URL='${defaultObjectUrl(target)}'
readonly DEFAULT_EC2_URL='${defaultServiceUrl("ec2", target.region)}'
readonly OPENVIDU_DIR=${b.openviduDir}
readonly BOOT_LOG=${b.bootLog}
readonly ATTEMPTS=${b.attempts}
readonly RETRY_SECONDS=${b.retrySeconds}
readonly REQUIRED_KEYS='${REQUIRED_KEYS.join(",")}'
readonly SIGNER=${b.signerPath}
readonly CONSOLE=${b.console}

# The standard variables, for tests and unusual networks; unset on a real master.
imds="\${AWS_EC2_METADATA_SERVICE_ENDPOINT:-http://169.254.169.254}"
imds="\${imds%/}"
if [ -n "\${AWS_ENDPOINT_URL_S3:-}" ]; then
    object_url="\${AWS_ENDPOINT_URL_S3%/}/\${CONFIG_BUCKET}/\${CONFIG_KEY}"
else
    object_url="\${DEFAULT_OBJECT_URL}"
fi
ec2_url="\${AWS_ENDPOINT_URL_EC2:-\${DEFAULT_EC2_URL}}"

log() {
    local line
    line="$(date -u +%Y-%m-%dT%H:%M:%SZ) openvidu-boot: $*"
    printf '%s\\n' "\${line}" >> "\${BOOT_LOG}"
    printf '%s\\n' "\${line}" >&2
    # The serial console (aws ec2 get-console-output) outlives a replaced instance; never fatal.
    { printf '%s\\n' "\${line}" >> "\${CONSOLE}"; } 2> /dev/null || true
    [ -z "\${batch:-}" ] || printf '%s %s\\n' "$(date +%s%3N)" "\${line}" >> "\${batch}"
}
batch="$(mktemp)"
fail() {
    log "FAILED: $* -- OpenVidu stays stopped (fail closed); the load balancer marks this master unhealthy"
    tag_outcome failed
    send_logs
    exit 1
}

# Best effort, never fatal: tags this instance ${BOOT_OUTCOME_TAG}=ok|failed (ec2:CreateTags, signed like the GET).
tag_outcome() {
    local answer status code
    if [ -z "\${instance_id:-}" ] || [ -z "\${credentials:-}" ]; then
        log "not tagged ${BOOT_OUTCOME_TAG}=$1: no instance id or role credentials"
        return 0
    fi
    answer="$(mktemp)" || return 0
    status="$(printf '%s' "\${credentials}" | timeout ${b.tagTimeoutSeconds} python3 "\${SIGNER}" --service ec2 \\
        --region "\${CONFIG_REGION}" --method POST --header 'Content-Type: application/x-www-form-urlencoded; charset=utf-8' \\
        --data "Action=CreateTags&ResourceId.1=\${instance_id}&Tag.1.Key=${encodeURIComponent(BOOT_OUTCOME_TAG)}&Tag.1.Value=$1&Version=2016-11-15" \\
        --timeout ${b.tagTimeoutSeconds} --output "\${answer}" "\${ec2_url}" 2>> "\${BOOT_LOG}")"
    code="$(sed -n 's:.*<Code>\\([A-Za-z.]*\\)</Code>.*:\\1:p' "\${answer}" 2>/dev/null | head -n 1)"
    rm -f "\${answer}"
    if [ "\${status}" = "200" ]; then
        log "tagged this instance ${BOOT_OUTCOME_TAG}=$1"
    else
        log "could not tag this instance ${BOOT_OUTCOME_TAG}=$1: HTTP \${status:-000}\${code:+ (\${code})} (ignored)"
    fi
}

# Best effort, never fatal: this boot's lines (batch) to the stream named by the instance id.
send_logs() {
    local lines="\${batch}" status
    batch=""
    if [ -s "\${lines}" ] && [ -n "\${credentials:-}" ]; then
        status="$(printf '%s' "\${credentials}" | timeout ${LOGS_CALLS * b.logsTimeoutSeconds} python3 "\${SIGNER}" --service logs --region "\${CONFIG_REGION}" \\
            --timeout ${b.logsTimeoutSeconds} --log-events '${target.logGroup}' "\${instance_id}" "\${lines}" \\
            --output /dev/null "\${AWS_ENDPOINT_URL_CLOUDWATCH_LOGS:-${defaultServiceUrl("logs", target.region)}}" 2>> "\${BOOT_LOG}")"
        if [ "\${status}" = 200 ]; then log "sent this boot's lines to CloudWatch Logs"
        else log "CloudWatch Logs: HTTP \${status:-000} (ignored)"; fi
    fi
    rm -f "\${lines}"
}

imds_token=""
imds_get() {
    curl -fsS --max-time ${b.imdsTimeoutSeconds} -H "X-aws-ec2-metadata-token: \${imds_token}" "\${imds}/latest/$1"
}

# One attempt: IMDSv2 token, role credentials, signed GET. Leaves the body in $1; 0 on HTTP 200.
fetch_once() {
    local role status code
    imds_token="$(curl -fsS --max-time ${b.imdsTimeoutSeconds} -X PUT "\${imds}/latest/api/token" \\
        -H 'X-aws-ec2-metadata-token-ttl-seconds: 21600')" || { log "IMDSv2 token: no answer from \${imds}"; return 1; }
    if [ -z "\${instance_id:-}" ]; then
        instance_id="$(imds_get meta-data/instance-id)" || { log "IMDS: no instance id"; return 1; }
    fi
    role="$(imds_get meta-data/iam/security-credentials/ | head -n 1)"
    [ -n "\${role}" ] || { log "IMDS: no instance role credentials (instance profile missing?)"; return 1; }
    credentials="$(imds_get "meta-data/iam/security-credentials/\${role}")" || { log "IMDS: no credentials for role \${role}"; return 1; }
    # Signed in python3, whatever curl's version; the credentials reach it on stdin, never on a command line.
    status="$(printf '%s' "\${credentials}" | timeout ${b.s3TimeoutSeconds} python3 "\${SIGNER}" --service s3 \\
        --region "\${CONFIG_REGION}" --timeout ${b.s3TimeoutSeconds} --output "$1" "\${object_url}" 2>> "\${BOOT_LOG}")"
    if [ "\${status}" = "200" ]; then
        return 0
    fi
    code="$(sed -n 's:.*<Code>\\([A-Za-z]*\\)</Code>.*:\\1:p' "$1" 2>/dev/null | head -n 1)"
    if [ "\${status:-000}" = "000" ]; then
        log "GET \${object_url}: no answer from S3"
    else
        log "GET \${object_url}: HTTP \${status}\${code:+ (\${code})}"
    fi
    rm -f "$1"
    return 1
}

${stopRestartedContainers()}
log "fetching s3://\${CONFIG_BUCKET}/\${CONFIG_KEY} (\${object_url}); IMDS \${imds}"
umask 077
cd "\${OPENVIDU_DIR}" || fail "\${OPENVIDU_DIR} does not exist"
download="$(mktemp "\${OPENVIDU_DIR}/.env.download.XXXXXX")" || fail "cannot create a file in \${OPENVIDU_DIR}"
verified="$(mktemp "\${OPENVIDU_DIR}/.env.verified.XXXXXX")" || fail "cannot create a file in \${OPENVIDU_DIR}"
trap 'rm -f "\${download}" "\${verified}"' EXIT
instance_id=""
credentials=""
fetched=""
for attempt in $(seq 1 "\${ATTEMPTS}"); do
    if fetch_once "\${download}"; then
        fetched=yes
        break
    fi
    if [ "\${attempt}" -lt "\${ATTEMPTS}" ]; then
        log "attempt \${attempt}/\${ATTEMPTS} failed; retrying in \${RETRY_SECONDS} s"
        sleep "\${RETRY_SECONDS}"
    fi
done
[ -n "\${fetched}" ] || fail "could not read s3://\${CONFIG_BUCKET}/\${CONFIG_KEY} after \${ATTEMPTS} attempts"

if ! keys="$(python3 -c '${CHECK_AND_COMPOSE_PY}' "\${download}" "\${verified}" "\${instance_id}" "\${CONFIG_BUCKET}" "\${REQUIRED_KEYS}" 2>&1)"; then
    fail "s3://\${CONFIG_BUCKET}/\${CONFIG_KEY} is not a usable .env: \${keys}"
fi
mv -f "\${verified}" "\${OPENVIDU_DIR}/.env" || fail "cannot install \${OPENVIDU_DIR}/.env"
log "installed the cluster's .env (\${keys} keys, AWS_INSTANCE_ID=\${instance_id}); restarting OpenVidu"

# Never follow the logs from a boot script: that would never return.
export FOLLOW_OPENVIDU_LOGS=false
timeout ${b.stopTimeoutSeconds} ./openvidu stop >> "\${BOOT_LOG}" 2>&1 || log "./openvidu stop failed (ignored: nothing may have been running)"
if timeout ${b.startTimeoutSeconds} ./openvidu start >> "\${BOOT_LOG}" 2>&1; then
    log "OpenVidu started"
    tag_outcome ok
    send_logs
else
    fail "./openvidu start failed (exit $?)"
fi
`;
}

const indent = (text: string, spaces: number): string =>
    text.trimEnd().split("\n").map((line) => (line === "" ? "" : " ".repeat(spaces) + line)).join("\n");

/** The whole user data: `#cloud-config` with the hold (`bootcmd`) and the per-boot script (`write_files`). */
export function renderMasterUserData(target: MasterBootTarget): string {
    return `#cloud-config
# OpenVidu Enterprise HA master node (rendered by the Pulumi program). Carries no
# secret: the configuration, secrets included, is read from the cluster's bucket
# with the instance role. Boot log: ${MASTER_BOOT.bootLog}. See docs/env-file.md.
bootcmd:
  - |
${indent(holdCommand(), 4)}
write_files:
  - path: ${MASTER_BOOT.signerPath}
    owner: root:root
    permissions: "0644"
    encoding: gz+b64
    content: ${AWS_SIGV4_GZIP_BASE64}
  - path: ${MASTER_BOOT.bootScriptPath}
    owner: root:root
    permissions: "0755"
    content: |
${indent(bootScript(target), 6)}
`;
}
