package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"go.yaml.in/yaml/v3"

	"github.com/authbench/authbench/internal/exitcode"
)

// applyConfigFile reads a YAML file whose keys are the command's flag names (rate:
// 200/s, mix: srp=80,totp=20, threshold: ["signin.latency: p(99) < 800ms"], …) and
// sets every flag the command line did not set: built-in defaults < the file < flags.
// Unknown keys, a list for a single-valued flag and bad values are usage errors naming
// the key. Secrets do not belong in the file (flags read them from the environment).
func applyConfigFile(cmd *cobra.Command, path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return exitcode.Wrap(exitcode.Usage, fmt.Errorf("--config: %w", err))
	}
	var doc map[string]any
	dec := yaml.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return exitcode.Usagef("--config %s: %v", path, err)
	}
	keys := make([]string, 0, len(doc))
	for k := range doc {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	flags := cmd.Flags()
	for _, k := range keys {
		f := flags.Lookup(k)
		if f == nil || k == "config" {
			return exitcode.Usagef("--config %s: unknown key %q (keys are the flag names of '%s')", path, k, cmd.CommandPath())
		}
		if f.Changed {
			continue // the command line wins
		}
		values, err := configValues(f, doc[k])
		if err != nil {
			return exitcode.Usagef("--config %s: %s: %v", path, k, err)
		}
		for _, v := range values {
			if err := flags.Set(k, v); err != nil {
				return exitcode.Usagef("--config %s: %s: %v", path, k, err)
			}
		}
	}
	return nil
}

// configValues turns a YAML value into the strings Set takes: one for a scalar, one
// per element for a repeatable flag.
func configValues(f *pflag.Flag, v any) ([]string, error) {
	repeatable := strings.HasSuffix(f.Value.Type(), "Array") || strings.HasSuffix(f.Value.Type(), "Slice")
	switch x := v.(type) {
	case []any:
		if !repeatable {
			return nil, fmt.Errorf("takes one value, not a list")
		}
		out := make([]string, len(x))
		for i, e := range x {
			out[i] = fmt.Sprint(e)
		}
		return out, nil
	case map[string]any:
		return nil, fmt.Errorf("takes a value, not a mapping")
	case nil:
		return nil, fmt.Errorf("has no value")
	}
	return []string{fmt.Sprint(v)}, nil
}
