#!/bin/sh
# Install Debian's chromium for the browser tests (tests/browser) when it is missing.
# Quiet and idempotent; never fails the build: without a browser the browser tests skip themselves.
CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install_browser: $CHROMIUM is missing and apt-get is not available; browser tests will be skipped."
    exit 0
fi

SUDO=""
if [ "$(id -u)" != "0" ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO="sudo -n"
    else
        echo "install_browser: $CHROMIUM is missing and installing it needs root; browser tests will be skipped."
        exit 0
    fi
fi

echo "install_browser: installing chromium with apt-get (for the browser tests)..."
if $SUDO apt-get -o DPkg::Lock::Timeout=120 update -qq >/dev/null 2>&1 \
    && DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=120 install -y -qq chromium >/dev/null 2>&1 \
    && [ -x "$CHROMIUM" ]; then
    echo "install_browser: chromium installed at $CHROMIUM."
else
    echo "install_browser: could not install chromium (no package index reachable?); browser tests will be skipped."
fi
exit 0
