// Package api is `feedbackloop serve`: the insight queries of package
// insights as a JSON API under /api/v1/ (described by openapi.yaml, served
// at /api/v1/openapi.yaml), guarded by a bearer token, and a dashboard at /
// whose charts are drawn on the server as SVG with gonum/plot, so the page
// needs no script, no build step and no network access.
//
// Every parameter is checked before a query runs; a bad one is answered
// with 400 and a JSON body naming the parameter and the value.
package api
