package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// statsCommand is a placeholder until its issue lands.
func (a *app) statsCommand() *cobra.Command {
	return &cobra.Command{
		Use:    "stats",
		Short:  "(not built yet)",
		Hidden: true,
		RunE:   func(*cobra.Command, []string) error { return errors.New("stats: not built yet") },
	}
}
