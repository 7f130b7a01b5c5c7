package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// demoCommand is a placeholder until its issue lands.
func (a *app) demoCommand() *cobra.Command {
	return &cobra.Command{
		Use:    "demo",
		Short:  "(not built yet)",
		Hidden: true,
		RunE:   func(*cobra.Command, []string) error { return errors.New("demo: not built yet") },
	}
}
