#!/usr/bin/env bash
# The whole test suite: the services it needs, a build (process tests run bin/omnihub.js),
# a strict typecheck of sources and tests, then tap, on a supported Node.js (OMNIHUB_NODE=22 or 24
# picks the line; see node-runtime.sh). Extra arguments go to tap.
set -euo pipefail
cd "$(dirname "$0")/.."
PATH="$(bash scripts/node-runtime.sh):$PATH"
echo "test: Node.js $(node --version)"
bash scripts/ensure-redis.sh
bash scripts/ensure-dovecot.sh
bash scripts/ensure-chromium.sh
npm run --silent build
npm run --silent typecheck
npx tap "$@"
