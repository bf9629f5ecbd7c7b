#!/usr/bin/env bash
# `make browser`: Debian's Chromium for the browser tests (Playwright drives /usr/bin/chromium
# through executable_path; Playwright's own browser download cannot run offline or in CI).
# Installs it when missing and this user can (root or password-less sudo, with apt-get);
# otherwise stops with one line saying how.
set -euo pipefail
CHROMIUM=/usr/bin/chromium
[ -x "$CHROMIUM" ] && exit 0

if command -v apt-get >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ]; then
        sudo=()
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo=(sudo -n)
    else
        echo "make: the browser tests need Debian's chromium: run 'sudo apt-get install chromium', then make test again" >&2
        exit 1
    fi
    echo "make: installing Debian's chromium for the browser tests"
    log=$(mktemp)
    export DEBIAN_FRONTEND=noninteractive
    if "${sudo[@]}" apt-get update -qq >"$log" 2>&1 &&
        "${sudo[@]}" apt-get install -y -qq chromium >>"$log" 2>&1 && [ -x "$CHROMIUM" ]; then
        rm -f "$log"
        exit 0
    fi
    echo "make: 'apt-get install chromium' failed (log: $log); install Debian's chromium at $CHROMIUM, then make test again" >&2
    exit 1
fi
echo "make: the browser tests need Chromium at $CHROMIUM (Debian's package 'chromium'); install it, then make test again" >&2
exit 1
