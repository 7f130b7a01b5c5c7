# Sourced by .ci/run: installs the independent readers the export tests use to
# check their output (DuckDB for Parquet, warcio for WARC) into a fixed
# directory outside the repository, and points the tests at it. Idempotent.
# Needs node and npm; without them the export tests skip with a message.
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
	WIRECRAWL_TEST_NODE_MODULES=${WIRECRAWL_TEST_NODE_MODULES:-/tmp/wirecrawl-node/node_modules}
	_wc_node_dir=$(dirname "$WIRECRAWL_TEST_NODE_MODULES")
	if [ ! -d "$WIRECRAWL_TEST_NODE_MODULES/@duckdb/node-api" ] || [ ! -d "$WIRECRAWL_TEST_NODE_MODULES/warcio" ]; then
		mkdir -p "$_wc_node_dir"
		[ -f "$_wc_node_dir/package.json" ] || echo '{"name":"wirecrawl-test-readers","private":true}' >"$_wc_node_dir/package.json"
		if ! (cd "$_wc_node_dir" && npm install --no-audit --no-fund --loglevel=error @duckdb/node-api@1.5.6-r.1 warcio@2.4.11); then
			echo "setup-node: npm install failed; export reader tests will skip" >&2
		fi
	fi
	export WIRECRAWL_TEST_NODE_MODULES
	unset _wc_node_dir
else
	echo "setup-node: node/npm not found; export reader tests will skip" >&2
fi
