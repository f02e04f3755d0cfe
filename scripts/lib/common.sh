# Helpers shared by scripts/run, scripts/test and scripts/bench. Source it; do not run it.

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# The directory of PostgreSQL's server programs (initdb, pg_ctl).
pg_bindir() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/initdb" ] && { echo "$dir"; return; }
  done
  command -v initdb >/dev/null && { dirname "$(command -v initdb)"; return; }
  die "PostgreSQL server programs (initdb, pg_ctl) not found; install postgresql"
}

# Runs a command as the PostgreSQL owner: 'postgres' when we are root (PostgreSQL refuses
# to run as root), ourselves otherwise.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Lets the 'postgres' user reach a directory under ours: grants traverse (x, not read) on each
# ancestor that lacks it, as a fresh 'mktemp -d' clone (mode 700) does.
make_reachable_by_pg() {
  [ "$(id -u)" = 0 ] || return 0
  local dir
  dir=$(cd "$1" && pwd)
  while [ "$dir" != / ]; do
    if ! runuser -u postgres -- test -x "$dir"; then
      echo "   (granting traverse permission on $dir so PostgreSQL, which runs as 'postgres', can reach its files)"
      chmod o+x "$dir"
    fi
    dir=$(dirname "$dir")
  done
}

# pg_init DIR PORT USER PASSWORD: a new cluster in DIR/data with a password-protected superuser.
pg_init() {
  local dir=$1 port=$2 user=$3 password=$4 bin
  bin=$(pg_bindir)
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  printf '%s\n' "$password" > "$dir/pwfile"
  [ "$(id -u)" = 0 ] && chown postgres "$dir/pwfile"
  as_pg "$bin/initdb" -D "$dir/data" -U "$user" --pwfile="$dir/pwfile" --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  rm -f "$dir/pwfile"
  cat >>"$dir/data/postgresql.conf" <<CONF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
max_connections = 200
CONF
}

# pg_start DIR: starts the cluster in DIR/data and waits until it accepts connections.
pg_start() {
  local dir=$1
  as_pg "$(pg_bindir)/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 start >/dev/null \
    || { tail -20 "$dir/postgres.log" >&2; die "PostgreSQL did not start (log: $dir/postgres.log)"; }
}

# pg_stop DIR: stops the cluster quickly, if it runs.
pg_stop() {
  local dir=$1
  [ -f "$dir/data/postmaster.pid" ] || return 0
  as_pg "$(pg_bindir)/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
}

# redis_start DIR PORT: a throwaway redis-server on loopback (no persistence), in the
# background, its pid in DIR/redis.pid and its log in DIR/redis.log; waits until it answers.
redis_start() {
  local dir=$1 port=$2 i
  mkdir -p "$dir"
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
    --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --dir "$dir" >/dev/null || die "redis-server did not start"
  for i in $(seq 1 100); do
    redis-cli -p "$port" ping 2>/dev/null | grep -q PONG && return 0
    sleep 0.1
  done
  tail -20 "$dir/redis.log" >&2
  die "redis-server did not answer on port $port (log: $dir/redis.log)"
}

# redis_stop DIR: stops the server redis_start started there, if it runs.
redis_stop() {
  local dir=$1
  [ -f "$dir/redis.pid" ] && kill "$(cat "$dir/redis.pid")" 2>/dev/null || true
}

# pg_create_db URL NAME: creates database NAME (if missing) on the server of admin URL.
pg_create_db() {
  local url=$1 name=$2
  if [ "$(psql "$url" -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'")" != 1 ]; then
    psql "$url" -q -c "CREATE DATABASE \"$name\"" >/dev/null
  fi
}

# make_certificates DIR NAME...: a throwaway certificate authority (DIR/ca.crt, DIR/ca.key) and a
# server certificate it signs (DIR/tls.crt, DIR/tls.key, ECDSA P-256, 825 days) naming each NAME,
# a host name or an IP address. For development and tests; production brings its own.
make_certificates() {
  local dir=$1 sans="" name
  shift
  for name in "$@"; do
    if [[ $name =~ ^[0-9.]+$ || $name == *:* ]]; then sans+="${sans:+,}IP:$name"; else sans+="${sans:+,}DNS:$name"; fi
  done
  mkdir -p "$dir"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 825 -subj "/CN=Evalyo development CA" \
    -keyout "$dir/ca.key" -out "$dir/ca.crt" -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
    2>/dev/null || die "openssl could not make a certificate authority"
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$1" -keyout "$dir/tls.key" -out "$dir/tls.csr" 2>/dev/null \
    || die "openssl could not make a key"
  printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n' "$sans" >"$dir/tls.ext"
  openssl x509 -req -in "$dir/tls.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -days 825 -extfile "$dir/tls.ext" \
    -out "$dir/tls.crt" 2>/dev/null || die "openssl could not sign the certificate"
  rm -f "$dir/tls.csr" "$dir/tls.ext" "$dir/ca.srl"
  chmod 600 "$dir/tls.key" "$dir/ca.key"
}

# A random secret of 48 hex digits (services refuse secrets under 32 characters).
random_secret() {
  od -An -tx1 -N24 /dev/urandom | tr -d ' \n'
}

# Installs Debian packages that are missing: ensure_packages CMD:PACKAGE ...
ensure_packages() {
  local missing=() pair
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || [ -x "/usr/sbin/${pair%%:*}" ] || missing+=("${pair#*:}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "Installing ${missing[*]} from Debian's packages"
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# The nginx binary.
nginx_bin() {
  command -v nginx 2>/dev/null || echo /usr/sbin/nginx
}

# render_gateway TEMPLATE OUT LISTEN NAME=host:port...: writes the gateway's nginx config, an
# upstream per service (key_service, catalog, interviews, reports).
render_gateway() {
  sh gateway/render.sh "$@"
}

# start_gateway PREFIX CONFIG: starts nginx in the foreground-less mode with its files under PREFIX.
start_gateway() {
  local prefix=$1 config=$2
  mkdir -p "$prefix/logs" "$prefix/tmp"
  "$(nginx_bin)" -t -q -p "$prefix" -c "$config" -e "$prefix/logs/error.log" || die "nginx rejected $config"
  "$(nginx_bin)" -p "$prefix" -c "$config" -e "$prefix/logs/error.log"
}

# stop_gateway PREFIX: stops the nginx started with that prefix.
stop_gateway() {
  local pidfile=$1/logs/nginx.pid
  [ -f "$pidfile" ] && kill -QUIT "$(cat "$pidfile")" 2>/dev/null || true
}

# wait_http URL SECONDS: waits until URL answers 200.
wait_http() {
  local url=$1 deadline=$((SECONDS + $2))
  until curl -fsS -o /dev/null "$url" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.2
  done
}

# A virtual environment under .build/ with scripts/python/requirements.txt installed (once per
# change of that file); prints its bin directory.
python_tools() {
  python_venv python-tools scripts/python/requirements.txt
}

# python_client_tools: the same for the generated client's check (openapi-python-client, mypy),
# kept apart so that their dependencies never move schemathesis's.
python_client_tools() {
  python_venv python-client scripts/python/client-requirements.txt
}

# python_venv NAME REQUIREMENTS: a virtual environment in .build/NAME with exactly those
# packages (made again when the list changes); prints its bin directory.
python_venv() {
  local venv=$PWD/.build/$1 requirements=$2
  if ! cmp -s "$requirements" "$venv/requirements.txt" 2>/dev/null; then
    say "Installing $(basename "$requirements") into .build/$1 (from PyPI)" >&2
    rm -rf "$venv"
    python3 -m venv "$venv" >&2
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$requirements" >&2 || die "pip install failed"
    cp "$requirements" "$venv/requirements.txt"
  fi
  echo "$venv/bin"
}

# start_service NAME LOG SETTING=value ...: starts the executable NAME from $BIN in the
# background with exactly those settings (PORT among them), appends its pid to the array
# `pids`, and waits until its /readyz answers. The rest of the environment is passed on too.
start_service() {
  local name=$1 log=$2 setting port=""
  shift 2
  for setting in "$@"; do
    case $setting in PORT=*) port=${setting#PORT=} ;; esac
  done
  env "$@" "$BIN/$name" >>"$log" 2>&1 &
  pids+=($!)
  wait_http "http://127.0.0.1:$port/readyz" 60 || die "$name did not become ready; see $log"
}

# A free TCP port on 127.0.0.1.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The resident memory of a process, in MiB.
rss_mib() {
  awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"
}
