#!/usr/bin/env bash
# Runs before `npm test`: the console's browser tests drive Debian's Chromium (no browser is
# downloaded at run time). Installs it when missing and we are root with apt; otherwise says how.
set -euo pipefail
if [ -n "${CHROMIUM_PATH:-}" ] && [ -x "${CHROMIUM_PATH}" ]; then
  exit 0
fi
if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests (apt-get)…" >&2
  apt-get update -qq >&2
  # The CJK font only makes the saved screenshots legible; the tests do not need it.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei fonts-noto-color-emoji >&2
else
  echo "chromium is not installed and cannot be installed here (needs root and apt-get): the browser tests will fail." >&2
  echo "Install it with: sudo apt-get install chromium (or set CHROMIUM_PATH to a Chromium binary)" >&2
fi
