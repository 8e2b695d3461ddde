/* daemon.c - `spiketrace daemon`: options, configuration search and reload, wiring of the engine.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "capture/capture.h"
#include "capture/config.h"
#include "cmd/cmds.h"

/* Command-line values that override the configuration file, also after SIGHUP. */
struct overrides {
	const char *config_path; /* --config */
	const char *output_dir;
	double interval_s; /* 0 = not given */
	const char *log_level;
};

static int build_config(struct config *cfg, struct strbuf *err, void *arg)
{
	const struct overrides *o = arg;
	char *path = config_find(o->config_path);
	int ret = 0;

	config_defaults(cfg);
	if (path)
		ret = config_load_file(cfg, path, err);
	if (ret < 0)
		goto out;
	if (o->output_dir) {
		free(cfg->output_directory);
		cfg->output_directory = xstrdup(o->output_dir);
	}
	if (o->interval_s > 0)
		cfg->sampling_interval_seconds = o->interval_s;
	if (o->log_level) {
		free(cfg->log_level);
		cfg->log_level = xstrdup(o->log_level);
	}
	ret = config_validate(cfg, err);
out:
	if (!ret)
		log_debug("configuration: %s", path ? path : "compiled-in defaults");
	free(path);
	return ret;
}

enum { OPT_SAMPLES = 256, OPT_CHECK, OPT_PRINT, OPT_PROC_ROOT };

static const struct option longopts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "output-dir", required_argument, NULL, 'o' },
	{ "interval", required_argument, NULL, 'i' },
	{ "log-level", required_argument, NULL, 'l' },
	{ "samples", required_argument, NULL, OPT_SAMPLES },
	{ "check-config", no_argument, NULL, OPT_CHECK },
	{ "print-config", no_argument, NULL, OPT_PRINT },
	{ "proc-root", required_argument, NULL, OPT_PROC_ROOT },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int cmd_daemon(int argc, char **argv)
{
	struct overrides o = { 0 };
	struct strbuf err = STRBUF_INIT;
	struct config cfg;
	struct capture *cap;
	const char *proc_root = "/proc";
	bool check = false, print = false;
	long samples = 0;
	int c, ret;
	char *end;

	xalloc_stay_small(); /* the daemon runs for months: large blocks go back when freed */
	memset(&cfg, 0, sizeof(cfg));
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:o:i:l:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o.config_path = optarg;
			break;
		case 'o':
			if (!*optarg)
				return cmd_usage_error("daemon", "--output-dir must not be empty");
			o.output_dir = optarg;
			break;
		case 'i':
			errno = 0;
			o.interval_s = strtod(optarg, &end);
			if (errno || *end || end == optarg || !isfinite(o.interval_s) ||
			    o.interval_s < 0.05 || o.interval_s > 3600)
				return cmd_usage_error(
					"daemon", "invalid --interval '%s' (seconds, 0.05 to 3600)",
					optarg);
			break;
		case 'l': {
			enum log_level lvl;

			if (log_level_parse(optarg, &lvl) < 0)
				return cmd_usage_error(
					"daemon",
					"invalid --log-level '%s' (error, warn, info or debug)",
					optarg);
			o.log_level = optarg;
			break;
		}
		case OPT_SAMPLES:
			errno = 0;
			samples = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || samples < 1)
				return cmd_usage_error(
					"daemon", "invalid --samples '%s' (a count >= 1)", optarg);
			break;
		case OPT_CHECK:
			check = true;
			break;
		case OPT_PRINT:
			print = true;
			break;
		case OPT_PROC_ROOT:
			proc_root = optarg;
			break;
		case 'h':
			cmd_print_help(&cmd_daemon_def);
			return EXIT_OK;
		default:
			fprintf(stderr, "Try 'spiketrace daemon --help'.\n");
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		return cmd_usage_error("daemon", "unexpected argument '%s'", argv[optind]);

	if (build_config(&cfg, &err, &o) < 0) {
		fprintf(stderr, "spiketrace: %s\n", strbuf_str(&err));
		ret = EXIT_USAGE;
		goto out;
	}
	if (print || check) {
		struct strbuf text = STRBUF_INIT;

		if (print) {
			config_dump_toml(&cfg, &text);
			fputs(strbuf_str(&text), stdout);
		} else {
			char *path = config_find(o.config_path);

			printf("configuration OK: %s\n", path ? path : "compiled-in defaults");
			free(path);
		}
		strbuf_release(&text);
		ret = EXIT_OK;
		goto out;
	}

	log_set_timestamps(getenv("JOURNAL_STREAM") == NULL && getenv("INVOCATION_ID") == NULL);
	cap = capture_new(&cfg, proc_root, &err);
	if (!cap) {
		log_error("%s", strbuf_str(&err));
		ret = EXIT_FAILURE_RUN;
		goto out;
	}
	log_info("sampling %s every %g s; dumps go to '%s'", proc_root,
		 cfg.sampling_interval_seconds, cfg.output_directory);
	ret = capture_run(cap, samples, build_config, &o);
	if (ret < 0)
		log_error("event loop failed: %s", strerror(-ret));
	{
		struct capture_stats st = capture_get_stats(cap);

		capture_free(cap); /* writes whatever is still queued */
		log_info("stopped after %llu samples, %llu triggers",
			 (unsigned long long)st.samples, (unsigned long long)st.triggers);
	}
	ret = ret < 0 ? EXIT_FAILURE_RUN : EXIT_OK;
out:
	config_release(&cfg);
	strbuf_release(&err);
	return ret;
}

const struct command cmd_daemon_def = {
	.name = "daemon",
	.run = cmd_daemon,
	.summary = "sample the system and write a JSON dump when a spike happens",
	.help = "NAME\n"
		"    spiketrace daemon - capture what the machine was doing during resource "
		"spikes\n"
		"\n"
		"SYNOPSIS\n"
		"    spiketrace daemon [-c FILE] [-o DIR] [-i SECONDS] [-l LEVEL] [--samples N]\n"
		"    spiketrace daemon --check-config | --print-config [-c FILE]\n"
		"\n"
		"DESCRIPTION\n"
		"    Samples /proc every interval: CPU (global and per core), memory, swap, load,\n"
		"    pressure stall information, and every process (pid, parent, group, user,\n"
		"    state, command line, CPU % of one CPU, RSS, threads). The last\n"
		"    ring_buffer_capacity samples stay in memory. When a detector fires, the last\n"
		"    context_snapshots_per_dump samples are written atomically as JSON to\n"
		"    OUTPUT_DIR/spike_<UTC time>_<trigger>_<pid>.json (mode 0640).\n"
		"\n"
		"    Triggers: cpu_delta (a process's CPU over its EWMA baseline), "
		"cpu_new_process\n"
		"    (a new process busy from the start), mem_drop (available memory falling "
		"below\n"
		"    its baseline), mem_pressure (memory in use crossing a line), swap_spike "
		"(used\n"
		"    swap growing). Each fires on the crossing and then waits cooldown_seconds "
		"per\n"
		"    scope (per_process, process_group, parent or system). Processes running when\n"
		"    the daemon starts never count as new.\n"
		"\n"
		"OPTIONS\n"
		"    -c, --config FILE      read FILE instead of searching "
		"/etc/spiketrace/config.toml\n"
		"                           then ~/.config/spiketrace/config.toml\n"
		"    -o, --output-dir DIR   write dumps to DIR (overrides output_directory)\n"
		"    -i, --interval SECONDS time between samples, 0.05 to 3600 (overrides\n"
		"                           sampling_interval_seconds)\n"
		"    -l, --log-level LEVEL  error, warn, info or debug (overrides log_level)\n"
		"        --samples N        stop after N samples (for scripts and benchmarks)\n"
		"        --check-config     validate the configuration and exit\n"
		"        --print-config     print the effective configuration as TOML and exit\n"
		"        --proc-root DIR    read DIR instead of /proc (testing)\n"
		"    -h, --help             show this help\n"
		"\n"
		"SIGNALS\n"
		"    SIGHUP reloads the configuration (a bad file is logged and the running one\n"
		"    kept); SIGTERM and SIGINT stop after writing any dump in progress.\n"
		"\n"
		"EXIT STATUS\n"
		"    0 stopped cleanly; 1 a runtime failure (e.g. /proc unreadable); 2 a bad\n"
		"    command line or configuration (one line naming FILE:LINE and the key).\n"
		"\n"
		"FILES\n"
		"    /etc/spiketrace/config.toml, ~/.config/spiketrace/config.toml,\n"
		"    /var/lib/spiketrace (default output directory). See examples/config.toml.\n",
};
