package main

import "github.com/spf13/cobra"

// sourceCommands bring feedback in from where customers wrote it.
func sourceCommands(a *app) []*cobra.Command {
	return []*cobra.Command{
		newImportCmd(a),
		newIntakeCmd(a),
		newPollCmd(a),
	}
}
