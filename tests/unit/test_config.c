/* test_config.c - unit tests of the configuration: defaults, every key, errors with FILE:LINE,
 * round trip. */
#include "capture/config.h"
#include "tap.h"

static int parse(struct config *cfg, const char *text, struct strbuf *err)
{
	strbuf_reset(err);
	return config_parse(cfg, "t.toml", text, strlen(text), err);
}

static void expect_error(const char *text, const char *want, const char *what)
{
	struct config cfg;
	struct strbuf err = STRBUF_INIT;
	int ret;

	config_defaults(&cfg);
	ret = parse(&cfg, text, &err);
	ok(ret < 0 && strstr(strbuf_str(&err), want) != NULL, "%s", what);
	if (ret >= 0 || !strstr(strbuf_str(&err), want))
		printf("#   got '%s', want it to contain '%s'\n", strbuf_str(&err), want);
	ok(cfg.cpu_delta_threshold_pct == 10.0 && cfg.ring_buffer_capacity == 60,
	   "%s: configuration unchanged", what);
	config_release(&cfg);
	strbuf_release(&err);
}

/* [network]: the anomaly monitor's keys, their errors, and the interface list's round trip. */
static void test_network(void)
{
	struct config cfg;
	struct strbuf err = STRBUF_INIT, text = STRBUF_INIT;

	config_defaults(&cfg);
	ok(!cfg.anomaly_enabled && !strcmp(cfg.anomaly_interfaces, "") &&
		   cfg.anomaly_interval_ms == 1000 && cfg.anomaly_throughput_ratio == 0.85 &&
		   !strcmp(cfg.anomaly_latency_path, ""),
	   "[network] defaults: off, every interface, 1000 ms, 0.85, no latency file");
	is_int(parse(&cfg,
		     "[network]\nanomaly_enabled = true\nanomaly_interfaces = [\"eth0\", "
		     "\"st1a\"]\n"
		     "anomaly_interval_ms = 250\nanomaly_throughput_ratio = 0.5\n"
		     "anomaly_latency_path = \"/proc/self/status\"\nanomaly_refractory_ms = 0\n",
		     &err),
	       0, "a [network] section parses");
	is_str(cfg.anomaly_interfaces, "eth0,st1a", "interfaces stored comma-joined");
	config_dump_toml(&cfg, &text);
	ok(strstr(strbuf_str(&text), "anomaly_interfaces = [\"eth0\", \"st1a\"]\n") != NULL,
	   "and printed back as a TOML array");
	config_release(&cfg);
	strbuf_release(&text);
	strbuf_release(&err);
	expect_error("[network]\nanomaly_throughput_ratio = 1.5\n",
		     "t.toml:2: 'anomaly_throughput_ratio' is out of range", "a ratio above 1");
	expect_error("[network]\nanomaly_interval_ms = -100\n",
		     "t.toml:2: 'anomaly_interval_ms' is out of range", "a negative interval");
	expect_error("[network]\nanomaly_latency_path = \"/nonexistent/p99\"\n",
		     "t.toml:2: 'anomaly_latency_path': cannot read '/nonexistent/p99'",
		     "a missing latency file");
	expect_error("[network]\nanomaly_interfaces = \"eth0\"\n",
		     "'anomaly_interfaces' must be an array", "a string for the list");
	expect_error("[network]\nanomaly_interfaces = [\"eth0\", \"a/b\"]\n",
		     "'anomaly_interfaces' item 2 is not an interface name",
		     "a bad interface name");
	expect_error("[network]\nanomaly_latency_ratio = 0.5\n",
		     "'anomaly_latency_ratio' is out of range", "a latency ratio under 1");
}

int main(void)
{
	struct config cfg, again;
	struct strbuf err = STRBUF_INIT, text = STRBUF_INIT;

	config_defaults(&cfg);
	is_double(cfg.cpu_delta_threshold_pct, 10.0, 0, "default cpu_delta_threshold_pct");
	is_double(cfg.new_process_threshold_pct, 5.0, 0, "default new_process_threshold_pct");
	is_double(cfg.mem_drop_threshold_mib, 512, 0, "default mem_drop_threshold_mib");
	is_double(cfg.mem_pressure_threshold_pct, 90, 0, "default mem_pressure_threshold_pct");
	is_double(cfg.swap_spike_threshold_mib, 256, 0, "default swap_spike_threshold_mib");
	is_double(cfg.cooldown_seconds, 5, 0, "default cooldown_seconds");
	is_int(cfg.scope, SCOPE_PER_PROCESS, "default scope");
	is_double(cfg.sampling_interval_seconds, 1, 0, "default interval");
	is_int(cfg.ring_buffer_capacity, 60, "default ring capacity");
	is_int(cfg.context_snapshots_per_dump, 10, "default context snapshots");
	is_int(cfg.max_processes_tracked, 512, "default max_processes_tracked");
	is_int(cfg.top_processes_stored, 10, "default top_processes_stored");
	is_str(cfg.output_directory, "/var/lib/spiketrace", "default output directory");
	is_double(cfg.memory_baseline_alpha, 0.2, 0, "default memory alpha");
	is_double(cfg.process_baseline_alpha, 0.3, 0, "default process alpha");
	is_int(cfg.process_source, PROCESS_SOURCE_AUTO, "default process_source auto");

	is_int(parse(&cfg,
		     "# every section\n"
		     "[anomaly_detection]\ncpu_delta_threshold_pct = 25\nnew_process_threshold_pct "
		     "= 7.5\n"
		     "mem_drop_threshold_mib = 100\nmem_pressure_threshold_pct = 80.0\n"
		     "swap_spike_threshold_mib = 64\ncooldown_seconds = 0\n"
		     "[trigger]\nscope = \"process_group\"\n"
		     "[sampling]\nsampling_interval_seconds = 0.25\nring_buffer_capacity = 20\n"
		     "context_snapshots_per_dump = 20\n"
		     "[process_collection]\nmax_processes_tracked = 0\ntop_processes_stored = 0\n"
		     "[features]\nenable_cpu_detection = false\nenable_memory_detection = false\n"
		     "enable_swap_detection = false\n"
		     "[output]\noutput_directory = \"/tmp/x y\"\nlog_level = \"debug\"\n"
		     "[advanced]\nmemory_baseline_alpha = 1\nprocess_baseline_alpha = 0.5\n"
		     "process_source = \"proc\"\n"
		     "[retention]\nmax_dumps = 3\nmax_total_mib = 1.5\nmax_age_days = 2\n"
		     "min_free_mib = 0\n",
		     &err),
	       0, "a file setting every key parses");
	if (err.len)
		diag(strbuf_str(&err));
	is_double(cfg.cpu_delta_threshold_pct, 25, 0, "integer accepted for a float key");
	is_double(cfg.new_process_threshold_pct, 7.5, 0, "new_process_threshold_pct set");
	is_double(cfg.cooldown_seconds, 0, 0, "cooldown 0 allowed");
	is_int(cfg.scope, SCOPE_PROCESS_GROUP, "scope set");
	is_int(cfg.process_source, PROCESS_SOURCE_PROC, "process_source set");
	is_double(cfg.sampling_interval_seconds, 0.25, 0, "interval set");
	is_int(cfg.context_snapshots_per_dump, 20, "context set");
	is_int(cfg.top_processes_stored, 0, "top 0 = all");
	ok(!cfg.enable_cpu_detection && !cfg.enable_memory_detection && !cfg.enable_swap_detection,
	   "feature toggles set");
	is_str(cfg.output_directory, "/tmp/x y", "output directory set");
	is_str(cfg.log_level, "debug", "log level set");
	is_int(cfg.max_dumps, 3, "max_dumps set");
	is_double(cfg.max_total_mib, 1.5, 0, "max_total_mib set");

	/* printing and parsing again gives the same configuration */
	config_dump_toml(&cfg, &text);
	config_defaults(&again);
	is_int(parse(&again, strbuf_str(&text), &err), 0, "printed configuration parses");
	ok(again.scope == cfg.scope && again.sampling_interval_seconds == 0.25 &&
		   again.max_dumps == 3 && !strcmp(again.output_directory, "/tmp/x y") &&
		   again.max_total_mib == 1.5 && !again.enable_swap_detection &&
		   again.process_source == PROCESS_SOURCE_PROC,
	   "round trip keeps the values");
	config_release(&again);
	config_release(&cfg);

	config_defaults(&cfg);
	strbuf_reset(&text);
	config_dump_toml(&cfg, &text);
	ok(strstr(strbuf_str(&text), "[retention]\n") &&
		   strstr(strbuf_str(&text), "max_dumps = 1000"),
	   "defaults print with their sections");
	config_release(&cfg);

	expect_error("[sampling]\nfoo = 1\n", "t.toml:2: unknown key 'foo' in [sampling]",
		     "unknown key names file, line and section");
	expect_error("\n\n[nope]\n", "t.toml:3: unknown section [nope]", "unknown section");
	expect_error("[sampling]\ncpu_delta_threshold_pct = 3\n",
		     "t.toml:2: key 'cpu_delta_threshold_pct' belongs in [anomaly_detection]",
		     "key in the wrong section says where it belongs");
	expect_error("[sampling]\nring_buffer_capacity = \"60\"\n",
		     "t.toml:2: 'ring_buffer_capacity' must be an integer, not string",
		     "wrong type");
	expect_error("[sampling]\nring_buffer_capacity = 2.5\n", "must be an integer, not float",
		     "float for an integer key");
	expect_error("[features]\nenable_cpu_detection = 1\n", "must be true or false",
		     "integer for a boolean");
	expect_error(
		"[anomaly_detection]\nmem_pressure_threshold_pct = 150\n",
		"t.toml:2: 'mem_pressure_threshold_pct' is out of range: 150 (allowed 1 to 100)",
		"out of range");
	expect_error("[advanced]\nprocess_baseline_alpha = -0.1\n", "out of range",
		     "negative alpha");
	expect_error("[sampling]\nsampling_interval_seconds = nan\n", "out of range",
		     "nan rejected");
	expect_error("[trigger]\nscope = \"galaxy\"\n",
		     "must be per_process, process_group, parent or system, not 'galaxy'",
		     "bad scope value");
	expect_error("[advanced]\nprocess_source = \"ebpf\"\n",
		     "t.toml:2: 'process_source' must be auto, bpf or proc, not 'ebpf'",
		     "bad process_source value");
	expect_error("[output]\nlog_level = \"loud\"\n", "must be error, warn, info or debug",
		     "bad log level");
	expect_error("[output]\noutput_directory = \"\"\n", "must not be empty", "empty directory");
	expect_error(
		"[sampling]\ncontext_snapshots_per_dump = 100\n",
		"t.toml: context_snapshots_per_dump (100) is larger than ring_buffer_capacity (60)",
		"cross-key rule");
	expect_error("[sampling]\nring_buffer_capacity = 5\n", "larger than ring_buffer_capacity",
		     "cross-key rule on the other key");
	expect_error("[sampling\n", "t.toml:1:", "syntax error carries its line");
	expect_error("[sampling]\nring_buffer_capacity = 10\nring_buffer_capacity = 11\n",
		     "t.toml:3:", "duplicate key is an error at its line");

	config_defaults(&cfg);
	strbuf_reset(&err);
	ok(config_load_file(&cfg, "/nonexistent/x.toml", &err) < 0 &&
		   strstr(strbuf_str(&err), "cannot read '/nonexistent/x.toml': No such file"),
	   "missing file is a clear error");
	config_release(&cfg);

	strbuf_release(&err);
	strbuf_release(&text);
	test_network();
	return done_testing();
}
