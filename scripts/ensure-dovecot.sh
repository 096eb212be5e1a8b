#!/usr/bin/env bash
# The email tests run a throwaway Dovecot IMAP server (test/helpers/mail.ts); this installs
# Debian's dovecot-imapd when the machine has none. The system service is not started.
set -euo pipefail
if command -v dovecot >/dev/null; then exit 0; fi
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
echo "ensure-dovecot: installing dovecot-imapd"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq dovecot-imapd >/dev/null
