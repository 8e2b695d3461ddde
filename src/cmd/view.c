/* view.c - `spiketrace view`: options, the default directory from the configuration, the TUI. */
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "capture/config.h"
#include "cmd/cmds.h"
#include "ui/tui.h"

enum { OPT_ASCII = 256, OPT_NO_COLOR };

/* CLOCK_MONOTONIC as the process starts (before main), for SPIKETRACE_VIEW_TIMING. */
static uint64_t process_start_ns;

__attribute__((constructor)) static void note_process_start(void)
{
	process_start_ns = clock_mono_ns();
}

static const struct option longopts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "ascii", no_argument, NULL, OPT_ASCII },
	{ "no-color", no_argument, NULL, OPT_NO_COLOR },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* The configured output_directory (file found like the daemon finds it) into *dir. */
static int configured_dir(const char *config_path, char **dir, struct strbuf *err)
{
	struct config cfg;
	char *path = config_find(config_path);
	int ret = 0;

	config_defaults(&cfg);
	if (path)
		ret = config_load_file(&cfg, path, err);
	if (!ret)
		*dir = xstrdup(cfg.output_directory);
	config_release(&cfg);
	free(path);
	return ret;
}

int cmd_view(int argc, char **argv)
{
	struct tui_options o = { .start_ns = process_start_ns };
	struct strbuf err = STRBUF_INIT;
	const char *config_path = NULL;
	const char *dir_arg[1];
	char *dir = NULL;
	struct tui *t = NULL;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config_path = optarg;
			break;
		case OPT_ASCII:
			o.ascii = true;
			break;
		case OPT_NO_COLOR:
			o.no_color = true;
			break;
		case 'h':
			cmd_print_help(&cmd_view_def);
			return EXIT_OK;
		default:
			fprintf(stderr, "Try 'spiketrace view --help'.\n");
			return EXIT_USAGE;
		}
	}
	for (int i = optind; i < argc; i++)
		if (!argv[i][0])
			return cmd_usage_error("view", "an empty path");

	if (optind < argc) {
		o.paths = (const char *const *)argv + optind;
		o.npaths = (size_t)(argc - optind);
	} else {
		if (configured_dir(config_path, &dir, &err) < 0) {
			fprintf(stderr, "spiketrace: %s\n", strbuf_str(&err));
			ret = EXIT_USAGE;
			goto out;
		}
		dir_arg[0] = dir;
		o.paths = dir_arg;
		o.npaths = 1;
	}
	o.timing_path = getenv("SPIKETRACE_VIEW_TIMING");
	if (o.timing_path && !*o.timing_path)
		o.timing_path = NULL;

	t = tui_new(&o, &err);
	if (!t) {
		fprintf(stderr, "spiketrace: %s\n", strbuf_str(&err));
		ret = EXIT_FAILURE_RUN;
		goto out;
	}
	if (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO)) {
		fprintf(stderr, "spiketrace: view needs a terminal; for a text report try "
				"'spiketrace show'\n");
		ret = EXIT_USAGE;
		goto out;
	}
	ret = tui_run(t, &err) < 0 ? EXIT_FAILURE_RUN : EXIT_OK;
	if (ret)
		fprintf(stderr, "spiketrace: %s\n", strbuf_str(&err));
out:
	tui_free(t);
	free(dir);
	strbuf_release(&err);
	return ret;
}

const struct command cmd_view_def = {
	.name = "view",
	.run = cmd_view,
	.summary = "browse spike dumps in the terminal",
	.help = "NAME\n"
		"    spiketrace view - browse spike dumps in a terminal user interface\n"
		"\n"
		"SYNOPSIS\n"
		"    spiketrace view [-c FILE] [--ascii] [--no-color] [DIR|FILE...]\n"
		"\n"
		"DESCRIPTION\n"
		"    Shows the dumps of DIR (default: output_directory of the configuration)\n"
		"    and of any FILE given, in three panels. The Explorer lists the dumps\n"
		"    newest first: time, trigger type, pid and culprit command; a dump that\n"
		"    cannot be read (not JSON, truncated, a newer schema) is marked '!' and\n"
		"    the reason is shown when it is selected. The Trigger panel shows what\n"
		"    fired: value against baseline, delta, threshold, cooldown scope and the\n"
		"    culprit's command line. Details lists the processes of one snapshot\n"
		"    (PID, USER, CPU % of one CPU, RSS, state, command line) with HIST, one\n"
		"    dot per snapshot of the dump, filled where the process is among that\n"
		"    snapshot's top processes. A dump opens at its trigger snapshot; ] and [\n"
		"    travel in time. New dumps appear in the list as the daemon writes them.\n"
		"    A DIR that does not exist yet (not named *.json) is waited for: the\n"
		"    list stays empty, says so, and fills once the daemon creates it.\n"
		"\n"
		"    Only the visible rows are read, each only as far as its trigger (the\n"
		"    first 64 KiB) plus its last bytes, and only the selected dump is loaded\n"
		"    whole, so a directory of thousands of dumps opens at once. A dump that\n"
		"    does not end in '}' is listed as truncated; damage between its trigger\n"
		"    and its end is found when it is opened, and it is marked then.\n"
		"\n"
		"OPTIONS\n"
		"    -c, --config FILE  read output_directory from FILE instead of\n"
		"                       /etc/spiketrace/config.toml or\n"
		"                       ~/.config/spiketrace/config.toml\n"
		"        --ascii        draw '*' and '.' dots and ASCII lines (the default\n"
		"                       when the locale is not UTF-8)\n"
		"        --no-color     monochrome, even on a colour terminal\n"
		"    -h, --help         show this help\n"
		"\n"
		"KEYS\n"
		"    Tab             switch focus between Explorer and Details\n"
		"    j k Down Up     move; PgUp PgDn Home End jump\n"
		"    Enter           open the selected dump (moving the selection previews it)\n"
		"    ] n  [ p        next / previous snapshot; { } first / trigger snapshot\n"
		"    c m P           sort processes by CPU, memory (RSS) or PID; again reverses\n"
		"                    (P, capital: p is the previous snapshot)\n"
		"    t               process tree: children indented under their parent\n"
		"    /               filter processes by command substring (Enter applies,\n"
		"                    Esc clears)\n"
		"    ?               help;  q  quit\n"
		"    mouse           a click selects a row and focuses its panel; the wheel\n"
		"                    scrolls the list under the pointer\n"
		"\n"
		"ENVIRONMENT\n"
		"    SPIKETRACE_VIEW_TIMING=FILE  append first_paint_ms, rows_read_ms (every\n"
		"                    visible row shows its culprit) and, per snapshot change,\n"
		"                    redraw_ms lines to FILE (benchmarks)\n"
		"\n"
		"EXIT STATUS\n"
		"    0 quit with q; 1 a directory or file cannot be read, or the terminal\n"
		"    failed; 2 a bad command line or configuration, or stdout is not a\n"
		"    terminal (use 'spiketrace show' for a text report).\n",
};
