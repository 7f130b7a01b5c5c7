package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// ingestCommand is a placeholder until its issue lands.
func (a *app) ingestCommand() *cobra.Command {
	return &cobra.Command{
		Use:    "ingest",
		Short:  "(not built yet)",
		Hidden: true,
		RunE:   func(*cobra.Command, []string) error { return errors.New("ingest: not built yet") },
	}
}
