package main

import "github.com/spf13/cobra"

// pipelineCommands run and set up the core pipeline.
func pipelineCommands(a *app) []*cobra.Command {
	return []*cobra.Command{
		newWorkerCmd(a),
		newMigrateCmd(a),
	}
}
