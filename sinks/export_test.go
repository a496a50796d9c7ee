package sinks

// MigrateTo lets the tests stop migrating at an older schema version.
var MigrateTo = migrateTo
