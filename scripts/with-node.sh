#!/usr/bin/env bash
# Runs a command on another maintained Node.js line: `scripts/with-node.sh 22 vitest run --project unit`.
# The binary comes from the npm registry's `node` package (devDependency alias node<line>), so a machine whose
# own Node is another line (or end-of-life) still proves the project on each line it supports.
set -euo pipefail
line="$1"
shift
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$root/node_modules/node$line/bin"
if [ ! -x "$bin/node" ]; then
  echo "with-node: $bin/node is missing; run npm ci (it installs the devDependency node$line from the npm registry)" >&2
  exit 1
fi
got="$("$bin/node" --version)"
case "$got" in
  "v$line."*) ;;
  *) echo "with-node: $bin/node is $got, expected Node $line" >&2; exit 1 ;;
esac
echo "with-node: running on Node $got: $*"
PATH="$bin:$PATH" exec "$@"
