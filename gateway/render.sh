#!/bin/sh
# Renders the gateway's nginx configuration from its template (POSIX sh, so that the gateway
# container and scripts/run share it), with the files it includes copied beside it:
#   render.sh TEMPLATE OUT LISTEN NAME=host:port...
# each NAME=host:port an upstream the routes name (key_service, catalog, interviews, reports: a new
# service is one more argument, and its name in gateway_routes.py's routes).
# HTTPS when GATEWAY_TLS_CERT and GATEWAY_TLS_KEY name a certificate and its key (PEM files):
#   GATEWAY_TLS_LISTEN  the HTTPS address (host:port; required then)
#   GATEWAY_HTTPS_PORT  the port clients reach HTTPS on, for redirects (default: GATEWAY_TLS_LISTEN's)
# LISTEN then serves /healthz and redirects everything else to HTTPS.
set -eu
[ $# -ge 4 ] || { echo "usage: $0 TEMPLATE OUT LISTEN NAME=host:port..." >&2; exit 2; }
template=$1
out=$2
listen=$3
shift 3
template_dir=$(dirname "$template")
out_dir=$(dirname "$out")
upstreams=$(mktemp)
trap 'rm -f "$upstreams"' EXIT
for pair in "$@"; do
  name=${pair%%=*}
  address=${pair#*=}
  case $name in
    ''|*[!a-z_]*) echo "$0: an upstream is NAME=host:port with a name of lower-case letters and _ (got '$pair')" >&2; exit 2 ;;
  esac
  [ "$address" != "$pair" ] && [ -n "$address" ] || { echo "$0: no address in '$pair'" >&2; exit 2; }
  printf '    upstream %s {\n        server %s;\n        keepalive 32;\n        keepalive_timeout 60s;\n    }\n\n' "$name" "$address" >>"$upstreams"
done
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
# The upstreams in place of the template's __UPSTREAMS__ line (plain sed: busybox's in the container).
{ sed '/^__UPSTREAMS__$/,$d' "$template"; cat "$upstreams"; sed '1,/^__UPSTREAMS__$/d' "$template"; } \
  | sed -e "$drop" -e "$keep" -e "s|__GATEWAY_LISTEN__|$listen|g" -e "s|__GATEWAY_TLS_LISTEN__|${GATEWAY_TLS_LISTEN:-}|g" \
    -e "s|__GATEWAY_TLS_CERT__|${GATEWAY_TLS_CERT:-}|g" -e "s|__GATEWAY_TLS_KEY__|${GATEWAY_TLS_KEY:-}|g" \
    -e "s|__GATEWAY_HTTPS_PORT_SUFFIX__|$suffix|g" >"$out"
if [ "$(cd "$template_dir" && pwd)" != "$(cd "$out_dir" && pwd)" ]; then
  cp "$template_dir/api.conf" "$template_dir/errors.conf" "$template_dir/routes.conf" "$template_dir/allow.conf" "$out_dir/"
fi
