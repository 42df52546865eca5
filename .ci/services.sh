# Sourced by .ci/run (and usable by hand: `source .ci/services.sh && ensure_services`).
# Starts PostgreSQL, MariaDB and Redis with the machine's documented commands when they
# are not answering, installs the SMTP test server, creates throwaway databases, and
# exports the URLs the tests read. AUTH_TEST_DB names the throwaway databases
# (default auth_test), so a second run on the same machine can use its own.

wait_for() { # name, command...
  local name=$1; shift
  for _ in $(seq 1 60); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  echo "$name did not come up" >&2
  return 1
}

ensure_postgres() {
  if ! pg_isready -h 127.0.0.1 -p 5432 >/dev/null 2>&1; then
    echo "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start || true
    wait_for PostgreSQL pg_isready -h 127.0.0.1 -p 5432
  fi
  local db=${AUTH_TEST_DB:-auth_test}
  psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
  psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE $db" >/dev/null
  export AUTH_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:5432/$db"
}

ensure_mariadb() {
  if ! mysqladmin -uroot -h127.0.0.1 status >/dev/null 2>&1; then
    echo "starting MariaDB"
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd || true
    wait_for MariaDB mysqladmin -uroot -h127.0.0.1 status
  fi
  local db=${AUTH_TEST_DB:-auth_test}
  mysql -uroot -h127.0.0.1 -e "DROP DATABASE IF EXISTS $db; CREATE DATABASE $db CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
  export AUTH_TEST_MYSQL_URL="mysql://root@127.0.0.1:3306/$db"
}

ensure_redis() {
  # The store's own-server and cluster tests start redis-server and use redis-cli too.
  if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
    echo "installing Debian's redis-server (with redis-tools: redis-cli)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server redis-tools >/dev/null
  fi
  if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    echo "starting Redis"
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log
    wait_for Redis redis-cli -h 127.0.0.1 -p 6379 ping
  fi
  export AUTH_TEST_REDIS_URL="redis://127.0.0.1:6379/"
}

ensure_smtp_server() {
  if ! python3 -c "import aiosmtpd" >/dev/null 2>&1; then
    echo "installing aiosmtpd (SMTP server for the mailer tests)"
    python3 -m pip install --quiet --disable-pip-version-check aiosmtpd
  fi
  export AUTH_TEST_SMTP=1
}

ensure_python_hashers() {
  if ! python3 -c "import bcrypt, passlib, django, argon2" >/dev/null 2>&1; then
    echo "installing bcrypt, passlib, Django and argon2-cffi (hashes the import tests bring over)"
    python3 -m pip install --quiet --disable-pip-version-check bcrypt passlib Django argon2-cffi
  fi
  export AUTH_TEST_PYTHON_HASHERS=1
}

ensure_python_webhooks() {
  if ! python3 -c "import standardwebhooks" >/dev/null 2>&1; then
    echo "installing standardwebhooks (verifies the webhook signatures in the webhook tests)"
    python3 -m pip install --quiet --disable-pip-version-check standardwebhooks
  fi
  export AUTH_TEST_PYTHON_WEBHOOKS=1
}

ensure_chromium() {
  if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
    echo "installing Debian's chromium and chromium-driver (real-browser tests)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
  export AUTH_TEST_CHROMIUM=/usr/bin/chromium
}

# The OpenID provider the auth-oidc tests sign in through: node oidc-provider, pinned in
# tests/oidc-provider/package.json, installed next to its script.
ensure_oidc_provider() {
  local dir
  dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/oidc-provider"
  if [ ! -f "$dir/node_modules/oidc-provider/package.json" ] \
    || [ "$(node -p "require('$dir/node_modules/oidc-provider/package.json').version")" != "$(node -p "require('$dir/package.json').dependencies['oidc-provider']")" ]; then
    echo "installing node oidc-provider (the OpenID provider of the auth-oidc tests)"
    (cd "$dir" && npm install --no-audit --no-fund --silent) || return 1
  fi
  export AUTH_TEST_OIDC_PROVIDER="$dir"
}

ensure_services() {
  ensure_postgres
  ensure_mariadb
  ensure_redis
  ensure_smtp_server
  ensure_python_hashers
  ensure_python_webhooks
  ensure_chromium
  ensure_oidc_provider
}
