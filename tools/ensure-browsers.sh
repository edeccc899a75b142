#!/usr/bin/env bash
# Makes sure the browsers the tests drive are present: Debian's chromium (Playwright drives it via
# executable_path; `playwright install` is never used) and firefox-esr (puppeteer-core over BiDi).
# As root on Debian it installs what is missing; anywhere else it says exactly what to install.
# CHROMIUM=/path and FIREFOX=/path point the tests at other binaries.
set -euo pipefail

found() { # found VAR name...: the VAR's path if set, else the first name on PATH
  local var=$1; shift
  if [ -n "${!var:-}" ]; then
    [ -x "${!var}" ] && return 0
    echo "$var=${!var} is not an executable file: fix the path or unset $var" >&2
    exit 1
  fi
  local name
  for name in "$@"; do command -v "$name" >/dev/null 2>&1 && return 0; done
  return 1
}

missing=()
found CHROMIUM chromium chromium-browser || missing+=(chromium)
found FIREFOX firefox-esr firefox || missing+=(firefox-esr)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && [ -f /etc/debian_version ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${missing[*]} (Debian packages) for the browser tests..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
  exit 0
fi

{
  echo "The browser tests need: ${missing[*]}"
  echo "  Debian/Ubuntu, as root:  apt-get install -y ${missing[*]}"
  echo "  or point the tests at installed binaries:  CHROMIUM=/path/to/chromium FIREFOX=/path/to/firefox-esr make test"
} >&2
exit 1
