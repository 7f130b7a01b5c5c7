# Sourced by .ci/run (as root, on Debian with Go): installs PostgreSQL from
# Debian's packages if needed, starts a throw-away cluster in a temporary
# directory on 127.0.0.1 and a free port, creates a database and exports
# WIRECRAWL_TEST_POSTGRES for the store tests. The cluster is stopped and
# removed when the sourcing shell exits. Idempotent: sourcing it again while
# its cluster answers does nothing. Every variable it exports is named
# WIRECRAWL_TEST_*: wirecrawl rejects other WIRECRAWL_* names as unknown keys.

wirecrawl_pg_setup() {
	if [ -n "${WIRECRAWL_TEST_POSTGRES:-}" ] && [ -n "${WIRECRAWL_TEST_PG_DIR:-}" ] && [ -d "${WIRECRAWL_TEST_PG_DIR}" ] &&
		"${WIRECRAWL_TEST_PG_BIN}/pg_isready" -q -h 127.0.0.1 -p "${WIRECRAWL_TEST_PG_PORT}" 2>/dev/null; then
		echo "postgres: already running on port ${WIRECRAWL_TEST_PG_PORT}"
		return 0
	fi
	if [ -n "${WIRECRAWL_TEST_POSTGRES:-}" ] && [ -z "${WIRECRAWL_TEST_PG_DIR:-}" ]; then
		echo "postgres: using WIRECRAWL_TEST_POSTGRES from the environment"
		return 0
	fi

	local bin
	bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
		echo "postgres: installing from Debian packages"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq || return 1
		apt-get install -y -qq postgresql >/dev/null || return 1
		bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	fi
	if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
		echo "postgres: initdb not found after installing postgresql" >&2
		return 1
	fi

	# initdb and the server refuse to run as root: use the postgres user.
	local user=postgres as=()
	if [ "$(id -u)" = 0 ]; then
		id -u "$user" >/dev/null 2>&1 || useradd --system --no-create-home "$user" || return 1
		as=(runuser -u "$user" --)
	fi

	local dir port
	dir=$(mktemp -d /tmp/wirecrawl-pg.XXXXXX) || return 1
	chmod 755 "$dir"
	[ "$(id -u)" = 0 ] && chown "$user" "$dir"
	"${as[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
		"${as[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 || {
		cat "$dir/initdb.log" >&2
		return 1
	}

	# A free port: try random ones until nothing listens there and the server starts.
	local try
	for try in 1 2 3 4 5 6 7 8; do
		port=$((20000 + RANDOM % 40000))
		if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			continue
		fi
		if "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
			-o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
			start >/dev/null; then
			break
		fi
		port=""
	done
	if [ -z "$port" ]; then
		echo "postgres: could not start a cluster" >&2
		cat "$dir/server.log" >&2 2>/dev/null
		return 1
	fi
	"$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres wirecrawl_test || return 1

	export WIRECRAWL_TEST_PG_DIR="$dir" WIRECRAWL_TEST_PG_BIN="$bin" WIRECRAWL_TEST_PG_PORT="$port"
	export WIRECRAWL_TEST_POSTGRES="postgres://postgres@127.0.0.1:$port/wirecrawl_test?sslmode=disable"
	echo "postgres: $("$bin/postgres" --version) on 127.0.0.1:$port, WIRECRAWL_TEST_POSTGRES set"

	# Stop and remove the cluster when the sourcing shell exits, keeping any
	# EXIT trap already set.
	local prev
	prev=$(trap -p EXIT | sed -e "s/^trap -- '//" -e "s/' EXIT\$//")
	# shellcheck disable=SC2064
	trap "wirecrawl_pg_stop; ${prev:-:}" EXIT
}

wirecrawl_pg_stop() {
	[ -n "${WIRECRAWL_TEST_PG_DIR:-}" ] && [ -d "$WIRECRAWL_TEST_PG_DIR" ] || return 0
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$WIRECRAWL_TEST_PG_BIN/pg_ctl" -D "$WIRECRAWL_TEST_PG_DIR/data" -m immediate stop >/dev/null 2>&1
	else
		"$WIRECRAWL_TEST_PG_BIN/pg_ctl" -D "$WIRECRAWL_TEST_PG_DIR/data" -m immediate stop >/dev/null 2>&1
	fi
	rm -rf "$WIRECRAWL_TEST_PG_DIR"
	unset WIRECRAWL_TEST_PG_DIR WIRECRAWL_TEST_POSTGRES
}

wirecrawl_pg_setup || { echo "postgres: set-up failed" >&2; false; }
