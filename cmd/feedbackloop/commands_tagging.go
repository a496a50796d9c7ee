package main

import "github.com/spf13/cobra"

// taggingCommands train, evaluate and extend theme tagging.
func taggingCommands(a *app) []*cobra.Command {
	return []*cobra.Command{
		newTaggerCmd(a),
		newThemesCmd(a),
	}
}
