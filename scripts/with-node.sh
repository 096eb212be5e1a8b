#!/usr/bin/env bash
# Runs a command with a supported Node.js first on PATH (see node-runtime.sh).
set -euo pipefail
bin=$(bash "$(dirname "$0")/node-runtime.sh")
PATH="$bin:$PATH" exec "$@"
