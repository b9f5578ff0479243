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
// Unknown keys, a list for a single-valued flag and bad values are usage errors of one
// line naming the file, the line and the key (for example "--config bench.yaml: line
// 3: unknown key "rat" …"). Secrets do not belong in the file (flags read them from
// the environment).
func applyConfigFile(cmd *cobra.Command, path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return exitcode.Wrap(exitcode.Usage, fmt.Errorf("--config: %w", err))
	}
	var root yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(b)).Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return nil // an empty file sets nothing
		}
		return exitcode.Usagef("--config %s: %s", path, yamlDetail(err))
	}
	doc := &root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		doc = doc.Content[0]
	}
	if doc.Kind == yaml.ScalarNode && doc.Tag == "!!null" {
		return nil
	}
	if doc.Kind != yaml.MappingNode {
		return exitcode.Usagef("--config %s: line %d: want a mapping of flag names to values", path, doc.Line)
	}
	type entry struct {
		key  string
		node *yaml.Node
	}
	entries := make([]entry, 0, len(doc.Content)/2)
	for i := 0; i+1 < len(doc.Content); i += 2 {
		entries = append(entries, entry{doc.Content[i].Value, doc.Content[i+1]})
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].key < entries[j].key })
	flags := cmd.Flags()
	for _, e := range entries {
		k, line := e.key, e.node.Line
		f := flags.Lookup(k)
		if f == nil || k == "config" {
			return exitcode.Usagef("--config %s: line %d: unknown key %q (keys are the flag names of '%s')", path, line, k, cmd.CommandPath())
		}
		if f.Changed {
			continue // the command line wins
		}
		var v any
		if err := e.node.Decode(&v); err != nil {
			return exitcode.Usagef("--config %s: line %d: %s: %s", path, line, k, yamlDetail(err))
		}
		values, err := configValues(f, v)
		if err != nil {
			return exitcode.Usagef("--config %s: line %d: %s: %v", path, line, k, err)
		}
		for _, v := range values {
			if err := flags.Set(k, v); err != nil {
				return exitcode.Usagef("--config %s: line %d: %s: %v", path, line, k, err)
			}
		}
	}
	return nil
}

// yamlDetail is a YAML error on one line with all its detail: the decoder's type
// errors ("yaml: unmarshal errors:" followed by one indented line per error) become
// those lines joined by "; ", and the "yaml: " prefix goes.
func yamlDetail(err error) string {
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		return strings.Join(te.Errors, "; ")
	}
	return strings.Join(strings.Fields(strings.TrimPrefix(err.Error(), "yaml: ")), " ")
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
