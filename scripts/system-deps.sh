#!/usr/bin/env bash
# Installs the system packages Cunjing needs when running as root: espeak-ng for offline speech,
# fonts-wqy-zenhei for the Chinese text of village posters and report charts (a TrueType font:
# reportlab cannot embed the CFF outlines of fonts-noto-cjk).
set -u
quiet=0; [ "${1:-}" = "--quiet" ] && quiet=1
need=()
command -v espeak-ng >/dev/null 2>&1 || need+=(espeak-ng)
[ -e /usr/lib/x86_64-linux-gnu/libespeak-ng.so.1 ] || [ -e /usr/lib/aarch64-linux-gnu/libespeak-ng.so.1 ] \
  || ls /usr/lib/*/libespeak-ng.so* >/dev/null 2>&1 || need+=(libespeak-ng1)
[ -e /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || need+=(fonts-wqy-zenhei)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${need[*]} with apt-get ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  exit $?
fi
[ $quiet = 1 ] || echo "Missing ${need[*]}: install it (Debian/Ubuntu: sudo apt-get install ${need[*]}) for speech and posters." >&2
exit 0
