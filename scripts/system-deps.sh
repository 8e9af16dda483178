#!/usr/bin/env bash
# Installs the system packages Cunjing needs when running as root: espeak-ng for offline speech,
# the libraries OpenCV loads for offline OCR of screenshots,
# fonts-wqy-zenhei for the Chinese text of village posters and report charts (a TrueType font:
# reportlab cannot embed the CFF outlines of fonts-noto-cjk).
set -u
quiet=0; [ "${1:-}" = "--quiet" ] && quiet=1
need=()
command -v espeak-ng >/dev/null 2>&1 || need+=(espeak-ng)
[ -e /usr/lib/x86_64-linux-gnu/libespeak-ng.so.1 ] || [ -e /usr/lib/aarch64-linux-gnu/libespeak-ng.so.1 ] \
  || ls /usr/lib/*/libespeak-ng.so* >/dev/null 2>&1 || need+=(libespeak-ng1)
[ -e /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || need+=(fonts-wqy-zenhei)
# opencv-python (under rapidocr-onnxruntime, which reads screenshots) loads these system libraries
have_lib() { ls /usr/lib/*/"$1" /lib/*/"$1" >/dev/null 2>&1; }
have_lib libGL.so.1 || need+=(libgl1)
have_lib libxcb.so.1 || need+=(libxcb1)
have_lib libglib-2.0.so.0 || need+=("$(apt-cache show libglib2.0-0t64 >/dev/null 2>&1 && echo libglib2.0-0t64 || echo libglib2.0-0)")
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${need[*]} with apt-get ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  exit $?
fi
[ $quiet = 1 ] || echo "Missing ${need[*]}: install it (Debian/Ubuntu: sudo apt-get install ${need[*]}) for speech and posters." >&2
exit 0
