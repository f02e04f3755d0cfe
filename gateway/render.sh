#!/bin/sh
# Renders the gateway's nginx configuration from its template (POSIX sh, so that the gateway
# container and scripts/run share it):
#   render.sh TEMPLATE OUT LISTEN KEY_SERVICE CATALOG INTERVIEWS REPORTS   (each address host:port)
set -eu
[ $# -eq 7 ] || { echo "usage: $0 TEMPLATE OUT LISTEN KEY_SERVICE CATALOG INTERVIEWS REPORTS" >&2; exit 2; }
sed -e "s|__GATEWAY_LISTEN__|$3|g" -e "s|__KEY_SERVICE__|$4|g" -e "s|__CATALOG__|$5|g" \
  -e "s|__INTERVIEWS__|$6|g" -e "s|__REPORTS__|$7|g" "$1" > "$2"
