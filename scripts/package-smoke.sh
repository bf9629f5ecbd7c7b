#!/usr/bin/env bash
# `make package`: build the wheel, install it into a clean venv with the interpreter's own pip
# (no upgrade: old pips do not resolve extras such as lxml[html_clean] reliably), then run the
# installed `clusternews` from an empty folder, away from the repository's models/:
# --version, analyze on a sample, and the demo ingest without serving.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
work=$(mktemp -d "${TMPDIR:-/tmp}/clusternews-package.XXXXXX")
trap 'rm -rf "$work"' EXIT
started=$SECONDS
step() { echo "package: $* ($((SECONDS - started)) s)"; }

# Build from a copy of the tracked and new files, so no stale build/ output slips into the wheel.
mkdir "$work/src"
git ls-files -z --cached --others --exclude-standard |
    xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
    tar --null -T - -cf - | tar -xf - -C "$work/src"
"$PYTHON" -m venv "$work/venv"
py="$work/venv/bin/python"
step "building the wheel with $("$py" -m pip --version | cut -d' ' -f1-2)"
"$py" -m pip wheel --quiet --no-deps "$work/src" -w "$work/dist"
wheel=$(ls "$work"/dist/clusternews-*.whl)
step "installing $(basename "$wheel") ($(du -h "$wheel" | cut -f1))"
"$py" -m pip install --quiet "$wheel"

mkdir "$work/run" && cd "$work/run"
unset CLUSTERNEWS_MODELS CLUSTERNEWS_CONFIG CLUSTERNEWS_DATABASE_URL
cn="$work/venv/bin/clusternews"
step "clusternews --version: $("$cn" --version)"

sample='{"id": "smoke", "text": "Mineralklynge Norge og LKAB samarbeider om ny gruvedrift i Narvik."}'
out=$(printf '%s\n' "$sample" | "$cn" analyze --jsonl -)
"$py" - "$out" <<'EOF'
import json, sys
got = json.loads(sys.argv[1])
ids = {e["id"] for e in got["entities"]}
assert got["language"] == "no", got
assert {"org:mineralklynge-norge", "org:lkab"} <= ids and "Nordland" in got["regions"], got
EOF
step "analyze: Norwegian, Mineralklynge Norge, LKAB, Narvik → Nordland"

"$cn" demo --no-serve >demo.log 2>&1 || { tail -n 20 demo.log; exit 1; }
stored=$(grep -oE '[0-9]+ articles stored' demo.log | grep -oE '^[0-9]+' || echo 0)
if [ "$stored" -lt 10 ] || ! ls var/demo/digest/*.html >/dev/null 2>&1; then
    tail -n 20 demo.log
    echo "package: the demo ingest stored $stored articles and no digest preview" >&2
    exit 1
fi
step "demo --no-serve: $stored articles stored, digest preview written"
echo "package: ok in $((SECONDS - started)) s"
