/* show.c - `spiketrace show`: dumps as text or normalised JSON, for grep and jq. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/json.h"
#include "capture/dumpfile.h"
#include "cmd/cmds.h"
#include "ui/show.h"

static const struct option longopts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "top", required_argument, NULL, 'n' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* One line per unreadable file on stderr; JSON when the output is JSON. */
static void report(bool json, const char *path, const char *reason)
{
	if (json) {
		struct strbuf sb = STRBUF_INIT;
		struct json_writer w;

		json_init(&w, &sb, false);
		json_obj_begin(&w);
		json_kv_str(&w, "file", path);
		json_kv_str(&w, "error", reason);
		json_obj_end(&w);
		fprintf(stderr, "%s\n", strbuf_str(&sb));
		strbuf_release(&sb);
	} else {
		fprintf(stderr, "spiketrace: '%s': %s\n", path, reason);
	}
}

static int show_one(const char *path, bool json, size_t top)
{
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	struct dump d;
	int bad = 0;

	if (dump_load(path, &d, &err) < 0) {
		report(json, path, strbuf_str(&err));
		bad = 1;
	} else {
		if (json)
			show_json(&d, top, &out);
		else
			show_text(&d, top, &out);
		fwrite(out.buf, 1, out.len, stdout);
	}
	dump_release(&d);
	strbuf_release(&err);
	strbuf_release(&out);
	return bad;
}

int cmd_show(int argc, char **argv)
{
	bool json = false;
	long top = 10;
	int c, bad = 0;
	char *end;

	optind = 1;
	while ((c = getopt_long(argc, argv, "jn:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'n':
			errno = 0;
			top = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || top < 0) {
				return cmd_usage_error(
					"show", "invalid --top '%s' (a count, 0 = all)", optarg);
			}
			break;
		case 'h':
			cmd_print_help(&cmd_show_def);
			return EXIT_OK;
		default:
			fprintf(stderr, "Try 'spiketrace show --help'.\n");
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		return cmd_usage_error("show", "no dump given");
	}
	for (int i = optind; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			struct dump_index ix = { 0 };

			dump_index_scan(&ix, argv[i]);
			/* oldest first reads like a log */
			for (size_t k = ix.n; k-- > 0;)
				bad |= show_one(ix.e[k].path, json, (size_t)top);
			dump_index_release(&ix);
			continue;
		}
		bad |= show_one(argv[i], json, (size_t)top);
	}
	fflush(stdout);
	return bad ? EXIT_FAILURE_RUN : EXIT_OK;
}

const struct command cmd_show_def = {
	.name = "show",
	.run = cmd_show,
	.summary = "print spike dumps as text or JSON (for grep and jq)",
	.help = "NAME\n"
		"    spiketrace show - print spike dumps as text or normalised JSON\n"
		"\n"
		"SYNOPSIS\n"
		"    spiketrace show [--json] [--top N] FILE|DIR...\n"
		"\n"
		"DESCRIPTION\n"
		"    For each dump: a header line, the trigger (type, time, culprit pid and "
		"command,\n"
		"    value against baseline, delta, threshold, cooldown scope) and any other "
		"trigger\n"
		"    of the same sample, then per snapshot one line of system figures (CPU, "
		"memory,\n"
		"    load, process count; the trigger snapshot is marked [trigger]) followed by "
		"its\n"
		"    top processes by CPU: PID, PPID, USER, CPU% (of one CPU), RSS, state, "
		"command.\n"
		"    A directory stands for its spike_*.json files, oldest first.\n"
		"\n"
		"OPTIONS\n"
		"    -j, --json      one JSON object per dump and line (see docs/show.md), for "
		"jq;\n"
		"                    errors are JSON objects on stderr\n"
		"    -n, --top N     processes per snapshot (default 10; 0 = all the dump holds)\n"
		"    -h, --help      show this help\n"
		"\n"
		"EXIT STATUS\n"
		"    0 every file was read; 1 some file could not be read (one line each on\n"
		"    stderr: corrupt, truncated, newer schema, missing); 2 bad command line.\n",
};
