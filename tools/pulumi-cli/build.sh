#!/usr/bin/env bash
# Builds the Pulumi CLI from its Go module, at the version of the pinned
# @pulumi/pulumi, for the real-engine tests (tests/engine/). Prints the
# directory to put first on PATH. Cached: a second run only checks.
#
#   tools/pulumi-cli/build.sh            # build if missing, print the bin dir
#   PULUMI_CLI_CACHE=/some/dir build.sh  # cache elsewhere (default ~/.cache)
#
# Why a wrapper module: `go install github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@v`
# is refused because pkg/v3's go.mod carries replace directives. This folder's
# go.mod requires pkg/v3 and sdk/v3 at the same version and repeats the
# replace that points at another module; go.sum pins every checksum.
#
# The Node.js language host (pulumi-language-nodejs) is not served by the Go
# module proxy, so it is not built: most tests run programs inline through the
# Automation API, whose SDK serves the language runtime itself, and
# tests/engine/cliPath.test.ts puts a stand-in host (tests/support/languageHost/)
# beside a link to this CLI in a directory of its own. The two Node
# launchers the CLI looks for on PATH (dynamic providers, policy packs) are
# small scripts in shims/, copied beside the binary.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

# The version the program's SDK is pinned at (package.json) is the one to build.
version="v$(node -p "require('$root/package.json').dependencies['@pulumi/pulumi']")"
if ! grep -q "github.com/pulumi/pulumi/pkg/v3 $version" "$here/go.mod"; then
    echo "tools/pulumi-cli/go.mod does not require pkg/v3 $version (package.json's @pulumi/pulumi);" >&2
    echo "run: cd tools/pulumi-cli && go get github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@$version github.com/pulumi/pulumi/sdk/v3@$version" >&2
    exit 1
fi

cache="${PULUMI_CLI_CACHE:-$HOME/.cache/openvidu-pulumi-cli}/$version"
bin="$cache/bin"
mkdir -p "$bin"
# One build at a time per cache: a second run (another test process, another checkout)
# waits for the first and then finds the binary, instead of writing the same file.
exec 9>"$cache/.build.lock"
if ! flock -w 1800 9; then
    echo "another build of the Pulumi CLI in $cache has held its lock for 30 minutes; giving up" >&2
    exit 1
fi
if [ ! -x "$bin/pulumi" ] || [ "$("$bin/pulumi" version 2>/dev/null)" != "$version" ]; then
    command -v go >/dev/null || { echo "Go is needed to build the Pulumi CLI (go 1.25 or newer)" >&2; exit 1; }
    started=$(date +%s)
    echo "Building the Pulumi CLI $version (first time only; a few minutes)..." >&2
    (cd "$here" && go build -trimpath -mod=readonly \
        -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version" \
        -o "$bin/pulumi.tmp" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
    mv "$bin/pulumi.tmp" "$bin/pulumi"
    echo "Built in $(( $(date +%s) - started )) s: $bin/pulumi" >&2
fi
for shim in "$here"/shims/*; do
    install -m 0755 "$shim" "$bin/$(basename "$shim")"
done
echo "$bin"
