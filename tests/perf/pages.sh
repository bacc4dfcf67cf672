#!/usr/bin/env bash
# The web app's pages on a site with a year of bookings: how long the
# server takes to render each page people use, at one connection so the
# figure is the render (and the session lookup), not queueing; and what a
# phone downloads on a first visit of the home page. Prints figures;
# asserts nothing (issue 23, target 5: p50 under 10 ms, home page under
# 60 KB compressed).
#
# The demo site is started once to create it, stopped, given a year of
# past bookings (every computer, desk and room, six a day, checked in) by
# plain SQL, and started again.
#
# Usage: tests/perf/pages.sh [target/release/livingroom] [seconds per page]
#        (needs wrk, curl, python3)
set -euo pipefail
bin="${1:-target/release/livingroom}"
seconds="${2:-5}"
port=18798
dir=$(mktemp -d)
base="http://127.0.0.1:$port"
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$dir"' EXIT

start() {
    DATABASE_URL="sqlite://$dir/db" LIVINGROOM_MAIL_DIR="$dir/mail" RUST_LOG=warn \
        LIVINGROOM_SIGN_IN_BURST=1000 "$bin" --demo --bind "127.0.0.1:$port" >> "$dir/log" 2>&1 &
    pid=$!
    for _ in $(seq 1 100); do curl -sf "$base/readyz" >/dev/null && return; sleep 0.1; done
    echo "the server did not start"; tail "$dir/log"; exit 1
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=; }

start
stop
python3 - "$dir/db" <<'EOF'
import sqlite3, sys, datetime, json
db = sqlite3.connect(sys.argv[1])
site, = db.execute("SELECT id FROM sites WHERE slug = 'demo'").fetchone()
members = [r[0] for r in db.execute("SELECT user_id FROM memberships WHERE site_id = ?", (site,))]
resources = db.execute("SELECT id, rules FROM resources WHERE site_id = ?", (site,)).fetchall()
today = datetime.datetime.utcnow().date()
fmt = "%Y-%m-%d %H:%M:%S"
rows = []
k = 0
for day in range(1, 366):
    d = today - datetime.timedelta(days=day)
    for rid, rules in resources:
        buffer = json.loads(rules).get("buffer_minutes", 0) if rules else 0
        for hour in (1, 2, 3, 5, 6, 7):  # UTC: 09:00-15:00 in Shanghai
            start = datetime.datetime(d.year, d.month, d.day, hour)
            end = start + datetime.timedelta(minutes=45)
            owner = members[k % len(members)]
            k += 1
            rows.append((site, rid, owner, start.strftime(fmt), end.strftime(fmt),
                         (end + datetime.timedelta(minutes=buffer)).strftime(fmt),
                         "confirmed", "routine", "历史记录", 0, start.strftime(fmt),
                         start.strftime(fmt), start.strftime(fmt)))
added = 0
for row in rows:
    # The demo's own recent history may hold the hour already (the
    # database's no-overlap and one-seat rules refuse it): skip those.
    try:
        db.execute("""INSERT INTO bookings (site_id, resource_id, owner_id, starts_at, ends_at,
            busy_until, status, urgency, purpose, flexible, created_at, updated_at, checked_in_at)
            VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)""", row)
        added += 1
    except sqlite3.IntegrityError:
        pass
db.commit()
print(f"added {added} past bookings on {len(resources)} resources over 365 days")
EOF
start

signin() {
    curl -s -o /dev/null -D - -X POST "$base/login" \
        --data-urlencode "email=$1" --data-urlencode "password=livingroom-demo" \
        --data-urlencode "next=/" | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\).*/\1/p' | head -1
}
worker=$(signin qian.kai@livingroom.example)
secretary=$(signin secretary@livingroom.example)
volunteer=$(signin wu.shifu@livingroom.example)
leader=$(signin qipao.lead@livingroom.example)
[ -n "$worker" ] && [ -n "$secretary" ] || { echo "sign-in failed"; exit 1; }

bytes() { curl -s -o /dev/null -w '%{size_download}' -H "accept-encoding: gzip" -H "cookie: $worker" "$base$1"; }
total=0
echo "First visit of the home page, bytes on the wire (gzip where the server sends it):"
for path in /s/demo /assets/app.css /assets/htmx.min.js /assets/icon.svg /manifest.webmanifest; do
    n=$(bytes "$path")
    total=$((total + n))
    printf '  %-24s %7d\n' "$path" "$n"
done
printf '  %-24s %7d  (%.1f KB; the target is under 60 KB)\n' "total" "$total" "$(echo "$total / 1024" | bc -l)"

echo
echo "Server-side render, 1 connection, ${seconds} s per page (wrk; ms):"
printf '  %-44s %-10s %8s %8s %8s %9s\n' page who p50 p90 p99 pages/s
measure() {
    local who=$1 cookie=$2 path=$3
    local status
    status=$(curl -s -o /dev/null -w '%{http_code}' -H "cookie: $cookie" "$base$path")
    if [ "$status" != 200 ]; then
        printf '  %-44s %-10s answered HTTP %s; not measured\n' "$path" "$who" "$status"
        return
    fi
    wrk -t1 -c1 -d"${seconds}s" --latency -H "cookie: $cookie" "$base$path" | awk -v p="$path" -v w="$who" '
        function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
        $1 == "50%" { p50 = ms($2) } $1 == "90%" { p90 = ms($2) } $1 == "99%" { p99 = ms($2) }
        $1 == "Requests/sec:" { rps = $2 }
        END { printf "  %-44s %-10s %8.2f %8.2f %8.2f %9.0f\n", p, w, p50, p90, p99, rps }'
}
measure worker "$worker" /s/demo
measure worker "$worker" /s/demo/computer
measure worker "$worker" /s/demo/bookings
measure worker "$worker" /s/demo/shifts
measure worker "$worker" /me
measure leader "$leader" /s/demo/rooms
measure leader "$leader" /s/demo/rooms/mine
measure volunteer "$volunteer" /s/demo/duties
measure volunteer "$volunteer" /s/demo/duties/mine
measure secretary "$secretary" /s/demo/console
measure secretary "$secretary" /s/demo/console/people
measure secretary "$secretary" /s/demo/console/resources
measure secretary "$secretary" /s/demo/console/approvals
measure secretary "$secretary" /s/demo/console/calendar
measure secretary "$secretary" /s/demo/console/rota
measure secretary "$secretary" /s/demo/console/duties
measure secretary "$secretary" /s/demo/console/audit
measure secretary "$secretary" /s/demo/console/reports/rooms
measure secretary "$secretary" /s/demo/console/reports/computers
measure secretary "$secretary" /s/demo/console/reports/front-desk
measure secretary "$secretary" /s/demo/console/reports/volunteers
measure secretary "$secretary" /s/demo/console/reports/summary
measure anyone "" /board/demo
