#!/usr/bin/env bash
# Makes sure a Redis answers on 127.0.0.1:6379 for the tests: starts one, installing
# Debian's redis-server first if the machine has none.
set -euo pipefail

ping_redis() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }

if command -v redis-cli >/dev/null && ping_redis; then exit 0; fi

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
if ! command -v redis-server >/dev/null; then
  echo "ensure-redis: installing redis-server"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server >/dev/null
fi
echo "ensure-redis: starting redis-server on 127.0.0.1:6379"
mkdir -p /tmp/omnihub-redis
redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no --dir /tmp/omnihub-redis --logfile /tmp/omnihub-redis/redis.log
for _ in $(seq 1 50); do ping_redis && exit 0; sleep 0.1; done
echo "ensure-redis: redis-server did not answer on 127.0.0.1:6379 (see /tmp/omnihub-redis/redis.log)" >&2
exit 1
