#!/bin/bash
# Odoo reads its master password (admin_passwd) only from its configuration file, which is part of
# the image: with ODOO_ADMIN_PASSWD_FILE (a mounted secret) a copy with that password is written to
# /tmp (writable when the root file system is not) and Odoo runs from it. Then the official
# image's entrypoint takes over (database settings, waiting for PostgreSQL).
set -euo pipefail
if [ -n "${ODOO_ADMIN_PASSWD_FILE:-}" ]; then
  conf="$(mktemp /tmp/odoo.XXXXXX.conf)"
  chmod 0600 "$conf"
  cp /etc/odoo/odoo.conf "$conf"
  printf 'admin_passwd = %s\n' "$(tr -d '\r\n' < "$ODOO_ADMIN_PASSWD_FILE")" >> "$conf"
  export ODOO_RC="$conf"
fi
exec /entrypoint.sh "$@"
