package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// cleanCommand is a placeholder until its issue lands.
func (a *app) cleanCommand() *cobra.Command {
	return &cobra.Command{
		Use:    "clean",
		Short:  "(not built yet)",
		Hidden: true,
		RunE:   func(*cobra.Command, []string) error { return errors.New("clean: not built yet") },
	}
}
