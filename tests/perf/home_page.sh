#!/usr/bin/env bash
# The web app's home page: what a phone downloads on a first visit
# (compressed, as a browser asks for it) and how long the server takes to
# render it for a signed-in social worker, at one connection so the figure
# is the render, not queueing. Prints figures; asserts nothing.
#
# Usage: tests/perf/home_page.sh [target/release/livingroom]   (needs wrk, curl)
set -euo pipefail
bin="${1:-target/release/livingroom}"
port=18799
dir=$(mktemp -d)
DATABASE_URL="sqlite://$dir/db" LIVINGROOM_MAIL_DIR="$dir/mail" RUST_LOG=warn \
    "$bin" --demo --bind "127.0.0.1:$port" > "$dir/log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
base="http://127.0.0.1:$port"

# Sign in as a social worker, as the form does.
cookie=$(curl -s -o /dev/null -D - -X POST "$base/login" \
    --data-urlencode "email=qian.kai@livingroom.example" --data-urlencode "password=livingroom-demo" \
    --data-urlencode "next=/" | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\).*/\1/p' | head -1)
[ -n "$cookie" ] || { echo "sign-in failed"; exit 1; }

bytes() { curl -s -o /dev/null -w '%{size_download}' -H "accept-encoding: gzip" -H "cookie: $cookie" "$base$1"; }
total=0
echo "First visit of the home page, bytes on the wire (gzip where the server sends it):"
for path in /s/demo /assets/app.css /assets/htmx.min.js /assets/icon.svg /manifest.webmanifest; do
    n=$(bytes "$path")
    total=$((total + n))
    printf '  %-24s %7d\n' "$path" "$n"
done
printf '  %-24s %7d  (%.1f KB; the target is under 60 KB)\n' "total" "$total" "$(echo "$total / 1024" | bc -l)"

echo
echo "Server-side render of /s/demo for a signed-in social worker, 1 connection, 10 s (wrk):"
wrk -t1 -c1 -d10s --latency -H "cookie: $cookie" "$base/s/demo" | sed -n '/Latency Distribution/,/99%/p;/Requests\/sec/p'
