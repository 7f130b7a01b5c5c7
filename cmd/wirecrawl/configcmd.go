package main

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/spf13/cobra"

	"github.com/wirecrawl/wirecrawl/config"
)

// configCommand prints the effective configuration, so a user can see what
// file, environment and flags add up to.
func (a *app) configCommand() *cobra.Command {
	var ranges bool
	cmd := &cobra.Command{
		Use:   "config [--ranges]",
		Short: "Print the effective configuration (defaults < config.yaml < WIRECRAWL_* < flags)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			for _, key := range config.Keys() {
				line := fmt.Sprintf("%s = %s", key, formatValue(cfg, key))
				if r, ok := config.Range(key); ok && ranges {
					line += "  # " + r
				}
				fmt.Fprintln(a.stdout, line)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&ranges, "ranges", false, "also show the range of every numeric key")
	return cmd
}

func formatValue(cfg config.Config, key string) string {
	value, _ := cfg.Value(key)
	v := reflect.ValueOf(value)
	if v.Kind() == reflect.Slice {
		parts := make([]string, v.Len())
		for i := range parts {
			parts[i] = fmt.Sprint(v.Index(i).Interface())
		}
		return strings.Join(parts, ",")
	}
	return fmt.Sprint(v.Interface())
}
