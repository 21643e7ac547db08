#!/usr/bin/env bash
# Set up a fresh machine: Debian packages the readers and fixtures need (when run as root with
# apt-get), then a virtual environment in .venv with govreport and its development tools.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v soffice >/dev/null 2>&1 || need_apt+=(libreoffice-writer-nogui)
{ command -v fc-list >/dev/null 2>&1 && fc-list :lang=zh | grep -qi "noto"; } || need_apt+=(fonts-noto-cjk)
command -v pdftoppm >/dev/null 2>&1 || need_apt+=(poppler-utils)
# the fonts the realistic scan fixtures set their tables in (宋体, 仿宋, 楷体, 黑体 stand-ins;
# tests/fixtures/scans/realistic.py)
for pkg in fonts-arphic-gbsn00lp fonts-arphic-gkai00mp fonts-wqy-zenhei fonts-cwtex-fs; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "bootstrap: installing Debian packages: ${need_apt[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "bootstrap: DOC/WPS reading and the Word/PDF fixtures need: sudo apt-get install ${need_apt[*]}" >&2
  fi
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[ocr,dev]"  # ocr: rapidocr-onnxruntime with its models in the wheel
echo "bootstrap: ready (.venv/bin/govreport)" >&2
