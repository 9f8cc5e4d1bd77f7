package cli

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/collagesim/collagesim/report"
	"github.com/collagesim/collagesim/results"
	"github.com/collagesim/collagesim/scenarios"
	"github.com/collagesim/collagesim/sweep"
)

// ParseShard reads --shard, else the shard a cluster scheduler's environment names.
func ParseShard(flag string, shards int) (sh sweep.Shard, err error) {
	if flag != "" {
		sh, err = sweep.ParseShard(flag)
	} else {
		sh, _, err = sweep.ShardFromEnv(os.Getenv, shards)
	}
	if err != nil {
		return sh, Usage("collagesim sweep: --shard: %v", err)
	}
	return sh, nil
}

// ResultParams writes swept values as the results show them: strings unquoted.
func ResultParams(ps []scenarios.Param) []results.Param {
	var out []results.Param
	for _, p := range ps {
		v := strings.TrimPrefix(p.String(), p.Key+"=")
		if u, err := strconv.Unquote(v); err == nil {
			v = u
		}
		out = append(out, results.Param{Key: p.Key, Value: v})
	}
	return out
}

// WriteMerged writes a sweep's merged results and report, and prints its table.
func WriteMerged(res *results.Results, dir string, rf *ReportFlags, opt report.Options, quiet bool, stdout io.Writer) error {
	paths, err := results.Write(dir, res)
	if err != nil {
		return Failed(err)
	}
	more, err := rf.Write(res, dir, opt)
	if err != nil {
		return err
	}
	if !quiet {
		fmt.Fprintln(stdout)
		if err := results.SweepTable(stdout, res, rf.Baseline); err != nil {
			return Failed(err)
		}
		fmt.Fprintln(stdout)
	}
	fmt.Fprintf(stdout, "%d points merged (%d strategy rows unstable); wrote %d files to %s/\n",
		len(res.Points), results.Unstable(res), len(paths)+len(more), dir)
	return nil
}
