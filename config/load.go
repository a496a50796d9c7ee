package config

import (
	"errors"
	"fmt"
	"math"
	"os"
	"reflect"
	"regexp"
	"strings"
	"time"

	"github.com/go-viper/mapstructure/v2"
	"github.com/knadh/koanf/parsers/yaml"
	"github.com/knadh/koanf/providers/env/v2"
	"github.com/knadh/koanf/providers/file"
	"github.com/knadh/koanf/v2"
	yamlv3 "gopkg.in/yaml.v3"

	"github.com/feedbackloop/feedbackloop/internal/yamlerr"
)

// EnvPrefix starts every environment variable that sets a configuration key.
const EnvPrefix = "FEEDBACKLOOP_"

// envIgnored lists FEEDBACKLOOP_ variables that are not configuration
// keys: the tests' and benchmarks' own (the development data's directory
// among them, which make tagging-figures sets).
var envIgnored = []string{"TEST_", "BENCH_", "THEMES_DATA", "TAG_DATA", "TAG_MODEL", "SCREENSHOT_DIR"}

// Load reads the YAML file at path (none when path is empty), then the
// environment variables in environ (os.Environ() when nil), over the
// defaults, and validates the result. Every error names the key and, for a
// bad value, the value and where it was set.
func Load(path string, environ []string) (*Config, error) {
	if environ == nil {
		environ = os.Environ()
	}
	k := koanf.New(".")
	var src []byte // the file, to name the line of a key
	if path != "" {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("config file: %w", err)
		}
		src, _ = os.ReadFile(path)
		if err := k.Load(file.Provider(path), yaml.Parser()); err != nil {
			if line, msg := yamlerr.Explain(src, err); line > 0 {
				return nil, fmt.Errorf("config file %s:%d: %s", path, line, msg)
			}
			return nil, fmt.Errorf("config file %s: %w", path, err)
		}
	}
	fromEnv := map[string]string{} // key -> variable, to say where a bad value came from
	envProvider := env.Provider(".", env.Opt{
		Prefix:      EnvPrefix,
		EnvironFunc: func() []string { return environ },
		TransformFunc: func(name, value string) (string, any) {
			key := envKey(name)
			if key != "" {
				fromEnv[key] = name
			}
			return key, value
		},
	})
	if err := k.Load(envProvider, nil); err != nil {
		return nil, fmt.Errorf("config environment: %w", err)
	}

	cfg := Default()
	err := k.UnmarshalWithConf("", &cfg, koanf.UnmarshalConf{
		Tag: "yaml",
		DecoderConfig: &mapstructure.DecoderConfig{
			DecodeHook: mapstructure.ComposeDecodeHookFunc(
				strictScalars,
				mapstructure.StringToTimeDurationHookFunc(),
				// A list set by an environment variable is comma-separated.
				mapstructure.StringToSliceHookFunc(","),
				mapstructure.TextUnmarshallerHookFunc(),
			),
			ErrorUnused:      true,
			WeaklyTypedInput: true,
			TagName:          "yaml",
			Result:           &cfg,
		},
	})
	if err != nil {
		return nil, decodeError(err, k, source{path, src}, fromEnv)
	}
	if err := cfg.Validate(); err != nil {
		var fe *FieldError
		if errors.As(err, &fe) {
			fe.Origin = origin(fe.Key, k, source{path, src}, fromEnv)
		}
		return nil, err
	}
	return &cfg, nil
}

// envKey maps FEEDBACKLOOP_BATCH_MAX_WAIT to batch.max_wait: the first word
// after the prefix is the section, the rest is the key.
func envKey(name string) string {
	rest := strings.TrimPrefix(name, EnvPrefix)
	for _, p := range envIgnored {
		if strings.HasPrefix(rest, p) {
			return ""
		}
	}
	section, key, ok := strings.Cut(strings.ToLower(rest), "_")
	if !ok {
		return section // a bare section is reported as an unknown key
	}
	return section + "." + key
}

// strictScalars refuses what weak typing would read as something else: an
// empty string as false or 0 (a compose file's "${VAR:-}" turning
// redaction off), a bare number as a duration in nanoseconds, a fraction
// or true as a count. Environment variables are strings and still convert
// ("500" to 500, "true" to true).
func strictScalars(from, to reflect.Type, data any) (any, error) {
	switch k := to.Kind(); {
	case from.Kind() == reflect.String && data == "" && (k == reflect.Bool || isNumber(k)):
		return nil, fmt.Errorf("is empty: want %s", kindName(to))
	case to == durationType && (isNumber(from.Kind()) && reflect.ValueOf(data).Convert(reflect.TypeOf(0.0)).Float() != 0):
		return nil, errors.New("has no unit: want a duration such as 30s, 5m or 1h")
	case isInteger(k) && from.Kind() == reflect.Float64 && data.(float64) != math.Trunc(data.(float64)):
		return nil, errors.New("want a whole number")
	case isNumber(k) && from.Kind() == reflect.Bool:
		return nil, fmt.Errorf("want %s", kindName(to))
	}
	return data, nil
}

var durationType = reflect.TypeFor[time.Duration]()

func isInteger(k reflect.Kind) bool { return k >= reflect.Int && k <= reflect.Uint64 }

func isNumber(k reflect.Kind) bool {
	return isInteger(k) || k == reflect.Float32 || k == reflect.Float64
}

func kindName(t reflect.Type) string {
	switch {
	case t == durationType:
		return "a duration such as 30s"
	case t.Kind() == reflect.Bool:
		return "true or false"
	case isInteger(t.Kind()):
		return "a whole number"
	}
	return "a number"
}

// source is the configuration file, to name where a key was set.
type source struct {
	path string
	src  []byte
}

// decodeError turns mapstructure's report into FieldErrors that carry the
// key, the raw value and where it was set.
func decodeError(err error, k *koanf.Koanf, file source, fromEnv map[string]string) error {
	msg := strings.TrimPrefix(err.Error(), "decoding failed due to the following error(s):\n\n")
	var errs []error
	for _, line := range strings.Split(msg, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		fe := &FieldError{Problem: line}
		if m := quotedKey.FindStringSubmatch(line); m != nil {
			fe.Key, fe.Problem = m[1], strings.TrimSpace(m[2])
			if sec, keys, ok := strings.Cut(fe.Problem, "has invalid keys: "); ok && sec == "" {
				// 'nats' has invalid keys: urll, foo
				for _, key := range strings.Split(keys, ", ") {
					full := key // a section that does not exist
					if fe.Key != "" {
						full = fe.Key + "." + key
					}
					errs = append(errs, &FieldError{Key: full, Problem: "unknown key", Origin: origin(full, k, file, fromEnv)})
				}
				continue
			}
			if !strings.Contains(fe.Key, ".") && strings.HasPrefix(fe.Problem, "has invalid keys") {
				fe.Problem = "unknown key"
			}
			if k.Exists(fe.Key) && !isSecret(fe.Key) {
				fe.Value = k.String(fe.Key)
			}
			fe.Origin = origin(fe.Key, k, file, fromEnv)
		}
		errs = append(errs, fe)
	}
	if len(errs) == 0 {
		return fmt.Errorf("config: %w", err)
	}
	return errors.Join(errs...)
}

var quotedKey = regexp.MustCompile(`^'([^']*)'\s*(.*)$`)

// origin names where key was set: its environment variable, or the file
// and the key's line in it.
func origin(key string, k *koanf.Koanf, file source, fromEnv map[string]string) string {
	if name, ok := fromEnv[key]; ok {
		return name
	}
	if file.path != "" && k.Exists(key) {
		if line := keyLine(file.src, key); line > 0 {
			return fmt.Sprintf("%s:%d", file.path, line)
		}
		return file.path
	}
	return ""
}

// keyLine is the line of a dotted key in a YAML document, 0 when it cannot
// be found.
func keyLine(src []byte, key string) int {
	var doc yamlv3.Node
	if yamlv3.Unmarshal(src, &doc) != nil {
		return 0
	}
	return yamlerr.KeyLine(&doc, key)
}

// isSecret reports whether a key holds a secret (tagged secret:"..." in
// its section struct), whose value must never appear in errors or logs.
func isSecret(key string) bool {
	section, name, _ := strings.Cut(key, ".")
	t := reflect.TypeOf(Config{})
	for i := 0; i < t.NumField(); i++ {
		sec := t.Field(i)
		if tagName(sec) != section {
			continue
		}
		for j := 0; j < sec.Type.NumField(); j++ {
			if f := sec.Type.Field(j); tagName(f) == name {
				return f.Tag.Get("secret") != ""
			}
		}
	}
	return false
}

// Keys lists every configuration key with its environment variable, for
// documentation and the tests that check it.
func Keys() [][2]string {
	var out [][2]string
	t := reflect.TypeOf(Config{})
	for i := 0; i < t.NumField(); i++ {
		sec := t.Field(i)
		secName := tagName(sec)
		for j := 0; j < sec.Type.NumField(); j++ {
			key := secName + "." + tagName(sec.Type.Field(j))
			out = append(out, [2]string{key, EnvPrefix + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))})
		}
	}
	return out
}

func tagName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	return name
}
