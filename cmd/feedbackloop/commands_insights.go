package main

import "github.com/spf13/cobra"

// insightCommands answer questions about the stored feedback.
func insightCommands(a *app) []*cobra.Command {
	return []*cobra.Command{
		newTrendsCmd(a),
		newEmergingCmd(a),
		newBetsCmd(a),
		newOutcomeCmd(a),
		newQuotesCmd(a),
		newServeCmd(a),
	}
}
