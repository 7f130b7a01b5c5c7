package store_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/stdlib"

	"github.com/wirecrawl/wirecrawl/store"
	"github.com/wirecrawl/wirecrawl/store/storetest"
)

// pgEnv names the DSN of a PostgreSQL database the tests may create schemas in.
const pgEnv = "WIRECRAWL_TEST_POSTGRES"

func sqliteDSN(t testing.TB) string {
	return "sqlite:" + filepath.Join(t.TempDir(), "wirecrawl.db")
}

// postgresDSN creates a fresh schema in the test database, dropped when the
// test ends, and returns a DSN whose search_path points at it.
func postgresDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv(pgEnv)
	if base == "" {
		t.Skipf("PostgreSQL tests skipped: set %s to a DSN (e.g. source .ci/setup-postgres.sh)", pgEnv)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "wctest_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("%s: %v", pgEnv, err)
	}
	t.Cleanup(func() { admin.Close() })
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", pgEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

var _ = stdlib.GetDefaultDriver // the "pgx" driver used by postgresDSN

func TestSQLite(t *testing.T) {
	storetest.Run(t, func(t *testing.T) string { return sqliteDSN(t) })
}

func TestPostgres(t *testing.T) {
	postgresDSN(t) // skips the whole suite when no database is configured
	storetest.Run(t, func(t *testing.T) string { return postgresDSN(t) })
}

func TestOpenDSN(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, dsn := range []string{filepath.Join(dir, "plain.db"), "sqlite:" + filepath.Join(dir, "prefixed.db"), "sqlite://" + filepath.Join(dir, "slashes.db")} {
		s, err := store.Open(ctx, dsn, store.Config{})
		if err != nil {
			t.Fatalf("open %s: %v", dsn, err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"plain.db", "prefixed.db", "slashes.db"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s not created: %v", name, err)
		}
	}
	for _, dsn := range []string{"", "sqlite:", ":memory:", filepath.Join(dir, "no/such/dir/x.db"), "postgres://%zz"} {
		if s, err := store.Open(ctx, dsn, store.Config{}); err == nil {
			s.Close()
			t.Errorf("open %q: want an error", dsn)
		} else if !strings.HasPrefix(err.Error(), "store: ") {
			t.Errorf("open %q: error %q lacks context", dsn, err)
		}
	}
}

func ExampleOpen() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "wirecrawl-example")
	defer os.RemoveAll(dir)
	s, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "wirecrawl.db"), store.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	st, _ := s.Stats(ctx)
	fmt.Println(st.Stories, st.Copies)
	// Output: 0 0
}
