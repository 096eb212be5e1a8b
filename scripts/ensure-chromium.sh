#!/usr/bin/env bash
# The widget's browser tests drive Debian's Chromium with playwright-core (never a downloaded
# browser); this installs the package when the machine has none.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
echo "ensure-chromium: installing chromium"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
