/* trace.c - `spiketrace trace`: options, Ctrl-C, output file and exit status of the traced command.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmds.h"
#include "trace/tracer.h"

enum { OPT_STATS = 256, OPT_JSON, OPT_SAME_CPU, OPT_ANOMALY, OPT_NO_FILTER, OPT_FAULTS, OPT_ENGINE };

static const struct option longopts[] = {
	{ "verbose", no_argument, NULL, 'v' },
	{ "output", required_argument, NULL, 'o' },
	{ "pid", required_argument, NULL, 'p' },
	{ "string-limit", required_argument, NULL, 's' },
	{ "stats", no_argument, NULL, OPT_STATS },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "same-cpu", no_argument, NULL, OPT_SAME_CPU },
	{ "no-filter", no_argument, NULL, OPT_NO_FILTER },
	{ "faults", no_argument, NULL, OPT_FAULTS },
	{ "engine", required_argument, NULL, OPT_ENGINE },
	{ "anomaly-threshold", required_argument, NULL, OPT_ANOMALY },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void on_sigint(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	/* the terminal's Ctrl-C reaches the traced command by itself (same process group) */
	tracer_interrupt(si->si_code == SI_KERNEL);
}

static int parse_pids(const char *arg, struct tracer_opts *o)
{
	char *copy = strdup(arg), *save = NULL;

	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *end;
		long pid = strtol(tok, &end, 10);

		if (*end || pid <= 0 || pid > 1 << 22) {
			free(copy);
			return -1;
		}
		o->pids = realloc(o->pids, (o->npids + 1) * sizeof(*o->pids));
		o->pids[o->npids++] = (pid_t)pid;
	}
	free(copy);
	return o->npids ? 0 : -1;
}

int cmd_trace(int argc, char **argv)
{
	struct tracer_opts o = { .anomaly_z = 3.0, .strsize = 32, .out = stderr };
	const char *outfile = NULL, *what = "";
	struct sigaction sa;
	char err[256], *end;
	int c, ret;

	optind = 1;
	/* '+': stop at the first non-option, so the command's own options stay its own */
	while ((c = getopt_long(argc, argv, "+vo:p:s:e:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'v':
			o.verbose = true;
			break;
		case 'o':
			outfile = optarg;
			break;
		case 'p':
			if (parse_pids(optarg, &o) < 0)
				return cmd_usage_error("trace", "invalid -p '%s' (PID[,PID...])",
						       optarg);
			break;
		case 's':
			o.strsize = (unsigned)strtoul(optarg, &end, 10);
			if (*end || !*optarg || o.strsize > 1 << 20)
				return cmd_usage_error(
					"trace", "invalid -s '%s' (bytes, 0 to 1048576)", optarg);
			break;
		case 'e':
			if (strncmp(optarg, "trace=", 6))
				return cmd_usage_error(
					"trace", "invalid -e '%s' (only trace=... is supported)",
					optarg);
			if (systab_parse_filter(SYSTAB_ARCH_X86_64, optarg + 6, o.set,
						sizeof(o.set), err, sizeof(err)) < 0)
				return cmd_usage_error("trace", "-e %s: %s", optarg, err);
			o.filtered = true;
			break;
		case OPT_STATS:
			o.stats = true;
			break;
		case OPT_JSON:
			o.json = true;
			break;
		case OPT_SAME_CPU:
			o.same_cpu = true;
			break;
		case OPT_NO_FILTER:
			o.no_filter = true;
			break;
		case OPT_FAULTS:
			o.faults = true;
			break;
		case OPT_ENGINE:
			if (!strcmp(optarg, "auto"))
				o.engine = ENGINE_AUTO;
			else if (!strcmp(optarg, "ptrace"))
				o.engine = ENGINE_PTRACE;
			else if (!strcmp(optarg, "bpf"))
				o.engine = ENGINE_BPF;
			else
				return cmd_usage_error("trace",
						       "invalid --engine '%s' (auto, ptrace, bpf)",
						       optarg);
			break;
		case OPT_ANOMALY:
			o.anomaly_z = strtod(optarg, &end);
			if (*end || !*optarg || o.anomaly_z < 0)
				return cmd_usage_error(
					"trace",
					"invalid --anomaly-threshold '%s' (standard deviations, "
					"0 = off)",
					optarg);
			break;
		case 'h':
			cmd_print_help(&cmd_trace_def);
			return EXIT_OK;
		default:
			fprintf(stderr, "Try 'spiketrace trace --help'.\n");
			return EXIT_USAGE;
		}
	}
	if (optind < argc && !strcmp(argv[optind], "--"))
		optind++;
	if (optind < argc && o.npids)
		return cmd_usage_error("trace", "give a command or -p PID, not both");
	if (optind >= argc && !o.npids)
		return cmd_usage_error(
			"trace", "no command to trace (spiketrace trace [OPTIONS] -- CMD ARGS...)");
	if (optind < argc)
		o.argv = argv + optind;
	if (outfile) {
		o.out = fopen(outfile, "we");
		if (!o.out) {
			fprintf(stderr, "spiketrace: cannot open '%s': %s\n", outfile,
				strerror(errno));
			free(o.pids);
			return EXIT_USAGE;
		}
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigint;
	sa.sa_flags = SA_SIGINFO; /* no SA_RESTART: waitpid must return to see the flag */
	sigaction(SIGINT, &sa, NULL);

	ret = tracer_run(&o, &what);
	if (ret < 0) {
		if (ret == -ENOENT && o.argv)
			fprintf(stderr, "spiketrace: cannot run '%s': %s\n", o.argv[0],
				strerror(-ret));
		else
			fprintf(stderr, "spiketrace: %s: %s\n", what, strerror(-ret));
		ret = ret == -ENOENT ? 127 : EXIT_FAILURE_RUN;
	}
	if (outfile)
		fclose(o.out);
	free(o.pids);
	return ret;
}

const struct command cmd_trace_def = {
	.name = "trace",
	.run = cmd_trace,
	.summary = "trace what a program does: syscalls, statistics, latency anomalies",
	.help = "NAME\n"
		"    spiketrace trace - trace a program's system calls (strace-like, work in "
		"progress)\n"
		"\n"
		"SYNOPSIS\n"
		"    spiketrace trace [OPTIONS] [--] CMD [ARGS...]\n"
		"    spiketrace trace [OPTIONS] -p PID[,PID...]\n"
		"\n"
		"DESCRIPTION\n"
		"    Runs CMD (or attaches to running processes), following every fork, vfork,\n"
		"    clone and exec, and reports on its system calls: with eBPF tracepoints\n"
		"    filtered in the kernel where they load, else under ptrace, where a seccomp\n"
		"    filter stops the tracee only on the syscalls needed (see --engine).\n"
		"    Signals are passed on to the tracee, never swallowed. By default the per-syscall table (--stats) is printed at the end.\n"
		"\n"
		"OPTIONS\n"
		"    -e trace=SET          syscalls to trace: classes (file, network, memory, io,\n"
		"                          process, signal, desc; %%file works too) and names,\n"
		"                          comma-separated; a leading ! negates; all, none\n"
		"    --stats               per-syscall table: calls, errors, total/avg time and\n"
		"                          p50/p95/p99/max latency (like strace -c, plus "
		"percentiles)\n"
		"    --anomaly-threshold Z a call slower than its syscall's running mean by Z\n"
		"                          standard deviations is reported as an anomaly\n"
		"                          (low/medium/high; default 3, 0 = off)\n"
		"    --json                NDJSON events instead of text\n"
		"    --no-filter           also show /proc, /sys, /dev, the dynamic linker, shared\n"
		"                          libraries and loopback connections (hidden by default)\n"
		"    --faults              sample minor page faults (perf_event_open) and count\n"
		"                          them by region in the summary: heap, anonymous, other\n"
		"    --engine=E            auto (default), bpf or ptrace: auto traces with eBPF\n"
		"                          tracepoints when they load here (a record per call,\n"
		"                          no stop) and with ptrace for -v and --same-cpu or when\n"
		"                          eBPF is unavailable (with a one-line note)\n"
		"    -o FILE               write the report to FILE instead of stderr\n"
		"    -p PID[,PID...]       attach to running processes; Ctrl-C detaches and they\n"
		"                          run on\n"
		"    --same-cpu            pin tracer and tracees to one CPU: a ptrace stop is\n"
		"                          several times cheaper when nothing wakes across CPUs\n"
		"                          (helps syscall-heavy, single-threaded programs; hurts\n"
		"                          programs that need both cores)\n"
		"    -h, --help            show this help\n"
		"\n"
		"CTRL-C\n"
		"    The first Ctrl-C goes to the traced program and tracing continues to its\n"
		"    end; a second one kills the traced tree and prints the report.\n"
		"\n"
		"EXIT STATUS\n"
		"    The traced command's own exit status (128 + N when killed by signal N);\n"
		"    127 when it cannot be run; 2 for a bad command line; 1 when tracing failed.\n",
};
