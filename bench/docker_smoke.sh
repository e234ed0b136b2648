#!/usr/bin/env bash
# Does the image build and does `docker compose up` work — on a machine without Docker Hub?
#
#     sudo bench/docker_smoke.sh            # KEEP=1 leaves the stack, the fakes and dockerd running
#
# From a clean Debian 12 machine with root, Debian's mirror and PyPI (nothing else from the internet):
#  1. installs docker.io, docker-compose and debootstrap from Debian if missing; starts dockerd (nice 19)
#     unless a daemon answers;
#  2. builds a Debian bookworm base image with debootstrap (minbase + python3 3.11 + venv) and
#     `docker import`s it; on top, tuberry-smoke/python:3.11: a venv first on PATH (`python`, `pip`, as
#     python:3.11-slim has them), trusting the host's extra CAs (/usr/local/share/ca-certificates, for a
#     TLS-intercepting egress proxy); PostgreSQL 15 and Redis 7 substitutes from Debian's packages that
#     honour the official images' interface (POSTGRES_* variables, /var/lib/postgresql/data, pg_isready;
#     `redis-server ...` command, /data, redis-cli);
#  3. builds the Tuberry image from this checkout with `--build-arg BASE=tuberry-smoke/python:3.11`
#     (pip installs requirements.lock with hashes from PyPI);
#  4. starts the fake Telegram and Avito on the host (bench/docker_fakes.py, relayed on the smoke
#     network's gateway) and runs docker-compose.yml with a generated .env and an override that only
#     swaps the images and pins the network; waits for `migrate` to finish, the bot's /healthz to answer
#     200 and Docker to call it healthy, and the worker's "worker is running" line; then plays one
#     conversation through the stack (RELAY=0 skips it): a buyer's message must reach its topic and a
#     manager's reply must reach Avito (the workspace is written to the database, not clicked together);
#  5. prints the figures and tears everything down (volumes included).
# It works on a scratch copy of the checkout (tracked and untracked files, not ignored ones) under
# $SMOKE_DIR, so the checkout's own .env is never read or written.
# Compose: Debian 12 ships docker-compose 1.29 (v1), which rejects the top-level `name:` (the copy drops
# it; `-p` names the project) and interpolates services of inactive profiles (PUBLIC_URL is set for the
# compose command only: caddy's profile is not started, and no container receives it).
# Needs: root on Debian 12 (bookworm) with 2 GB free (1.2 GB of images in /var/lib/docker), Debian's mirror, PyPI, and Python 3.11
# (this checkout's .venv for the fakes, else one is made). Environment: SMOKE_DIR (/var/tmp/tuberry-smoke),
# DEBIAN_MIRROR, EXTRA_CA_DIR, REBUILD=1 (debootstrap again), RELAY=0, KEEP=1.
# Took (2026-12-02, 2 cores shared with test runs, docker.io installed, daemon stopped): 3.5 to 4 min with
# REBUILD=1 (debootstrap + import 62-96 s, python/postgres/redis images 37-46 s, Tuberry image 48-65 s,
# 626 MB; compose up to /healthz 200 20-25 s, to Docker's "healthy" 40 s; relay 1.2-1.7 s in, 0.2-2.8 s
# out); about 50 s when the images exist.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=${SMOKE_DIR:-/var/tmp/tuberry-smoke}
# The mirror this machine's apt already uses (deb822 `URIs:` or a one-line `deb` entry), unless given.
apt_mirror() {
  { grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}'
    grep -hsE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | awk '{print $2}'
  } | grep -v -- '-security' | head -n 1
}
MIRROR=${DEBIAN_MIRROR:-$(apt_mirror)}
[ -n "$MIRROR" ] || { echo "no Debian mirror in /etc/apt: set DEBIAN_MIRROR" >&2; exit 1; }
CA_DIR=${EXTRA_CA_DIR:-/usr/local/share/ca-certificates}
NETWORK=tuberry-smoke-net
SUBNET=172.31.240.0/24
GATEWAY=172.31.240.1
POSTGRES_IP=172.31.240.10
PROJECT=tuberry-smoke
BASE_IMAGE=tuberry-smoke/debian:bookworm
PYTHON_IMAGE=tuberry-smoke/python:3.11
APP_IMAGE=tuberry-smoke/tuberry:latest
NICE=(nice -n 19)

log() { printf '%s  %s\n' "$(date -u +%T)" "$*"; }
die() { log "FAILED: $*"; exit 1; }
FIGURES=()
figure() { FIGURES+=("$(printf '  %-48s %s' "$1" "$2")"); log "$1: $2"; }

[[ $(id -u) == 0 ]] || die "run as root (apt-get, debootstrap and dockerd need it)"
mkdir -p "$WORK"

# ---------------------------------------------------------------- 1. tools and daemon
missing=()
command -v dockerd >/dev/null || missing+=(docker.io)
command -v docker-compose >/dev/null || missing+=(docker-compose)
command -v debootstrap >/dev/null || missing+=(debootstrap)
[[ -x $REPO/.venv/bin/python ]] || python3 -c 'import ensurepip' 2>/dev/null || missing+=(python3-venv)
if ((${#missing[@]})); then
    log "installing ${missing[*]} from Debian"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${NICE[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

DOCKERD_PID=
FAKES_PID=
COMPOSE=()
cleanup() {
    local status=$?
    if [[ ${KEEP:-0} == 1 ]]; then
        log "KEEP=1: left running (compose project $PROJECT, fakes pid ${FAKES_PID:-none}, dockerd pid ${DOCKERD_PID:-not ours})"
        exit "$status"
    fi
    if ((${#COMPOSE[@]})); then "${COMPOSE[@]}" down -v --remove-orphans >/dev/null 2>&1 || true; fi
    docker network rm "$NETWORK" >/dev/null 2>&1 || true
    if [[ -n $FAKES_PID ]]; then
        kill "$FAKES_PID" 2>/dev/null || true
        for _ in $(seq 20); do kill -0 "$FAKES_PID" 2>/dev/null || break; sleep 0.5; done
        kill -KILL "$FAKES_PID" 2>/dev/null || true
    fi
    if [[ -n $DOCKERD_PID ]]; then
        kill "$DOCKERD_PID" 2>/dev/null || true
        for _ in $(seq 60); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 0.5; done
    fi
    exit "$status"
}
trap cleanup EXIT

if ! docker info >/dev/null 2>&1; then
    log "starting dockerd (nice 19, so builds inherit it), log in $WORK/dockerd.log"
    nohup "${NICE[@]}" dockerd >"$WORK/dockerd.log" 2>&1 &
    DOCKERD_PID=$!
    for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
    docker info >/dev/null 2>&1 || die "dockerd did not answer in 60 s: see $WORK/dockerd.log"
fi

# ---------------------------------------------------------------- 2. base images
if [[ ${REBUILD:-0} == 1 ]] || ! docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
    log "debootstrap bookworm (minbase, python3, python3-venv) from $MIRROR"
    start=$SECONDS
    rm -rf "$WORK/rootfs"
    "${NICE[@]}" debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
        bookworm "$WORK/rootfs" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 \
        || die "debootstrap: see $WORK/debootstrap.log"
    # The downloaded .debs and package lists are not part of an image.
    rm -rf "$WORK"/rootfs/var/cache/apt/archives/*.deb "$WORK"/rootfs/var/cache/apt/*.bin \
        "$WORK"/rootfs/var/lib/apt/lists/*
    "${NICE[@]}" tar --numeric-owner -C "$WORK/rootfs" -c . | docker import - "$BASE_IMAGE" >/dev/null
    rm -rf "$WORK/rootfs"
    figure "base image (debootstrap + import)" "$((SECONDS - start)) s"
fi

start=$SECONDS
rm -rf "$WORK/python" && mkdir -p "$WORK/python/ca"
cp "$CA_DIR"/*.crt "$WORK/python/ca/" 2>/dev/null || true
cat >"$WORK/python/Dockerfile" <<EOF
FROM $BASE_IMAGE
COPY ca/ /usr/local/share/ca-certificates/
RUN update-ca-certificates >/dev/null && python3 -m venv /opt/python
# As in python:3.11-slim, \`python\` and \`pip\` come first on PATH (pip installs into the venv, not Debian's
# externally managed /usr); pip trusts the system store, which holds the host's extra CAs.
ENV PATH=/opt/python/bin:\$PATH PIP_CERT=/etc/ssl/certs/ca-certificates.crt
CMD ["python"]
EOF
docker build -q -t "$PYTHON_IMAGE" "$WORK/python" >"$WORK/python.log" 2>&1 || die "see $WORK/python.log"
log "$PYTHON_IMAGE: $(docker run --rm "$PYTHON_IMAGE" python --version)"

mkdir -p "$WORK/postgres" "$WORK/redis"
cat >"$WORK/postgres/entrypoint" <<'EOF'
#!/bin/sh
# The official postgres image's interface: POSTGRES_USER / _PASSWORD / _DB on first start, data in
# /var/lib/postgresql/data, password auth from the network.
set -eu
bin=/usr/lib/postgresql/15/bin
data=/var/lib/postgresql/data
as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }
mkdir -p "$data" /run/postgresql
chown postgres:postgres "$data" /run/postgresql
chmod 700 "$data"
if [ ! -s "$data/PG_VERSION" ]; then
    printf '%s\n' "$POSTGRES_PASSWORD" >/tmp/pwfile && chown postgres /tmp/pwfile
    as_postgres "$bin/initdb" -D "$data" -U "$POSTGRES_USER" --pwfile=/tmp/pwfile \
        --auth-local=trust --auth-host=scram-sha-256 >/dev/null
    rm /tmp/pwfile
    echo "host all all all scram-sha-256" >>"$data/pg_hba.conf"
    as_postgres "$bin/pg_ctl" -D "$data" -w -o "-c listen_addresses=''" start >/dev/null
    as_postgres psql -q -U "$POSTGRES_USER" -d postgres -c "CREATE DATABASE \"$POSTGRES_DB\""
    as_postgres "$bin/pg_ctl" -D "$data" -w stop >/dev/null
fi
exec setpriv --reuid=postgres --regid=postgres --init-groups "$bin/postgres" -D "$data" -c listen_addresses='*'
EOF
cat >"$WORK/postgres/Dockerfile" <<EOF
FROM $BASE_IMAGE
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        postgresql-15 >/dev/null && rm -rf /var/lib/postgresql/15 /etc/postgresql/15 /var/lib/apt/lists/*
COPY entrypoint /usr/local/bin/entrypoint
STOPSIGNAL SIGINT
ENTRYPOINT ["sh", "/usr/local/bin/entrypoint"]
EOF
cat >"$WORK/redis/entrypoint" <<'EOF'
#!/bin/sh
# As the official redis image: `redis-server ...` runs as redis in /data, reachable from the network.
set -eu
if [ "$1" = redis-server ]; then shift; set -- redis-server "$@" --protected-mode no; fi
chown redis:redis /data
exec setpriv --reuid=redis --regid=redis --init-groups "$@"
EOF
cat >"$WORK/redis/Dockerfile" <<EOF
FROM $BASE_IMAGE
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        redis-server >/dev/null && rm -rf /var/lib/apt/lists/* && mkdir /data
WORKDIR /data
ENTRYPOINT ["sh", "/usr/local/bin/entrypoint"]
CMD ["redis-server"]
COPY entrypoint /usr/local/bin/entrypoint
EOF
docker build -q -t tuberry-smoke/postgres:15 "$WORK/postgres" >"$WORK/postgres.log" 2>&1 || die "see $WORK/postgres.log"
docker build -q -t tuberry-smoke/redis:7 "$WORK/redis" >"$WORK/redis.log" 2>&1 || die "see $WORK/redis.log"
figure "python, postgres and redis images" "$((SECONDS - start)) s"

# ---------------------------------------------------------------- 3. the Tuberry image
rm -rf "$WORK/src" && mkdir -p "$WORK/src"
git -C "$REPO" ls-files -z --cached --others --exclude-standard \
    | (cd "$REPO" && tar --null -T - -cf -) | tar -C "$WORK/src" -xf -
start=$SECONDS
docker build --build-arg BASE="$PYTHON_IMAGE" -t "$APP_IMAGE" "$WORK/src" >"$WORK/build.log" 2>&1 \
    || die "image build: see $WORK/build.log"
figure "image build (Docker's layer cache applies)" "$((SECONDS - start)) s"
figure "image size" "$(docker image inspect -f '{{.Size}}' "$APP_IMAGE" | awk '{printf "%.0f MB", $1 / 1e6}')"

# ---------------------------------------------------------------- 4. compose up
cd "$WORK/src"
# Debian's docker-compose 1.29 does not know the top-level `name:` (Compose v2 does): `-p` names it.
sed -i '/^name:/d' docker-compose.yml
POSTGRES_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
SECRET_KEY=$(head -c 32 /dev/urandom | base64 | tr '+/' '-_')
MASTER_TOKEN="7100000001:AA$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 33)"
cat >.env <<EOF
MASTER_BOT_TOKEN=$MASTER_TOKEN
SECRET_KEY=$SECRET_KEY
POSTGRES_PASSWORD=$POSTGRES_PASSWORD
TELEGRAM_API_BASE=http://$GATEWAY:18081
AVITO_API_BASE=http://$GATEWAY:18082
EOF
cat >smoke.override.yml <<EOF
# Local substitutes for Docker Hub's images; the network gets a fixed gateway the fakes listen on, and
# PostgreSQL a fixed address the relay writes its workspace to.
services:
  postgres:
    image: "tuberry-smoke/postgres:15"
    networks: {default: {ipv4_address: "$POSTGRES_IP"}}
  redis: {image: "tuberry-smoke/redis:7"}
  migrate: {image: "$APP_IMAGE"}
  bot: {image: "$APP_IMAGE"}
  worker: {image: "$APP_IMAGE"}
networks:
  default:
    external: true
    name: $NETWORK
EOF
docker network inspect "$NETWORK" >/dev/null 2>&1 \
    || docker network create --subnet "$SUBNET" --gateway "$GATEWAY" "$NETWORK" >/dev/null

PYTHON=$REPO/.venv/bin/python
if [[ ! -x $PYTHON ]]; then
    log "creating $WORK/venv for the fakes"
    python3 -m venv "$WORK/venv" && "${NICE[@]}" "$WORK/venv/bin/pip" install -q -e "$REPO[dev]"
    PYTHON=$WORK/venv/bin/python
fi
(cd "$REPO" && exec "$PYTHON" -m bench.docker_fakes --listen="$GATEWAY" --master-token="$MASTER_TOKEN" \
    --database-url="postgresql+asyncpg://tuberry:$POSTGRES_PASSWORD@$POSTGRES_IP:5432/tuberry" \
    --secret-key="$SECRET_KEY") \
    >"$WORK/fakes.log" 2>&1 &
FAKES_PID=$!
for _ in $(seq 30); do grep -q ready "$WORK/fakes.log" && break; sleep 1; done
grep -q ready "$WORK/fakes.log" || die "fakes did not start: see $WORK/fakes.log"

# PUBLIC_URL: compose v1 interpolates the inactive tls profile too; no container gets this value.
COMPOSE=(env PUBLIC_URL=https://tls-profile-not-started.invalid docker-compose -p "$PROJECT"
    -f docker-compose.yml -f smoke.override.yml)
"${COMPOSE[@]}" config -q
start=$SECONDS
"${COMPOSE[@]}" up -d --no-build >"$WORK/compose-up.log" 2>&1 || {
    "${COMPOSE[@]}" logs --no-color --tail=40 >&2 || true
    die "docker-compose up: see $WORK/compose-up.log"
}
log "compose up returned after $((SECONDS - start)) s (migrate finished before bot and worker start)"

container() { "${COMPOSE[@]}" ps -q "$1" | head -n 1; }
bot=$(container bot)
bot_ip=$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$bot")
healthz=
for _ in $(seq 120); do
    if healthz=$(python3 -c "import urllib.request as u; print(u.urlopen('http://$bot_ip:8080/healthz', timeout=3).status)" 2>/dev/null); then
        break
    fi
    sleep 1
done
[[ $healthz == 200 ]] || { "${COMPOSE[@]}" logs --no-color --tail=40 bot >&2; die "bot /healthz did not answer 200"; }
figure "compose up to /healthz 200" "$((SECONDS - start)) s"

worker=$(container worker)
started="worker is running on queue"
for _ in $(seq 60); do docker logs "$worker" 2>&1 | grep -q "$started" && break; sleep 1; done
docker logs "$worker" 2>&1 | grep -q "$started" \
    || { docker logs --tail=40 "$worker" >&2; die "the worker did not log '$started'"; }
log "worker: $(docker logs "$worker" 2>&1 | grep -m1 -o "$started.*")"

for _ in $(seq 120); do
    [[ $(docker inspect -f '{{.State.Health.Status}}' "$bot") == healthy ]] && break
    sleep 1
done
[[ $(docker inspect -f '{{.State.Health.Status}}' "$bot") == healthy ]] || die "Docker never called the bot healthy"
figure "compose up to Docker's healthy (30 s checks)" "$((SECONDS - start)) s"

if [[ ${RELAY:-1} == 1 ]]; then
    kill -USR1 "$FAKES_PID"
    for _ in $(seq 300); do grep -q '^relay ' "$WORK/fakes.log" && break; sleep 1; done
    result=$(grep -m1 '^relay ' "$WORK/fakes.log" || echo "relay: no answer in 300 s")
    [[ $result == "relay ok"* ]] || { "${COMPOSE[@]}" logs --no-color --tail=30 bot worker >&2; die "$result"; }
    figure "relay (poll interval 10 s)" "${result#relay ok: }"
fi

"${COMPOSE[@]}" ps
echo
log "figures:"
printf '%s\n' "${FIGURES[@]}"
log "OK: the image builds and docker-compose up serves /healthz with a running worker"
