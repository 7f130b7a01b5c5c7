package dedup

// Config configures dedup. Its zero value works.
type Config struct {
}
