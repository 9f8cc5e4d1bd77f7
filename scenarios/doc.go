// Package scenarios reads and writes collagesim's file formats: scenario and
// profile TOML, decoded strictly into sim types with errors that name file:line
// and the key path, plus the bundled scenarios and built-in profiles.
package scenarios
