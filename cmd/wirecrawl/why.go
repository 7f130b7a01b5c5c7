package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// whyCommand is a placeholder until its issue lands.
func (a *app) whyCommand() *cobra.Command {
	return &cobra.Command{
		Use:    "why",
		Short:  "(not built yet)",
		Hidden: true,
		RunE:   func(*cobra.Command, []string) error { return errors.New("why: not built yet") },
	}
}
