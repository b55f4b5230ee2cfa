#!/bin/bash
# Stand-in for OpenVidu's launcher (/opt/openvidu/openvidu) in the boot simulation, with
# Docker Compose's part of it. Modelled on OpenVidu's 2.x launcher (openvidu-server/
# deployments/enterprise/docker-compose/openvidu, branch v2; the same checks since 2.26),
# in our own words:
# - a setting is read as the launcher reads it: the lines that are not comments and
#   contain the key's text anywhere, each cut at `=` (its second field), joined;
# - `start` with OPENVIDU_PRO_ELASTICSEARCH empty (or absent) or `true` is Elasticsearch
#   on, and then refuses unless the ELASTICSEARCH_USER... and ELASTICSEARCH_PASSWORD
#   settings are both non-empty and the password has at least 6 characters;
# - then `docker compose up -d`, which reads .env first and creates nothing when a line
#   is not a setting: a key with a space or another character outside [A-Za-z0-9_.-]
#   (compose-go's dotenv parser, checked on v1.2 to v2.9; tests/support/composeDotenv.ts
#   runs the real one). `stop` is `docker compose down`: it needs that read too.
# - `start` follows the containers' logs unless FOLLOW_OPENVIDU_LOGS=false.
# Containers are modelled by docker.sh (sim_compose_up / sim_compose_down). Every
# start is recorded in SIM_RECORDS with a copy of .env; following logs from a boot
# script (which would never return) is recorded as a failure.
# SIM_CALLER is set by the simulation: "cron" for the AMI job, anything else for cloud-init.
set -u
records="${SIM_RECORDS:?}"
caller="${SIM_CALLER:-boot-script}"
cd "$(dirname "$0")" || exit 1
# shellcheck source-path=SCRIPTDIR source=docker.sh
. "${SIM_DOCKER_MODEL:?}"
event() { printf '%s %s %s %s\n' "$1" "${caller}" "${2:--}" "${3:-}" >> "${records}/events"; }

# The launcher's way of reading a setting (grep | cut), in awk.
setting() {
    awk -v key="$1" 'substr($0, 1, 1) != "#" && index($0, key) {
        value = split($0, f, "=") > 1 ? f[2] : $0; out = out sep value; sep = "\n" } END { printf "%s", out }' "$2"
}

# Why the launcher refuses to start on $1, or nothing (it starts).
launcher_refusal() {
    local es user password
    es="$(setting OPENVIDU_PRO_ELASTICSEARCH= "$1")"
    if [ -z "${es}" ] || [ "${es}" = "true" ]; then
        user="$(setting ELASTICSEARCH_USER "$1")"
        password="$(setting ELASTICSEARCH_PASSWORD "$1")"
        if [ -z "${user}" ] || [ -z "${password}" ]; then
            echo elasticsearch-user-or-password-empty
        elif [ "${#password}" -lt 6 ]; then
            echo elasticsearch-password-too-short
        fi
    fi
}

case "${1:-}" in
    stop)
        if ! compose_reads_env .env; then
            echo "docker compose down: failed to read .env (a line is not KEY=value)" >&2
            event stop-failed - compose-cannot-read-env
            exit 1
        fi
        sim_compose_down
        event stop
        ;;
    start)
        snapshot="$(mktemp "${records}/start.XXXXXX")"
        cat .env > "${snapshot}" 2>/dev/null
        reason="$(launcher_refusal "${snapshot}")"
        if [ -z "${reason}" ] && ! compose_reads_env "${snapshot}"; then
            reason=compose-cannot-read-env
        fi
        if [ -n "${reason}" ]; then
            echo "not starting: ${reason}" >&2
            event refused "${snapshot}" "${reason}"
            exit 1
        fi
        sim_compose_up "${snapshot}"
        if [ "${FOLLOW_OPENVIDU_LOGS:-true}" != "false" ] && [ "${caller}" != "cron" ]; then
            # The real launcher would now follow the logs and never return.
            event followed-logs "${snapshot}"
            echo "following the containers' logs forever (FOLLOW_OPENVIDU_LOGS is not false)" >&2
            exit 124
        fi
        event start "${snapshot}"
        ;;
    *)
        echo "usage: openvidu start|stop" >&2
        exit 2
        ;;
esac
