# shellcheck shell=bash
# Shared by scripts/demo and scripts/test. Sourced, not run.

# Installs the Debian packages that are missing (apt-get update first, once).
ensure_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "Installing Debian packages: ${missing[*]}"
  # Another apt (unattended-upgrades, a software centre) may hold dpkg's lock for a while: wait
  # for it up to 5 minutes, saying so, rather than failing at once with "Could not get lock".
  local wait=(-o DPkg::Lock::Timeout=300) tries=0
  until $sudo apt-get "${wait[@]}" update -qq 2>"${TMPDIR:-/tmp}/sensors-apt-update.err"; do
    if ! grep -q "Could not get lock" "${TMPDIR:-/tmp}/sensors-apt-update.err" || [ $((tries += 1)) -gt 30 ]; then
      cat "${TMPDIR:-/tmp}/sensors-apt-update.err" >&2
      rm -f "${TMPDIR:-/tmp}/sensors-apt-update.err"
      return 1
    fi
    [ "$tries" -eq 1 ] && echo "Another apt is running (it holds apt's lock); waiting for it, up to 5 minutes..."
    sleep 10
  done
  rm -f "${TMPDIR:-/tmp}/sensors-apt-update.err"
  # The packages' own services are not started here when policy-rc.d forbids it; where they
  # are (a desktop Debian), they listen on their default ports and we use ports of our own.
  DEBIAN_FRONTEND=noninteractive $sudo apt-get "${wait[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

require_dotnet() {
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "The .NET SDK 10 is needed (dotnet not found): see https://learn.microsoft.com/dotnet/core/install/linux-debian" >&2
    exit 1
  fi
  local major
  major=$(dotnet --version | cut -d. -f1)
  if [ "$major" -lt 10 ]; then
    echo "The .NET SDK 10 is needed; this machine has $(dotnet --version)." >&2
    exit 1
  fi
}

# True when something listens on 127.0.0.1:$1.
port_busy() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Waits until 127.0.0.1:$1 accepts connections, for at most $2 seconds.
wait_for_port() {
  local port=$1 seconds=$2 i
  for ((i = 0; i < seconds * 10; i++)); do
    port_busy "$port" && return 0
    sleep 0.1
  done
  return 1
}

# Prints a loopback port from 20000–39999 that is free, as is the port two above it (InfluxDB's RPC).
free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 20000))
    port_busy "$port" || port_busy $((port + 2)) || { echo "$port"; return 0; }
  done
}
