/* profile.c - `spiketrace profile`: options, Ctrl-C, exit codes of the profiler and its CI gate. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmds.h"
#include "profile/profiler.h"

enum {
	OPT_DURATION = 256,
	OPT_INTERVAL,
	OPT_OUT,
	OPT_CHILDREN,
	OPT_FREQ,
	OPT_NO_STACKS,
	OPT_FOLDED,
	OPT_FAIL_CPU,
	OPT_FAIL_RSS,
	OPT_BASELINE,
	OPT_MAX_REGRESS,
	OPT_EVENT,
};

static const struct option longopts[] = {
	{ "pid", required_argument, NULL, 'p' },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "interval", required_argument, NULL, OPT_INTERVAL },
	{ "out", required_argument, NULL, OPT_OUT },
	{ "children", no_argument, NULL, OPT_CHILDREN },
	{ "freq", required_argument, NULL, OPT_FREQ },
	{ "no-stacks", no_argument, NULL, OPT_NO_STACKS },
	{ "folded", required_argument, NULL, OPT_FOLDED },
	{ "fail-above-cpu", required_argument, NULL, OPT_FAIL_CPU },
	{ "fail-above-rss", required_argument, NULL, OPT_FAIL_RSS },
	{ "baseline", required_argument, NULL, OPT_BASELINE },
	{ "max-regress", required_argument, NULL, OPT_MAX_REGRESS },
	{ "event", required_argument, NULL, OPT_EVENT },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void on_sigint(int sig)
{
	(void)sig;
	profiler_stop();
}

/* A positive number (or >= 0 with zero_ok) from an option, or -1. */
static double number(const char *s, bool zero_ok)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < 0 || (!zero_ok && v == 0))
		return -1;
	return v;
}

int cmd_profile(int argc, char **argv)
{
	struct profiler_opts o = {
		.interval_ms = 100, .freq_hz = 99, .out = "trace.json", .report = stdout
	};
	struct sigaction sa;
	const char *what = "";
	bool no_stacks = false, max_regress = false;
	double v;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+p:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			v = number(optarg, false);
			if (v < 1 || v > 1 << 22 || v != floor(v))
				return cmd_usage_error("profile", "invalid -p '%s' (a pid)",
						       optarg);
			o.pid = (pid_t)v;
			break;
		case OPT_DURATION:
			if ((o.duration_s = number(optarg, false)) < 0)
				return cmd_usage_error("profile",
						       "invalid --duration '%s' (seconds)", optarg);
			break;
		case OPT_INTERVAL:
			v = number(optarg, false);
			if (v < 10 || v > 60000)
				return cmd_usage_error("profile",
						       "invalid --interval '%s' (ms, 10 to 60000)",
						       optarg);
			o.interval_ms = (unsigned)v;
			break;
		case OPT_OUT:
			o.out = optarg;
			break;
		case OPT_CHILDREN:
			o.children = true;
			break;
		case OPT_FREQ:
			v = number(optarg, false);
			if (v < 1 || v > 10000)
				return cmd_usage_error(
					"profile", "invalid --freq '%s' (Hz, 1 to 10000)", optarg);
			o.freq_hz = (unsigned)v;
			break;
		case OPT_NO_STACKS:
			no_stacks = true;
			break;
		case OPT_FOLDED:
			o.folded = optarg;
			break;
		case OPT_FAIL_CPU:
			if ((o.fail_above_cpu = number(optarg, false)) < 0)
				return cmd_usage_error(
					"profile", "invalid --fail-above-cpu '%s' (%%)", optarg);
			break;
		case OPT_FAIL_RSS:
			if ((o.fail_above_rss_mib = number(optarg, false)) < 0)
				return cmd_usage_error(
					"profile", "invalid --fail-above-rss '%s' (MiB)", optarg);
			break;
		case OPT_BASELINE:
			o.baseline = optarg;
			break;
		case OPT_MAX_REGRESS:
			if ((o.max_regress_pct = number(optarg, true)) < 0)
				return cmd_usage_error("profile", "invalid --max-regress '%s' (%%)",
						       optarg);
			max_regress = true;
			break;
		case OPT_EVENT:
			if (strcmp(optarg, "cpu-clock") && strcmp(optarg, "task-clock") &&
			    strcmp(optarg, "cycles") && strcmp(optarg, "instructions") &&
			    strcmp(optarg, "cache-misses") && strcmp(optarg, "branch-misses"))
				return cmd_usage_error(
					"profile",
					"unknown --event '%s' (cpu-clock, task-clock, "
					"cycles, instructions, cache-misses, branch-misses)",
					optarg);
			o.event = optarg;
			break;
		case 'h':
			cmd_print_help(&cmd_profile_def);
			return EXIT_OK;
		default:
			fprintf(stderr, "Try 'spiketrace profile --help'.\n");
			return EXIT_USAGE;
		}
	}
	if (optind < argc && !strcmp(argv[optind], "--"))
		optind++;
	if (optind < argc && o.pid)
		return cmd_usage_error("profile", "give a command or -p PID, not both");
	if (optind >= argc && !o.pid)
		return cmd_usage_error("profile", "nothing to profile (-p PID or -- CMD ARGS...)");
	if (!!o.baseline != max_regress)
		return cmd_usage_error("profile", "--baseline and --max-regress go together");
	if (no_stacks && o.folded)
		return cmd_usage_error("profile",
				       "--folded needs stack sampling (not --no-stacks)");
	if (no_stacks)
		o.freq_hz = 0;
	if (optind < argc)
		o.argv = argv + optind;
	if (!strcmp(o.out, "-") || !*o.out)
		o.out = NULL;
	o.live = isatty(STDOUT_FILENO); /* drawn on stdout, like top: not when it goes to a file */

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	/* until the profile's event loop takes them (a signalfd), e.g. while symbols load */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	ret = profiler_run(&o, &what);
	if (ret < 0) {
		if (what)
			fprintf(stderr, "spiketrace: %s: %s\n", what, strerror(-ret));
		return EXIT_FAILURE_RUN;
	}
	return ret;
}

const struct command cmd_profile_def = {
	.name = "profile",
	.run = cmd_profile,
	.summary = "profile a program: CPU/RSS time series, stacks, flame graphs, CI gate",
	.help = "NAME\n"
		"    spiketrace profile - where a program's CPU goes and how its memory grows\n"
		"\n"
		"SYNOPSIS\n"
		"    spiketrace profile [OPTIONS] -- CMD [ARGS...]\n"
		"    spiketrace profile [OPTIONS] -p PID\n"
		"\n"
		"DESCRIPTION\n"
		"    Samples the process (and with --children its whole tree) from /proc every\n"
		"    interval: CPU % of one CPU (4 busy threads read ~400 %), RSS, threads, I/O\n"
		"    bytes and context switches; and, unless --no-stacks, its stacks with\n"
		"    perf_event_open (software cpu-clock, frame-pointer callchains, kernel frames\n"
		"    from /proc/kallsyms, symbols from DWARF, .symtab, .dynsym, "
		"/tmp/perf-PID.map).\n"
		"    With -- CMD it runs the command and profiles it until it exits (or for\n"
		"    --duration, then ends it with SIGTERM); with -p it watches a running process\n"
		"    without stopping or tracing it. Prints the top functions by self and total\n"
		"    samples and writes trace.json (docs/profile.md). When stdout is a terminal,\n"
		"    a status line is redrawn on its last row while the profile runs.\n"
		"\n"
		"OPTIONS\n"
		"    -p PID                 profile a running process\n"
		"    --duration S           stop after S seconds\n"
		"    --interval MS          time series interval (default 100)\n"
		"    --out FILE             trace.json path (default ./trace.json; - for none)\n"
		"    --children             follow the whole process tree\n"
		"    --freq HZ              stack samples per second (default 99)\n"
		"    --no-stacks            no stack sampling\n"
		"    --event EVENT          sample on cpu-clock (default), task-clock, or a "
		"hardware\n"
		"                           event (cycles, instructions, cache-misses,\n"
		"                           branch-misses) when the machine has a PMU; without\n"
		"                           one a note says so and cpu-clock is used\n"
		"    --folded FILE          folded stacks for flamegraph.pl, speedscope, inferno\n"
		"    --fail-above-cpu PCT   exit 3 when the average CPU is above PCT\n"
		"    --fail-above-rss MIB   exit 3 when the peak RSS is above MIB\n"
		"    --baseline FILE --max-regress PCT\n"
		"                           exit 3 when CPU or RSS grew by more than PCT over\n"
		"                           an earlier trace.json\n"
		"    -h, --help             show this help\n"
		"\n"
		"EXIT STATUS\n"
		"    0 done; 1 profiling failed; 2 bad command line; 3 a --fail-above or\n"
		"    --max-regress limit was exceeded (a table says which). The profiled\n"
		"    command's own exit status is in trace.json.\n",
};
