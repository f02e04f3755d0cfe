#!/bin/sh
# PostgreSQL's first start (docker-entrypoint-initdb.d): one role and one database per
# service, each role owning only its own database. Passwords come from the environment.
set -eu
create() {
  role=$1 database=$2 password=$3
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -v role="$role" -v database="$database" -v password="$password" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'password';
CREATE DATABASE :"database" OWNER :"role";
REVOKE ALL ON DATABASE :"database" FROM PUBLIC;
SQL
}
create evalyo_keys evalyo_keys "$KEYS_DB_PASSWORD"
create evalyo_catalog evalyo_catalog "$CATALOG_DB_PASSWORD"
create evalyo_interviews evalyo_interviews "$INTERVIEWS_DB_PASSWORD"
create evalyo_reports evalyo_reports "$REPORTS_DB_PASSWORD"
create evalyo_webhooks evalyo_webhooks "$WEBHOOKS_DB_PASSWORD"
