#!/usr/bin/env bash
# Check, in a scratch copy, that nbdev_export reproduces clippings/ exactly and that nbdev_clean changes no notebook.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/.venv/bin"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cp -r "$root/nbs" "$root/clippings" "$root/settings.ini" "$root/setup.py" "$tmp/"
cd "$tmp"
"$bin/python" -c "from nbdev.doclinks import nbdev_export; nbdev_export()"
"$bin/python" -c "from nbdev.clean import nbdev_clean; nbdev_clean()"
status=0
if ! diff -r -x __pycache__ "$root/clippings" clippings; then
  echo "clippings/ differs from what nbs/ exports: run nbdev_export and commit (never edit clippings/ by hand)"; status=1
fi
if ! diff -r -x .ipynb_checkpoints "$root/nbs" nbs >/dev/null; then
  diff -rq -x .ipynb_checkpoints "$root/nbs" nbs || true
  echo "nbdev_clean would change the notebooks above: run nbdev_clean and commit"; status=1
fi
[ $status = 0 ] && echo "library matches nbdev_export; notebooks are clean"
exit $status
