package main

import "github.com/spf13/cobra"

// pipelineCommands run and set up the core pipeline.
func pipelineCommands(a *app) []*cobra.Command {
	return []*cobra.Command{
		newDevCmd(a),
		newWorkerCmd(a),
		newMigrateCmd(a),
		newSampleCmd(),
		newPublishCmd(a),
		newConfigCmd(a),
	}
}
