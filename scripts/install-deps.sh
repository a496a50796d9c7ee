#!/usr/bin/env bash
# Installs what the tests and the demo need on Debian or Ubuntu when it is
# missing: clickhouse-server and clickhouse-client (Debian's package is the
# version the tests run against). Runs apt-get through sudo when not root.
set -euo pipefail

need=()
command -v clickhouse-server >/dev/null 2>&1 || [ -x /usr/sbin/clickhouse-server ] || need+=(clickhouse-server)
command -v clickhouse-client >/dev/null 2>&1 || need+=(clickhouse-client)
for extra in "$@"; do
	command -v "$extra" >/dev/null 2>&1 || [ -x "/usr/bin/$extra" ] || need+=("$extra")
done
[ ${#need[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
	echo "install-deps: missing ${need[*]} and no apt-get here; install them with your package manager" >&2
	exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null 2>&1 || { echo "install-deps: need root or sudo to install ${need[*]}" >&2; exit 1; }
	sudo="sudo"
fi
echo "install-deps: installing ${need[*]} with apt-get" >&2
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
