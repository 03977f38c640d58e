#!/usr/bin/env bash
# Installs the Sensors gateway on Raspberry Pi OS or Debian, as a systemd service.
#   sudo deploy/install.sh                     install (or update) and start it
#   deploy/install.sh --root /tmp/scratch      lay every file out under a scratch root instead
#                                              (nothing on this machine changes; for checks)
# Options: --bin DIR       the published gateway (sensors.dll and friends); default: bin/ beside
#                          deploy/ (the Pi artifact of deploy/publish-pi, self-contained: no .NET
#                          runtime needed), else publish it from this checkout with the .NET SDK
#          --no-packages   do not install Debian packages (mosquitto, the .NET runtime)
#          --no-start      install and enable, but do not (re)start
# Idempotent: a second run changes nothing and says so. Your /etc/sensors/gateway.json and
# everything else under /etc/sensors are never overwritten once they exist.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
root=""
bin=""
packages=1
start=1
while [ $# -gt 0 ]; do
  case "$1" in
    --root) root=${2:?--root needs a folder}; shift 2 ;;
    --bin) bin=${2:?--bin needs a folder}; shift 2 ;;
    --no-packages) packages=0; shift ;;
    --no-start) start=0; shift ;;
    -h | --help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done

if [ -n "$root" ]; then
  mkdir -p "$root"
  root=$(cd "$root" && pwd)
  packages=0
  start=0
elif [ "$(id -u)" -ne 0 ]; then
  echo "install.sh: run it as root (sudo deploy/install.sh), or with --root DIR to lay the files out elsewhere." >&2
  exit 1
fi

changes=0
say() { printf '  %s\n' "$*"; }
changed() { changes=$((changes + 1)); say "$*"; }

# put SRC DEST MODE [OWNER:GROUP]: copies when the content differs; never touches an equal file.
put() {
  local src=$1 dest=$root$2 mode=$3 owner=${4:-}
  mkdir -p "$(dirname "$dest")"
  if [ -f "$dest" ] && cmp -s "$src" "$dest"; then
    return 0
  fi
  install -m "$mode" "$src" "$dest"
  if [ -n "$owner" ] && [ -z "$root" ]; then
    chown "$owner" "$dest"
  fi
  changed "wrote $2"
}

# keep SRC DEST MODE [OWNER:GROUP]: like put, but an existing file is the operator's and stays.
keep() {
  if [ -e "$root$2" ]; then
    return 0
  fi
  put "$@"
}

# folder DEST MODE [OWNER:GROUP]
folder() {
  local dest=$root$1 mode=$2 owner=${3:-}
  if [ -d "$dest" ]; then
    return 0
  fi
  install -d -m "$mode" "$dest"
  if [ -n "$owner" ] && [ -z "$root" ]; then
    chown "$owner" "$dest"
  fi
  changed "created $1/"
}

echo "Installing the Sensors gateway${root:+ under $root}..."

# 1. The gateway itself: the Pi artifact's bin/ (self-contained), or published from this checkout,
#    framework-dependent (runs on arm64 and x64 alike, with the .NET runtime).
if [ -z "$bin" ] && [ -f "$repo/bin/sensors.dll" ]; then
  bin=$repo/bin
fi
if [ -z "$bin" ]; then
  command -v dotnet >/dev/null || { echo "install.sh: no --bin folder and no .NET SDK to publish one; pass --bin DIR." >&2; exit 1; }
  bin=$(mktemp -d)
  trap 'rm -rf "$bin"' EXIT
  DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 dotnet publish "$repo/src/Sensors.Gateway" --configuration Release \
    --verbosity quiet -nologo -p:DebugType=none -o "$bin" >/dev/null
fi
[ -f "$bin/sensors.dll" ] || { echo "install.sh: $bin has no sensors.dll; give the folder of a published gateway." >&2; exit 1; }
self_contained=0
[ -f "$bin/libcoreclr.so" ] && self_contained=1

# 2. Debian packages: Mosquitto, and (unless the gateway brings its own) the ASP.NET Core runtime 10.
if [ "$packages" -eq 1 ]; then
  if ! dpkg -s mosquitto >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mosquitto >/dev/null
    changed "installed mosquitto"
  fi
  if [ "$self_contained" -eq 0 ] && ! /usr/bin/dotnet --list-runtimes 2>/dev/null | grep -q '^Microsoft.AspNetCore.App 10\.'; then
    if apt-cache show aspnetcore-runtime-10.0 >/dev/null 2>&1; then
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq aspnetcore-runtime-10.0 >/dev/null
      changed "installed aspnetcore-runtime-10.0"
    else
      echo "install.sh: the ASP.NET Core runtime 10.0 is missing and no package source here offers it." >&2
      echo "  Install it for this machine's architecture (uname -m: $(uname -m)) with Microsoft's dotnet-install" >&2
      echo "  script (--runtime aspnetcore --channel 10.0 --install-dir /usr/share/dotnet), link" >&2
      echo "  /usr/bin/dotnet to /usr/share/dotnet/dotnet, then run this again." >&2
      exit 1
    fi
  fi
fi

# 3. The service user: no login, in the groups of the buses: i2c and dialout for the sensors,
#    gpio and spi for the classroom indicators (LEDs, LED strips). An existing user gains the groups
#    it lacks (an update from a version without indicators).
if [ -z "$root" ] || [ -f "$root/etc/passwd" ]; then
  rootopt=()
  [ -n "$root" ] && rootopt=(--root "$root")
  groups=(i2c dialout gpio spi)
  for group in "${groups[@]}"; do
    if ! grep -q "^$group:" "$root/etc/group"; then
      groupadd "${rootopt[@]}" --system "$group"
      changed "created group $group"
    fi
  done
  if ! grep -q '^sensors:' "$root/etc/passwd"; then
    useradd "${rootopt[@]}" --system --user-group --no-create-home --home-dir /var/lib/sensors \
      --shell /usr/sbin/nologin --comment "Sensors gateway" --groups "$(IFS=,; echo "${groups[*]}")" sensors
    changed "created user sensors (groups ${groups[*]})"
  else
    for group in "${groups[@]}"; do
      if ! grep -qE "^$group:[^:]*:[^:]*:(.*,)?sensors(,.*)?$" "$root/etc/group"; then
        usermod "${rootopt[@]}" --append --groups "$group" sensors
        changed "added user sensors to group $group"
      fi
    done
  fi
else
  say "no $root/etc/passwd: the sensors user is not created in this scratch root"
fi

# 4. Files. The application is replaced as a whole when it differs; configuration is kept.
while IFS= read -r -d '' file; do
  relative=${file#"$bin"/}
  mode=0644
  [ "$relative" = sensors ] && [ "$self_contained" -eq 1 ] && mode=0755 # the executable of a self-contained build
  put "$file" "/opt/sensors/$relative" "$mode"
done < <(find "$bin" -type f -print0 | sort -z)
put "$repo/README.md" /opt/sensors/README.md 0644
# Files of an older version that this one no longer has.
while IFS= read -r -d '' file; do
  relative=${file#"$root"/opt/sensors/}
  if [ "$relative" != README.md ] && [ ! -e "$bin/$relative" ]; then
    rm -f "$file"
    changed "removed /opt/sensors/$relative (not in this version)"
  fi
done < <(find "$root/opt/sensors" -type f -print0 | sort -z)
if [ "$self_contained" -eq 1 ]; then
  command_line=/opt/sensors/sensors
else
  command_line="/usr/bin/dotnet /opt/sensors/sensors.dll"
fi
wrapper=$(mktemp)
printf '#!/bin/sh\n# The gateway'"'"'s command line: sensors config check, sensors journal stats, ...\nexec %s "$@"\n' "$command_line" >"$wrapper"
put "$wrapper" /usr/local/bin/sensors 0755
rm -f "$wrapper"

folder /etc/sensors 0750 root:sensors
keep "$here/etc/sensors/gateway.json" /etc/sensors/gateway.json 0640 root:sensors
folder /etc/sensors/sites 0750 root:sensors
for site in "$repo"/firmware-config/sites/*.yaml; do
  keep "$site" "/etc/sensors/sites/examples/$(basename "$site")" 0640 root:sensors
done
folder /etc/sensors/registry 0750 root:sensors
keep "$repo/firmware-config/registry/devices.yaml" /etc/sensors/registry/examples/devices.yaml 0640 root:sensors
folder /etc/sensors/codecs 0750 root:sensors
for codec in "$repo"/firmware-config/codecs/*.js; do
  keep "$codec" "/etc/sensors/codecs/$(basename "$codec")" 0640 root:sensors
done
folder /etc/sensors/secrets 0750 root:sensors
folder /var/lib/sensors 0750 sensors:sensors

unit_changed=0
before=$changes
put "$here/systemd/sensors.service" /etc/systemd/system/sensors.service 0644
# A self-contained gateway runs its own executable instead of /usr/bin/dotnet: a drop-in says so.
dropin=/etc/systemd/system/sensors.service.d/self-contained.conf
if [ "$self_contained" -eq 1 ]; then
  conf=$(mktemp)
  printf '# Written by install.sh: this gateway brings its own .NET runtime (deploy/publish-pi).\n[Service]\nExecStart=\nExecStart=/opt/sensors/sensors run --config /etc/sensors/gateway.json\n' >"$conf"
  put "$conf" "$dropin" 0644
  rm -f "$conf"
elif [ -f "$root$dropin" ]; then
  rm -f "$root$dropin"
  changed "removed $dropin (this gateway runs on /usr/bin/dotnet)"
fi
[ "$changes" -ne "$before" ] && unit_changed=1
broker_changed=0
before=$changes
put "$here/etc/mosquitto/sensors.conf" /etc/mosquitto/conf.d/sensors.conf 0644
[ "$changes" -ne "$before" ] && broker_changed=1

# 5. systemd: enabled at boot; (re)started when something changed.
if [ -n "$root" ]; then
  if [ ! -L "$root/etc/systemd/system/multi-user.target.wants/sensors.service" ]; then
    systemctl --root="$root" enable sensors.service >/dev/null 2>&1 \
      || ln -s /etc/systemd/system/sensors.service "$root/etc/systemd/system/multi-user.target.wants/sensors.service" 2>/dev/null \
      || { mkdir -p "$root/etc/systemd/system/multi-user.target.wants" && ln -s /etc/systemd/system/sensors.service "$root/etc/systemd/system/multi-user.target.wants/sensors.service"; }
    changed "enabled sensors.service"
  fi
else
  [ "$unit_changed" -eq 1 ] && systemctl daemon-reload
  if ! systemctl is-enabled --quiet sensors.service; then
    systemctl enable sensors.service >/dev/null 2>&1
    changed "enabled sensors.service"
  fi
  if [ "$start" -eq 1 ]; then
    [ "$broker_changed" -eq 1 ] && systemctl restart mosquitto.service && say "restarted mosquitto"
    if [ "$changes" -gt 0 ] || ! systemctl is-active --quiet sensors.service; then
      systemctl restart sensors.service
      say "started sensors.service"
    fi
  fi
fi

if [ "$changes" -eq 0 ]; then
  echo "Nothing to change: the Sensors gateway is already installed as it should be."
else
  echo "Done: $changes change(s)."
fi
cat <<TEXT
Next steps:
  1. Edit ${root}/etc/sensors/gateway.json (Gateway:Id, Influx:Url, Site:File; examples in /etc/sensors/sites/examples/).
     Secrets go in /etc/sensors/secrets/ (mode 0640, group sensors), named in the settings as Influx:TokenFile, Mqtt:PasswordFile.
  2. Check it:   sensors config check --config /etc/sensors/gateway.json
  3. Apply it:   systemctl restart sensors     then   systemctl status sensors   or   curl http://127.0.0.1:8080/readyz
TEXT
