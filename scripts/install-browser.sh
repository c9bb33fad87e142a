#!/usr/bin/env bash
# Install what the browser journeys (tests/browser/, issue 9 item 2) need:
#   - Debian's Chromium at /usr/bin/chromium (Playwright drives it through `executable_path`; nothing
#     downloads a browser build, and `playwright install` is never run);
#   - axe-core from the npm registry into node_modules/ (pinned in package.json / package-lock.json).
#
# Idempotent and fast: when both are present it only checks the files and exits (no `apt-get update`,
# no npm call). It never fails the build: without apt or npm (macOS, non-root, offline) it prints a
# warning and exits 0; the browser tests then skip themselves with a clear reason.
set -u
cd "$(dirname "$0")/.."

CHROMIUM=${BROWSER_JOURNEYS_CHROMIUM:-/usr/bin/chromium}  # overridable to test this script
AXE=node_modules/axe-core/axe.min.js

warn() { echo "install-browser: WARNING: $*" >&2; }

install_chromium() {
    [ -x "$CHROMIUM" ] && return 0
    if ! command -v apt-get >/dev/null 2>&1; then
        warn "apt-get is not available; install Chromium yourself (the browser tests will be skipped)."
        return 0
    fi
    local SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            SUDO="sudo -n"
        else
            warn "not root and no password-less sudo: cannot install chromium (the browser tests will be skipped)."
            return 0
        fi
    fi
    echo "install-browser: installing chromium"
    export DEBIAN_FRONTEND=noninteractive
    if ! $SUDO apt-get install -y --no-install-recommends chromium fonts-noto-core >/dev/null 2>&1; then
        # The package lists may be missing or stale: refresh them once, then retry.
        if ! { $SUDO apt-get update -qq >/dev/null 2>&1 \
            && $SUDO apt-get install -y --no-install-recommends chromium fonts-noto-core >/dev/null 2>&1; }; then
            warn "apt-get could not install chromium (offline?); the browser tests will be skipped."
            return 0
        fi
    fi
    [ -x "$CHROMIUM" ] || warn "chromium is installed but $CHROMIUM is missing."
}

install_axe() {
    # The installed version must be the locked one: compare package.json's pin with what is on disk.
    local wanted installed
    wanted=$(sed -n 's/.*"axe-core": *"\([^"]*\)".*/\1/p' package.json | head -n1)
    installed=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' node_modules/axe-core/package.json 2>/dev/null | head -n1)
    [ -f "$AXE" ] && [ -n "$wanted" ] && [ "$installed" = "$wanted" ] && return 0
    if ! command -v npm >/dev/null 2>&1; then
        warn "npm is not available; install Node.js and run 'npm ci' (the browser tests will be skipped)."
        return 0
    fi
    echo "install-browser: installing axe-core $wanted (npm ci)"
    if ! npm ci --no-audit --no-fund --loglevel=error >/dev/null 2>&1; then
        warn "npm ci failed (offline?); the accessibility checks will be skipped."
        return 0
    fi
}

install_chromium
install_axe
exit 0
