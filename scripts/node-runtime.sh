#!/usr/bin/env bash
# Prints the folder of a supported Node.js (22 or 24, the LTS lines) for npm start and npm test.
# The machine's own node when it is one (or when OMNIHUB_NODE names its major); otherwise the
# npm registry's `node` package of that line (OMNIHUB_NODE, default 24), kept in .runtime/.
set -euo pipefail
cd "$(dirname "$0")/.."
have=$(node -p 'process.versions.node.split(".")[0]')
want="${OMNIHUB_NODE:-}"
if [ -z "$want" ] && [ "$have" -ge 22 ]; then dirname "$(command -v node)"; exit 0; fi
want="${want:-24}"
case "$want" in 22|24) ;; *) echo "node-runtime: OMNIHUB_NODE=$want is not a supported line; use 22 or 24." >&2; exit 1 ;; esac
if [ "$have" = "$want" ]; then dirname "$(command -v node)"; exit 0; fi
dir=".runtime/node-$want"
if [ ! -x "$dir/node_modules/node/bin/node" ]; then
  echo "node-runtime: Node.js $have is not supported; installing Node.js $want from the npm registry into $dir" >&2
  mkdir -p "$dir"
  # The package's preinstall fetches the platform's runtime package; npm runs it only when allowed here.
  printf '{ "name": "omnihub-runtime", "private": true, "allowScripts": { "node": true } }\n' > "$dir/package.json"
  npm install --prefix "$dir" --no-save --no-package-lock --no-audit --no-fund --loglevel=error "node@$want" >&2
fi
echo "$PWD/$dir/node_modules/node/bin"
