#!/bin/sh
# Renders the gateway's nginx configuration from its template (POSIX sh, so that the gateway
# container and scripts/run share it), with the files it includes copied beside it:
#   render.sh TEMPLATE OUT LISTEN KEY_SERVICE CATALOG INTERVIEWS REPORTS   (each address host:port)
# HTTPS when GATEWAY_TLS_CERT and GATEWAY_TLS_KEY name a certificate and its key (PEM files):
#   GATEWAY_TLS_LISTEN  the HTTPS address (host:port; required then)
#   GATEWAY_HTTPS_PORT  the port clients reach HTTPS on, for redirects (default: GATEWAY_TLS_LISTEN's)
# LISTEN then serves /healthz and redirects everything else to HTTPS.
set -eu
[ $# -eq 7 ] || { echo "usage: $0 TEMPLATE OUT LISTEN KEY_SERVICE CATALOG INTERVIEWS REPORTS" >&2; exit 2; }
template_dir=$(dirname "$1")
out_dir=$(dirname "$2")
if [ -n "${GATEWAY_TLS_CERT:-}" ] || [ -n "${GATEWAY_TLS_KEY:-}" ]; then
  for file in "${GATEWAY_TLS_CERT:-}" "${GATEWAY_TLS_KEY:-}"; do
    [ -r "$file" ] || { echo "$0: GATEWAY_TLS_CERT and GATEWAY_TLS_KEY must both name readable files (got '$file')" >&2; exit 2; }
  done
  [ -n "${GATEWAY_TLS_LISTEN:-}" ] || { echo "$0: GATEWAY_TLS_LISTEN (host:port) is required with a certificate" >&2; exit 2; }
  https_port=${GATEWAY_HTTPS_PORT:-${GATEWAY_TLS_LISTEN##*:}}
  suffix=":$https_port"
  [ "$https_port" = 443 ] && suffix=""
  keep='s/^\( *\)#tls /\1/'
  drop='/^ *#plain /d'
else
  keep='s/^\( *\)#plain /\1/'
  drop='/^ *#tls /d'
  suffix=""
fi
sed -e "$drop" -e "$keep" -e "s|__GATEWAY_LISTEN__|$3|g" -e "s|__KEY_SERVICE__|$4|g" -e "s|__CATALOG__|$5|g" \
  -e "s|__INTERVIEWS__|$6|g" -e "s|__REPORTS__|$7|g" -e "s|__GATEWAY_TLS_LISTEN__|${GATEWAY_TLS_LISTEN:-}|g" \
  -e "s|__GATEWAY_TLS_CERT__|${GATEWAY_TLS_CERT:-}|g" -e "s|__GATEWAY_TLS_KEY__|${GATEWAY_TLS_KEY:-}|g" \
  -e "s|__GATEWAY_HTTPS_PORT_SUFFIX__|$suffix|g" "$1" > "$2"
if [ "$(cd "$template_dir" && pwd)" != "$(cd "$out_dir" && pwd)" ]; then
  cp "$template_dir/api.conf" "$template_dir/errors.conf" "$template_dir/routes.conf" "$template_dir/allow.conf" "$out_dir/"
fi
