# Sourced by .ci/run: provides promtool (from Debian's prometheus package) for
# the test that checks wirecrawl's metrics with `promtool check metrics`, and
# exports WIRECRAWL_TEST_PROMTOOL. The package is downloaded and unpacked into
# a fixed directory, not installed, so no Prometheus server is set up or
# started. Idempotent; without apt the test skips with a message.
_wc_prom_dir=/tmp/wirecrawl-promtool
_wc_promtool=$_wc_prom_dir/root/usr/bin/promtool
if [ ! -x "$_wc_promtool" ]; then
	if command -v promtool >/dev/null 2>&1; then
		_wc_promtool=$(command -v promtool)
	elif mkdir -p "$_wc_prom_dir" &&
		(cd "$_wc_prom_dir" && { apt-get download prometheus >/dev/null 2>&1 ||
			{ apt-get update -qq >/dev/null 2>&1 && apt-get download prometheus; }; }) &&
		dpkg-deb -x "$(ls "$_wc_prom_dir"/prometheus_*.deb | head -n 1)" "$_wc_prom_dir/root"; then
		:
	else
		echo "setup-promtool: could not get Debian's prometheus package; the promtool test will skip" >&2
	fi
fi
if [ -x "$_wc_promtool" ]; then
	export WIRECRAWL_TEST_PROMTOOL=$_wc_promtool
	"$_wc_promtool" --version 2>&1 | head -n 1
fi
unset _wc_prom_dir _wc_promtool
