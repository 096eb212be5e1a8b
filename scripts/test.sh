#!/usr/bin/env bash
# The whole test suite: the services it needs, a build (process tests run bin/omnihub.js),
# a strict typecheck of sources and tests, then tap. Extra arguments go to tap.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-redis.sh
bash scripts/ensure-dovecot.sh
bash scripts/ensure-chromium.sh
npm run --silent build
npm run --silent typecheck
npx tap "$@"
