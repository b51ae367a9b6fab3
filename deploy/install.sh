#!/usr/bin/env bash
# Install Hamlet Line on a fresh Debian server (12 or later), as root:
#
#   deploy/install.sh --server-name hamlet.example.gov.vn --email it@example.gov.vn
#   deploy/install.sh --server-name hamlet.example.gov.vn --cert /path/fullchain.pem --key /path/key.pem
#
# It sets up, in order: Debian packages, the hamlet-line user, folders with safe modes, the
# code in /opt/hamlet-line with its venv, /etc/hamlet-line/env, migrations and seed data, the
# systemd units (web, worker, Litestream) and the nginx site with TLS (certbot or your own
# certificate). Running it again updates the code and units and keeps the env and the data.
set -euo pipefail

APP_DIR=/opt/hamlet-line
STATE_DIR=/var/lib/hamlet-line
CONFIG_DIR=/etc/hamlet-line
ACME_ROOT=/var/www/hamlet-line-acme
SERVICE_USER=hamlet-line
SOURCE_DIR="$(cd "$(dirname "$0")/.." && pwd)"
SERVER_NAME="" EMAIL="" CERT="" KEY=""

usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
    case "$1" in
        --server-name) SERVER_NAME="$2"; shift 2 ;;
        --email) EMAIL="$2"; shift 2 ;;
        --cert) CERT="$2"; shift 2 ;;
        --key) KEY="$2"; shift 2 ;;
        -h | --help) usage 0 ;;
        *) echo "unknown option: $1" >&2; usage 2 ;;
    esac
done
[ "$(id -u)" = 0 ] || { echo "run as root (sudo $0 ...)" >&2; exit 1; }
[ -n "$SERVER_NAME" ] || { echo "--server-name is required" >&2; usage 2; }
if [ -z "$EMAIL" ] && { [ -z "$CERT" ] || [ -z "$KEY" ]; }; then
    echo "give --email (certbot) or both --cert and --key" >&2
    exit 2
fi

step() { printf '\n== %s\n' "$*"; }

step "Debian packages"
apt-get update -qq
packages=(python3 python3-venv nginx sqlite3 rsync ssl-cert ca-certificates)
[ -n "$EMAIL" ] && packages+=(certbot)
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}"

step "User $SERVICE_USER and folders"
if ! id "$SERVICE_USER" >/dev/null 2>&1; then
    useradd --system --home-dir "$STATE_DIR" --no-create-home --shell /usr/sbin/nologin \
        "$SERVICE_USER"
fi
# Residents' data and secrets: only the service user can read them.
install -d -m 0700 -o "$SERVICE_USER" -g "$SERVICE_USER" "$STATE_DIR" "$STATE_DIR/instance"
install -d -m 0750 -o root -g "$SERVICE_USER" "$CONFIG_DIR"
install -d -m 0755 -o root -g root "$APP_DIR" "$ACME_ROOT"

step "Code in $APP_DIR (owned by root: the service cannot change its own code)"
rsync -a --delete --exclude .git --exclude .venv --exclude instance --exclude '__pycache__' \
    --exclude tests/artifacts "$SOURCE_DIR/" "$APP_DIR/"
chown -R root:root "$APP_DIR"
# Flask keeps generated secrets in instance/; /opt is read-only to the service.
ln -sfn "$STATE_DIR/instance" "$APP_DIR/instance"
[ -x "$APP_DIR/.venv/bin/python" ] || python3 -m venv "$APP_DIR/.venv"
"$APP_DIR/.venv/bin/pip" install --quiet --upgrade pip
"$APP_DIR/.venv/bin/pip" install --quiet -r "$APP_DIR/requirements.txt"
# The classifier's training packages go apart, so no web worker imports numpy
# (sms/nlu/packages.py); an older install had them among the venv's own packages.
"$APP_DIR/.venv/bin/pip" uninstall --quiet --yes scikit-learn numpy scipy joblib threadpoolctl cloudpickle narwhals \
    2>/dev/null || true
rm -rf "$APP_DIR/.venv/nlu-train"
"$APP_DIR/.venv/bin/pip" install --quiet --no-deps --target "$APP_DIR/.venv/nlu-train" \
    -r "$APP_DIR/requirements-train.txt"

step "Configuration in $CONFIG_DIR"
if [ ! -f "$CONFIG_DIR/env" ]; then
    secret="$("$APP_DIR/.venv/bin/python" -c 'import secrets; print(secrets.token_hex(32))')"
    sed -e "s|@SECRET_KEY@|$secret|" -e "s|@SERVER_NAME@|$SERVER_NAME|" \
        "$APP_DIR/deploy/env.example" >"$CONFIG_DIR/env"
    echo "wrote $CONFIG_DIR/env: fill in the SMS provider and the Litestream replica"
fi
install -m 0644 "$APP_DIR/deploy/litestream.yml" "$CONFIG_DIR/litestream.yml"
chown root:"$SERVICE_USER" "$CONFIG_DIR/env" "$CONFIG_DIR/litestream.yml"
chmod 0640 "$CONFIG_DIR/env" "$CONFIG_DIR/litestream.yml"

step "Migrations and seed data"
as_service() {
    (set -a && . "$CONFIG_DIR/env" && set +a && cd "$APP_DIR" &&
        runuser -u "$SERVICE_USER" -- "$@")
}
as_service "$APP_DIR/.venv/bin/flask" --app wsgi init-db
as_service "$APP_DIR/.venv/bin/flask" --app wsgi seed

step "systemd units"
install -m 0644 "$APP_DIR"/deploy/systemd/hamlet-line-*.service /etc/systemd/system/
systemctl daemon-reload
systemctl enable --now hamlet-line-web.service hamlet-line-worker.service
systemctl restart hamlet-line-web.service hamlet-line-worker.service
if grep -q '^LITESTREAM_REPLICA_URL=s3://BUCKET/' "$CONFIG_DIR/env"; then
    echo "Litestream is installed but off: set LITESTREAM_* in $CONFIG_DIR/env, then"
    echo "  systemctl enable --now hamlet-line-litestream"
else
    systemctl enable --now hamlet-line-litestream.service
    systemctl restart hamlet-line-litestream.service
fi

step "nginx site for $SERVER_NAME"
render_site() {
    sed -e "s|@SERVER_NAME@|$SERVER_NAME|g" -e "s|@APP_PORT@|8000|g" \
        -e "s|@HTTP_PORT@|80|g" -e "s|@HTTPS_PORT@|443|g" -e "s|@APP_DIR@|$APP_DIR|g" \
        -e "s|@ACME_ROOT@|$ACME_ROOT|g" -e "s|@LOG_DIR@|/var/log/nginx|g" \
        -e "s|@TLS_CERT@|$1|g" -e "s|@TLS_KEY@|$2|g" \
        "$APP_DIR/deploy/nginx/hamlet-line.conf" >/etc/nginx/sites-available/hamlet-line
    ln -sfn /etc/nginx/sites-available/hamlet-line /etc/nginx/sites-enabled/hamlet-line
    nginx -t
    systemctl reload-or-restart nginx
}
if [ -n "$EMAIL" ]; then
    live="/etc/letsencrypt/live/$SERVER_NAME"
    if [ ! -f "$live/fullchain.pem" ]; then
        # nginx needs some certificate to start; Debian's snake-oil one serves until certbot's.
        render_site /etc/ssl/certs/ssl-cert-snakeoil.pem /etc/ssl/private/ssl-cert-snakeoil.key
        certbot certonly --webroot -w "$ACME_ROOT" -d "$SERVER_NAME" --email "$EMAIL" \
            --agree-tos --non-interactive --deploy-hook "systemctl reload nginx"
    fi
    render_site "$live/fullchain.pem" "$live/privkey.pem"
else
    render_site "$CERT" "$KEY"
fi

step "Done"
echo "Check:   curl -s https://$SERVER_NAME/healthz"
echo "Admin:   cd $APP_DIR && sudo -u $SERVICE_USER sh -c 'set -a; . $CONFIG_DIR/env;" \
    ".venv/bin/flask --app wsgi create-user NAME --role admin'"
echo "Logs:    journalctl -u hamlet-line-web -u hamlet-line-worker -u hamlet-line-litestream"
