#!/usr/bin/env bash
# Install the system packages WeasyPrint needs to render every script the programme writes in
# (R-RPT-5; issue 10 item 5): Pango/HarfBuzz and the Noto fonts for Khmer, Bengali, Ethiopic (Amharic),
# Arabic and Urdu (fonts-noto-core), plus DejaVu as the Latin fallback.
#
# Idempotent and fast: when every package is installed already it only runs `dpkg -s` / `fc-list` and
# exits (no `apt-get update`). It never fails the build: without apt (macOS, non-root, no network) it prints
# a warning and exits 0; PDFs then fall back to whatever fonts exist and the font test is skipped.
set -u

PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-core fonts-dejavu-core fontconfig)
# One language per script the PDFs must render (fontconfig language tags).
LANGS=(km bn am ar ur)

warn() { echo "install-system-packages: WARNING: $*" >&2; }

fonts_ok() {
    command -v fc-list >/dev/null 2>&1 || return 1
    local lang
    for lang in "${LANGS[@]}"; do
        [ -n "$(fc-list ":lang=${lang}" family 2>/dev/null)" ] || return 1
    done
}

missing=()
if command -v dpkg >/dev/null 2>&1; then
    for pkg in "${PACKAGES[@]}"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
fi

if [ ${#missing[@]} -eq 0 ] && fonts_ok; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    warn "apt-get is not available; install Pango, HarfBuzz and Noto fonts (Khmer, Bengali, Ethiopic, Arabic) yourself."
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO="sudo -n"
    else
        warn "not root and no password-less sudo; missing: ${missing[*]:-fonts}. PDFs may show empty boxes for some scripts."
        exit 0
    fi
fi
[ ${#missing[@]} -eq 0 ] && missing=("${PACKAGES[@]}")
echo "install-system-packages: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
    # The package lists may be missing or stale: refresh them once, then retry.
    if ! { $SUDO apt-get update -qq >/dev/null 2>&1 \
        && $SUDO apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1; }; then
        warn "apt-get could not install ${missing[*]} (offline?). PDFs may show empty boxes for some scripts."
        exit 0
    fi
fi
command -v fc-cache >/dev/null 2>&1 && fc-cache -f >/dev/null 2>&1
fonts_ok || warn "fonts are installed but fontconfig still lacks one of: ${LANGS[*]}"
exit 0
