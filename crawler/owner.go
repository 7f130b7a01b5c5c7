package crawler

import "os"

// OwnerPrefix is the part of a lease owner's name that names this machine:
// every Crawler of the machine leases frontier jobs under an owner name that
// starts with it. A run that holds the machine's run lock may take over the
// leases of owners with this prefix at once: they belong to dead runs.
func OwnerPrefix() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "localhost"
	}
	return host + "/"
}
