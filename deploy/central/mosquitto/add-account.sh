#!/usr/bin/env bash
# Adds (or updates) an account on the central broker, with its ACL, idempotently.
#   add-account.sh gateway gw-dechets-nord application/3/# trucks/+/pickups
#       a gateway: may READ the topics given (its network-server application, the trucks)
#   add-account.sh truck truck-07
#       a truck: may WRITE trucks/truck-07/pickups (the ACL's pattern line)
# The password is asked for (or read from $ACCOUNT_PASSWORD) and stored hashed; it never
# appears in the ACL or the logs. Then: systemctl reload mosquitto.
# Files: $MOSQUITTO_SENSORS_DIR (default /etc/mosquitto/sensors)/passwords and acl.
set -euo pipefail

kind=${1:?usage: add-account.sh gateway|truck NAME [TOPIC...]}
name=${2:?usage: add-account.sh gateway|truck NAME [TOPIC...]}
shift 2
dir=${MOSQUITTO_SENSORS_DIR:-/etc/mosquitto/sensors}
case "$name" in
  *[!a-z0-9-]* | "") echo "add-account.sh: '$name': use lower case letters, digits and dashes." >&2; exit 2 ;;
esac
case "$kind" in
  gateway) [ $# -gt 0 ] || { echo "add-account.sh: a gateway needs at least one topic to read." >&2; exit 2; } ;;
  truck) [ $# -eq 0 ] || { echo "add-account.sh: a truck's topic is fixed (trucks/$name/pickups)." >&2; exit 2; } ;;
  *) echo "add-account.sh: kind must be gateway or truck, not '$kind'." >&2; exit 2 ;;
esac

mkdir -p "$dir"
touch "$dir/passwords" "$dir/acl"
chmod 0640 "$dir/passwords"
password=${ACCOUNT_PASSWORD:-}
if [ -z "$password" ]; then
  read -r -s -p "Password for $name: " password
  echo
fi
[ ${#password} -ge 12 ] || { echo "add-account.sh: use a password of at least 12 characters." >&2; exit 2; }
mosquitto_passwd -b "$dir/passwords" "$name" "$password"

# Replace this account's block in the ACL (from its `user` line to the next blank line).
block=$(mktemp)
trap 'rm -f "$block"' EXIT
{
  echo "user $name"
  for topic in "$@"; do
    echo "topic read $topic"
  done
  echo
} >"$block"
awk -v user="user $name" '
  $0 == user { skip = 1; next }
  skip && /^$/ { skip = 0; next }
  !skip { print }
' "$dir/acl" >"$dir/acl.new"
cat "$block" >>"$dir/acl.new"
mv "$dir/acl.new" "$dir/acl"
echo "Account $name ($kind) written to $dir/passwords and $dir/acl. Apply: systemctl reload mosquitto"
