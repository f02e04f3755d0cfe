# scripts/run's local settings. Source it after common.sh; do not run it.

# write_dev_settings DIR PG KEY_SERVICE CATALOG INTERVIEWS REPORTS GATEWAY WEBHOOKS (the ports):
# every local setting lives in DIR/dev.env. A setting missing there (a first run, or one added by
# a newer version of this script) is added with its default; existing ones are kept. The file
# holds internal secrets and the admin's password, and DIR/leak-reporter/private.pem a signing
# key: both are the owner's alone (mode 600, made so before anything is written in them).
write_dev_settings() {
  local dir=$1 pg=$2 key_service=$3 catalog=$4 interviews=$5 reports=$6 gateway=$7 webhooks=${8:-8085}
  local env=$dir/dev.env reporter=$dir/leak-reporter reporter_id
  if [ ! -f "$env" ]; then
    say "Writing local settings to .data/dev.env"
    (umask 077; echo "# Local settings written by scripts/run; edit them, or delete a line to get its default back." >"$env")
  fi
  # An older scripts/run wrote it world-readable.
  chmod 600 "$env"
  setting() { grep -q "^$1=" "$env" || echo "$1=$2" >>"$env"; }
  setting POSTGRES_URL "postgres://evalyo:evalyo@127.0.0.1:$pg/postgres"
  setting KEY_SERVICE_DATABASE_URL "postgres://evalyo:evalyo@127.0.0.1:$pg/evalyo_keys"
  setting CATALOG_DATABASE_URL "postgres://evalyo:evalyo@127.0.0.1:$pg/evalyo_catalog"
  setting INTERVIEWS_DATABASE_URL "postgres://evalyo:evalyo@127.0.0.1:$pg/evalyo_interviews"
  setting REPORTS_DATABASE_URL "postgres://evalyo:evalyo@127.0.0.1:$pg/evalyo_reports"
  setting WEBHOOKS_DATABASE_URL "postgres://evalyo:evalyo@127.0.0.1:$pg/evalyo_webhooks"
  setting KEY_SERVICE_URL "http://127.0.0.1:$key_service"
  setting CATALOG_URL "http://127.0.0.1:$catalog"
  setting INTERVIEWS_URL "http://127.0.0.1:$interviews"
  setting REPORTS_URL "http://127.0.0.1:$reports"
  setting WEBHOOKS_URL "http://127.0.0.1:$webhooks"
  setting GATEWAY_URL "http://127.0.0.1:$gateway"
  setting CATALOG_INTROSPECTION_SECRET "$(random_secret)"
  # Encrypts console members' two-factor secrets at rest.
  setting TWO_FACTOR_ENCRYPTION_KEY "$(random_secret)"
  setting INTERVIEWS_INTROSPECTION_SECRET "$(random_secret)"
  setting REPORTS_INTROSPECTION_SECRET "$(random_secret)"
  setting WEBHOOKS_INTROSPECTION_SECRET "$(random_secret)"
  # The credentials of the services that hand events over to the webhooks service, and the key
  # that encrypts endpoints' signing secrets at rest.
  setting INTERVIEWS_WEBHOOKS_SECRET "$(random_secret)"
  setting REPORTS_WEBHOOKS_SECRET "$(random_secret)"
  setting CATALOG_WEBHOOKS_SECRET "$(random_secret)"
  setting WEBHOOK_SECRETS_KEY "$(random_secret)"
  # The key service's credentials at the webhooks service, for the console's Webhooks pages.
  setting KEY_SERVICE_WEBHOOKS_SECRET "$(random_secret)"
  # The interviews service's credentials for the catalog's /internal/facts.
  setting INTERVIEWS_CATALOG_SECRET "$(random_secret)"
  # The catalog's credentials for the interviews service's /internal/facts.
  setting CATALOG_INTERVIEWS_SECRET "$(random_secret)"
  # The interviews service's credentials for delivering events to the reports service.
  setting INTERVIEWS_REPORTS_SECRET "$(random_secret)"
  # The AI agent runtime's credentials for the interviews service's /internal/ endpoints.
  setting RUNTIME_CLIENT_ID "runtime"
  setting RUNTIME_CLIENT_SECRET "$(random_secret)"
  # A development secret scanner (docs/api-guide.md, "Leaked keys"): its key pair and the list of trusted reporters.
  if [ ! -f "$reporter/public_keys.json" ]; then
    say "Making a development leak reporter in .data/leak-reporter (its private key signs test reports)"
    mkdir -p "$reporter"
    (umask 077; openssl ecparam -name prime256v1 -genkey -noout -out "$reporter/private.pem" 2>/dev/null)
    openssl ec -in "$reporter/private.pem" -pubout -out "$reporter/public.pem" 2>/dev/null
    reporter_id=$(openssl ec -in "$reporter/private.pem" -pubout -outform DER 2>/dev/null | sha256sum | cut -c1-64)
    python3 -c 'import json, sys; print(json.dumps({"public_keys": [{"key_identifier": sys.argv[1], "key": open(sys.argv[2]).read(), "is_current": True}]}, indent=1))' \
      "$reporter_id" "$reporter/public.pem" >"$reporter/public_keys.json"
    sed -i '/^LEAK_REPORTER_KEY_ID=/d' "$env"
    echo "LEAK_REPORTER_KEY_ID=$reporter_id" >>"$env"
  fi
  [ ! -f "$reporter/private.pem" ] || chmod 600 "$reporter/private.pem"
  setting EVALYO_ADMIN_EMAIL "${EVALYO_ADMIN_EMAIL:-admin@demo.evalyo.test}"
  setting EVALYO_ADMIN_PASSWORD "${EVALYO_ADMIN_PASSWORD:-demo-$(random_secret | cut -c1-12)}"
}

# check_dev_settings_are_private: writes the settings in a scratch directory, as a first run and
# as a run over an older world-readable file, and fails unless every file of secrets is mode 600.
check_dev_settings_are_private() {
  local dir file mode
  dir=$(mktemp -d)
  (umask 022; write_dev_settings "$dir" 1 2 3 4 5 6 >/dev/null)
  for file in dev.env leak-reporter/private.pem; do
    mode=$(stat -c %a "$dir/$file")
    [ "$mode" = 600 ] || { rm -rf "$dir"; die "scripts/run writes $file with mode $mode, not 600"; }
  done
  chmod 644 "$dir/dev.env"
  (umask 022; write_dev_settings "$dir" 1 2 3 4 5 6 >/dev/null)
  mode=$(stat -c %a "$dir/dev.env")
  rm -rf "$dir"
  [ "$mode" = 600 ] || die "scripts/run leaves an older dev.env at mode $mode, not 600"
  echo "   dev.env and the leak reporter's private key are mode 600"
}
