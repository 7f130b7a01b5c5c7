package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// exportCommand is a placeholder until its issue lands.
func (a *app) exportCommand() *cobra.Command {
	return &cobra.Command{
		Use:    "export",
		Short:  "(not built yet)",
		Hidden: true,
		RunE:   func(*cobra.Command, []string) error { return errors.New("export: not built yet") },
	}
}
