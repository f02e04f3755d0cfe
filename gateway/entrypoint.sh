#!/bin/sh
# The gateway container's entry point: renders the template from the environment and runs nginx
# in the foreground, unprivileged, with its files under /tmp/gateway and its logs on stdout/stderr.
set -eu
prefix=/tmp/gateway
mkdir -p "$prefix/logs" "$prefix/tmp"
ln -sf /dev/stdout "$prefix/logs/access.log"
ln -sf /dev/stderr "$prefix/logs/error.log"
sh /etc/evalyo/render.sh /etc/evalyo/nginx.conf "$prefix/nginx.conf" "0.0.0.0:${GATEWAY_PORT:-8080}" \
  "key_service=${KEY_SERVICE_UPSTREAM:-key-service:8081}" "catalog=${CATALOG_UPSTREAM:-catalog:8082}" \
  "interviews=${INTERVIEWS_UPSTREAM:-interviews:8083}" "reports=${REPORTS_UPSTREAM:-reports:8084}" \
  "webhooks=${WEBHOOKS_UPSTREAM:-webhooks:8085}"
exec nginx -p "$prefix" -c "$prefix/nginx.conf" -e "$prefix/logs/error.log" -g 'daemon off;'
