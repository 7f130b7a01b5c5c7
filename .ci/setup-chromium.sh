# Sourced by .ci/run: provides Debian's chromium for the browser test of the
# web UI (serve.TestBrowserSyndication, driven with chromedp) and exports
# WIRECRAWL_TEST_CHROMIUM. Installs the package when it is missing and apt
# can (root); idempotent. Without it the test skips with a message.
_wc_chromium=$(command -v chromium 2>/dev/null || command -v chromium-browser 2>/dev/null || true)
if [ -z "$_wc_chromium" ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 &&
		{ DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1 ||
			{ apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1; }; }; then
		_wc_chromium=$(command -v chromium 2>/dev/null || true)
	else
		echo "setup-chromium: could not install Debian's chromium; the browser test will skip" >&2
	fi
fi
if [ -n "$_wc_chromium" ]; then
	export WIRECRAWL_TEST_CHROMIUM=$_wc_chromium
	"$_wc_chromium" --version 2>/dev/null | head -n 1
fi
unset _wc_chromium
