#!/usr/bin/env bash
# Start a local PostgreSQL for the sync tests and print the URL they should use.
# Installs PostgreSQL when the machine has none (Debian/Ubuntu). Sourced by .ci/run.
set -euo pipefail

if ! command -v pg_lsclusters >/dev/null 2>&1; then
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi
cluster=$(pg_lsclusters --no-header | head -n1)
if [ -z "$cluster" ]; then
  version=$(ls /usr/lib/postgresql | sort -V | tail -n1)
  pg_createcluster "$version" main >&2
  cluster=$(pg_lsclusters --no-header | head -n1)
fi
read -r version name port status _ <<<"$cluster"
if [ "$status" != "online" ]; then
  pg_ctlcluster "$version" "$name" start >&2
fi
as_postgres() { su postgres -c "$1"; }
as_postgres "psql -p $port -tAc \"SELECT 1 FROM pg_roles WHERE rolname = 'vitrine'\"" | grep -q 1 \
  || as_postgres "psql -p $port -qc \"CREATE ROLE vitrine LOGIN PASSWORD 'vitrine'\"" >&2
as_postgres "psql -p $port -tAc \"SELECT 1 FROM pg_database WHERE datname = 'vitrine_test'\"" \
  | grep -q 1 || as_postgres "createdb -p $port -O vitrine vitrine_test" >&2
echo "postgresql://vitrine:vitrine@127.0.0.1:$port/vitrine_test"
