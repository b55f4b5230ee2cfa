#!/bin/bash
# A model of the Docker engine and Docker Compose as OpenVidu's 2.x masters use them, for
# the boot simulation (sourced by launcher.sh, run as the `docker` command). Our own code.
# What it models, from OpenVidu's 2.x compose file (openvidu-server/deployments/enterprise/
# docker-compose/docker-compose.yml, branch v2) and Docker's restart policies:
# - `compose up -d` creates the project's containers with the settings of .env baked in
#   (each container records the copy of .env it was created from);
# - `compose down` removes them; `docker ps -q --filter label=...project=openvidu` lists
#   the running ones, `docker stop` stops them;
# - at a reboot every container stops with the machine; when the daemon starts again it
#   restarts those with `restart: always` (replication-manager, metricbeat, filebeat),
#   even after a `docker stop`. The `on-failure` ones (openvidu-server, coturn) stay
#   down: whether a shutdown counts as a failure is not modelled.
# Where it stops: no images, processes, networks or logs; the restarted containers'
# own behaviour (the replication manager is closed source) is not modelled.
# State, in SIM_DOCKER_STATE: containers/<service> (policy, status), and the copy of .env
# the containers were created from (created-from.env).
readonly SIM_SERVICES="replication-manager:always openvidu-server:on-failure coturn:on-failure metricbeat:always filebeat:always"

sim_docker_event() { printf '%s %s %s %s\n' "$1" "${SIM_CALLER:-boot-script}" "${2:--}" "${3:-}" >> "${SIM_RECORDS:?}/events"; }

# Whether Docker Compose can read the env file $1: every line that is not blank or a
# comment must begin (after blanks and an optional `export `) with a key of
# [A-Za-z0-9_.-], ended by `=`, `:` or the end of the line (compose-go's dotenv parser;
# tests/hold.test.ts holds this to the real one).
compose_reads_env() {
    awk '/^[[:space:]]*(#|$)/ { next }
        { line = $0; sub(/^[[:space:]]+/, "", line); sub(/^export[[:space:]]+/, "", line); key = line; sub(/[=:].*$/, "", key); sub(/[[:space:]]+$/, "", key)
          if (key !~ /^[A-Za-z0-9_.-]+$/) bad = 1 }
        END { exit bad }' "$1"
}

sim_compose_up() {
    local service
    mkdir -p "${SIM_DOCKER_STATE:?}/containers"
    cp "$1" "${SIM_DOCKER_STATE}/created-from.env"
    for service in ${SIM_SERVICES}; do
        printf 'policy=%s\nstatus=running\n' "${service#*:}" > "${SIM_DOCKER_STATE}/containers/${service%%:*}"
    done
}

sim_compose_down() {
    rm -rf "${SIM_DOCKER_STATE:?}/containers" "${SIM_DOCKER_STATE}/created-from.env"
}

sim_running() {
    grep -l '^status=running$' "${SIM_DOCKER_STATE:?}"/containers/* 2>/dev/null | xargs -r -n 1 basename
}

sim_set_status() {
    sed -i "s/^status=.*/status=$2/" "${SIM_DOCKER_STATE:?}/containers/$1"
}

# The machine stops, then the daemon starts again: `always` containers come back. $1 is
# the .env on disk at that moment, recorded as what they may read (/opt/openvidu is mounted).
sim_daemon_restart() {
    local file restored=""
    for file in "${SIM_DOCKER_STATE:?}"/containers/*; do
        [ -f "${file}" ] || continue
        sim_set_status "$(basename "${file}")" exited
        if grep -q '^policy=always$' "${file}"; then
            sim_set_status "$(basename "${file}")" running
            restored="${restored:+${restored},}$(basename "${file}")"
        fi
    done
    if [ -n "${restored}" ]; then
        sim_docker_event restored "$1" "${restored}"
    fi
}

# The `docker` command: only what the masters' scripts call.
docker_cli() {
    local name
    case "$1 ${2:-}" in
        "ps -q")
            if [ "${3:-}" != "--filter" ] || [ "${4:-}" != "label=com.docker.compose.project=openvidu" ]; then
                echo "docker model: unsupported: $*" >&2
                return 2
            fi
            sim_running
            ;;
        stop\ *)
            shift
            for name in "$@"; do
                [ -f "${SIM_DOCKER_STATE:?}/containers/${name}" ] || { echo "Error: No such container: ${name}" >&2; return 1; }
                sim_set_status "${name}" exited
                echo "${name}"
            done
            sim_docker_event containers-stopped - "$(printf '%s,' "$@" | sed 's/,$//')"
            ;;
        *)
            echo "docker model: unsupported: $*" >&2
            return 2
            ;;
    esac
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    if [ "${1:-}" = "--daemon-restart" ]; then
        sim_daemon_restart "$2"
    else
        docker_cli "$@"
    fi
fi
