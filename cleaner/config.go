package cleaner

// Config configures the cleaner. Its zero value works.
type Config struct {
}
