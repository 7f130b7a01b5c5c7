package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// crawlCommand is a placeholder until its issue lands.
func (a *app) crawlCommand() *cobra.Command {
	return &cobra.Command{
		Use:    "crawl",
		Short:  "(not built yet)",
		Hidden: true,
		RunE:   func(*cobra.Command, []string) error { return errors.New("crawl: not built yet") },
	}
}
