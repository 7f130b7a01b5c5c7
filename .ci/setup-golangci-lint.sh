# Sourced by .ci/run: builds golangci-lint (v2, pinned) from the Go module
# proxy into $(go env GOPATH)/bin unless that version is already there, and
# puts it on PATH. Idempotent. Takes a few minutes on 2 cores the first time.
_wc_gcl_version=v2.15.0
_wc_gobin=$(go env GOBIN)
_wc_gobin=${_wc_gobin:-$(go env GOPATH)/bin}
case ":$PATH:" in *":$_wc_gobin:"*) ;; *) export PATH="$_wc_gobin:$PATH" ;; esac
if ! golangci-lint version 2>/dev/null | grep -q "version ${_wc_gcl_version#v} "; then
	echo "golangci-lint: building ${_wc_gcl_version}"
	GOBIN="$_wc_gobin" go install "github.com/golangci/golangci-lint/v2/cmd/golangci-lint@${_wc_gcl_version}"
fi
golangci-lint version
unset _wc_gobin _wc_gcl_version
