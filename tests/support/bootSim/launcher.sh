#!/bin/bash
# Stand-in for OpenVidu's launcher (/opt/openvidu/openvidu) in the boot simulation.
# Modelled from reference/openvidu-ami.md: `start` reads .env, refuses with Elasticsearch
# on and a password under 6 characters (read with grep | cut, as the launcher does), then
# starts the containers and follows their logs unless FOLLOW_OPENVIDU_LOGS=false.
# Instead of containers it records, in SIM_RECORDS, a copy of the .env of every start;
# following logs from a boot script (which would never return) is recorded as a failure.
# SIM_CALLER is set by the simulation: "cron" for the AMI job, anything else for cloud-init.
set -u
records="${SIM_RECORDS:?}"
caller="${SIM_CALLER:-boot-script}"
cd "$(dirname "$0")" || exit 1
event() { printf '%s %s %s\n' "$1" "${caller}" "${2:-}" >> "${records}/events"; }
case "${1:-}" in
    stop)
        event stop
        ;;
    start)
        snapshot="$(mktemp "${records}/start.XXXXXX")"
        cat .env > "${snapshot}" 2>/dev/null
        es="$(grep '^OPENVIDU_PRO_ELASTICSEARCH=' "${snapshot}" | cut -d= -f2)"
        password="$(grep '^ELASTICSEARCH_PASSWORD=' "${snapshot}" | cut -d= -f2)"
        if [ "${es}" = "true" ] && [ "${#password}" -lt 6 ]; then
            echo "Elasticsearch is enabled and ELASTICSEARCH_PASSWORD is shorter than 6 characters: not starting" >&2
            event refused "${snapshot}"
            exit 1
        fi
        if [ "${FOLLOW_OPENVIDU_LOGS:-true}" != "false" ] && [ "${caller}" != "cron" ]; then
            # The real launcher would start the containers and then never return.
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
