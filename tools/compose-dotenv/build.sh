#!/usr/bin/env bash
# Builds a small reader of env files on Docker Compose's own parser (compose-go's
# dotenv, pinned in go.mod/go.sum) for the boot simulation's tests, and prints the
# binary's path. Cached by go.sum's hash: a second run only checks.
#
#   tools/compose-dotenv/build.sh              # build if missing, print the binary
#   COMPOSE_DOTENV_CACHE=/dir build.sh         # cache elsewhere (default ~/.cache)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
key="$(cat "$here/go.mod" "$here/go.sum" "$here/main.go" | sha256sum | cut -c1-16)"
bin="${COMPOSE_DOTENV_CACHE:-$HOME/.cache/openvidu-compose-dotenv}/$key/compose-dotenv"
if [ ! -x "$bin" ]; then
    command -v go >/dev/null || { echo "Go is needed to build tools/compose-dotenv" >&2; exit 1; }
    mkdir -p "$(dirname "$bin")"
    # A name of its own, then an atomic rename: two runs building at once (two checkouts, two
    # suites) never write the same file, and a reader never sees a half-written binary.
    (cd "$here" && go build -trimpath -mod=readonly -o "$bin.tmp.$$" .)
    mv -f "$bin.tmp.$$" "$bin"
fi
echo "$bin"
