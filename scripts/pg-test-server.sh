#!/usr/bin/env bash
# A throwaway PostgreSQL server for the progress-store tests.
#
#   scripts/pg-test-server.sh start   # prints postgresql+psycopg://... (use as ROADMAP_TEST_PG_URL)
#   scripts/pg-test-server.sh url     # prints the URL of the running server again
#   scripts/pg-test-server.sh stop    # stops it and deletes its files; fine to run twice
#
# Uses Debian's binaries (/usr/lib/postgresql/*/bin, package `postgresql`), or PG_BIN.
# The cluster lives in a fresh temp dir, runs as an unprivileged user (as root: the
# `postgres` user, created if missing; otherwise the caller), listens on 127.0.0.1 on a
# free port with trust auth, and holds one database, roadmap_test. It is for tests only:
# synchronous_commit is off (like SQLite's synchronous=NORMAL in WAL mode).
# State (dir, port) is kept in $ROADMAP_PG_STATE (default /tmp/roadmap-lab-pg.state).
# Exit status: 0 ok; 3 PostgreSQL is not installed; 1 any other failure.
set -euo pipefail

STATE=${ROADMAP_PG_STATE:-${TMPDIR:-/tmp}/roadmap-lab-pg.state}
DB=roadmap_test
SUPERUSER=roadmap

die() { echo "pg-test-server: $1" >&2; exit "${2:-1}"; }

find_bin() {
    local d=${PG_BIN:-}
    [[ -n $d ]] || d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    [[ -n $d && -x $d/initdb ]] || die "PostgreSQL is not installed (apt-get install postgresql)" 3
    echo "$d"
}

run_user() {  # the unprivileged user the server runs as
    if [[ $(id -u) -ne 0 ]]; then id -un; return; fi
    if ! id postgres >/dev/null 2>&1; then
        useradd --system --no-create-home --shell /usr/sbin/nologin postgres >/dev/null
    fi
    echo postgres
}

as_user() {  # as_user USER cmd...
    local u=$1; shift
    if [[ $u == "$(id -un)" ]]; then "$@"
    elif command -v runuser >/dev/null; then runuser -u "$u" -- "$@"
    else su -s /bin/sh "$u" -c "$(printf '%q ' "$@")"
    fi
}

free_port() {
    local p
    for p in $(shuf -i 20000-60000 -n 50); do
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
    done
    die "no free TCP port found"
}

url_of() { echo "postgresql+psycopg://$SUPERUSER@127.0.0.1:$1/$DB"; }

running() {  # running DIR PORT USER BIN
    [[ -f $1/data/postmaster.pid ]] && as_user "$3" "$4/pg_ctl" -D "$1/data" status >/dev/null 2>&1
}

cmd_start() {
    local bin user dir port
    bin=$(find_bin)
    user=$(run_user)
    if [[ -f $STATE ]]; then
        # shellcheck disable=SC1090
        source "$STATE"
        if running "$dir" "$port" "$user" "$bin"; then url_of "$port"; return; fi
        cmd_stop
    fi
    dir=$(mktemp -d "${TMPDIR:-/tmp}/roadmap-pg.XXXXXX")
    chmod 700 "$dir"
    [[ $user == "$(id -un)" ]] || chown "$user" "$dir"
    port=$(free_port)
    printf 'dir=%q\nport=%q\n' "$dir" "$port" >"$STATE"
    as_user "$user" "$bin/initdb" -D "$dir/data" -U "$SUPERUSER" --auth=trust -E UTF8 \
        --no-locale >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
    as_user "$user" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c synchronous_commit=off -c max_connections=100" \
        start >/dev/null || { cat "$dir/server.log" >&2; die "the server did not start"; }
    as_user "$user" "$bin/createdb" -h 127.0.0.1 -p "$port" -U "$SUPERUSER" "$DB" \
        || die "createdb failed"
    url_of "$port"
}

cmd_url() {
    [[ -f $STATE ]] || die "no test server is running (run: $0 start)"
    # shellcheck disable=SC1090
    source "$STATE"
    url_of "$port"
}

cmd_stop() {
    [[ -f $STATE ]] || return 0
    local dir port bin user
    # shellcheck disable=SC1090
    source "$STATE"
    if [[ -n ${dir:-} && -d $dir ]]; then
        bin=$(find_bin 2>/dev/null || true)
        user=$(stat -c %U "$dir")
        if [[ -n $bin && -f $dir/data/postmaster.pid ]]; then
            as_user "$user" "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
        fi
        rm -rf -- "$dir"
    fi
    rm -f -- "$STATE"
}

case ${1:-} in
    start) cmd_start ;;
    stop) cmd_stop ;;
    url) cmd_url ;;
    *) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
esac
