#!/usr/bin/env bash
# Removes the Sensors gateway installed by deploy/install.sh.
#   sudo deploy/uninstall.sh                 stop and remove the service and the application;
#                                            KEEP the data (/var/lib/sensors: the journal, readings
#                                            not yet in InfluxDB) and the settings (/etc/sensors)
#   sudo deploy/uninstall.sh --purge         also delete the data, the settings and the user
#   deploy/uninstall.sh --root DIR [...]     the same, in a scratch root
# Mosquitto stays installed (other programs may use it); only our conf.d file goes.
set -euo pipefail

root=""
purge=0
while [ $# -gt 0 ]; do
  case "$1" in
    --root) root=${2:?--root needs a folder}; shift 2 ;;
    --purge) purge=1; shift ;;
    -h | --help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "uninstall.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
if [ -z "$root" ] && [ "$(id -u)" -ne 0 ]; then
  echo "uninstall.sh: run it as root (sudo deploy/uninstall.sh), or with --root DIR." >&2
  exit 1
fi

gone() {
  if [ -e "$root$1" ] || [ -L "$root$1" ]; then
    rm -rf "${root:?}$1" 2>/dev/null || rm -rf "$root$1"
    echo "  removed $1"
  fi
}

echo "Removing the Sensors gateway${root:+ under $root}..."
if [ -z "$root" ]; then
  systemctl disable --now sensors.service >/dev/null 2>&1 || true
else
  gone /etc/systemd/system/multi-user.target.wants/sensors.service
fi
gone /etc/systemd/system/sensors.service
gone /etc/systemd/system/sensors.service.d
gone /opt/sensors
gone /usr/local/bin/sensors
if [ -e "$root/etc/mosquitto/conf.d/sensors.conf" ]; then
  gone /etc/mosquitto/conf.d/sensors.conf
  [ -z "$root" ] && systemctl try-restart mosquitto.service
fi
[ -z "$root" ] && systemctl daemon-reload

if [ "$purge" -eq 1 ]; then
  gone /var/lib/sensors
  gone /etc/sensors
  if grep -q '^sensors:' "$root/etc/passwd" 2>/dev/null; then
    if [ -n "$root" ]; then userdel --root "$root" sensors; else userdel sensors; fi
    echo "  removed user sensors"
  fi
  echo "Purged: the data and the settings are gone."
else
  pending=""
  [ -d "$root/var/lib/sensors/journal" ] && pending=" (the journal in /var/lib/sensors/journal may hold readings not yet in InfluxDB)"
  echo "Kept /etc/sensors and /var/lib/sensors$pending. Delete them with --purge."
fi
