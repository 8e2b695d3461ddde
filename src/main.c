/* main.c - the spiketrace binary: dispatches to a subcommand (git/bpftool style). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmds.h"

static const struct command *const commands[] = {
	&cmd_daemon_def,
	&cmd_view_def,
	&cmd_show_def,
	&cmd_trace_def,
	&cmd_profile_def,
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	fprintf(out, "usage: spiketrace [--version] [--help] COMMAND [ARGS]\n\n"
		     "Capture what a Linux machine was doing during short resource spikes.\n\n"
		     "Commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(out, "  %-10s %s\n", "help", "show help for a command");
	fprintf(out,
		"\nRun 'spiketrace help COMMAND' or 'spiketrace COMMAND --help' for details.\n");
}

static const struct command *find(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	return NULL;
}

void cmd_print_help(const struct command *c)
{
	fputs(c->help, stdout);
}

int cmd_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "spiketrace %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'spiketrace %s --help'.\n", cmd);
	return EXIT_USAGE;
}

/* The names users know from the original spiketrace, installed as links to this binary. */
static const struct {
	const char *argv0;
	const char *command;
} aliases[] = {
	{ "spiketrace-view", "view" },
	{ "spiketrace-view-cli", "show" },
};

int main(int argc, char **argv)
{
	const char *base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	const struct command *c;

	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
		if (!strcmp(base, aliases[i].argv0) && (c = find(aliases[i].command)))
			return c->run(argc, argv);
	}

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("spiketrace %s\n", SPIKETRACE_VERSION);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "help")) {
		if (argc < 3) {
			usage(stdout);
			return EXIT_OK;
		}
		c = find(argv[2]);
		if (!c) {
			fprintf(stderr, "spiketrace: unknown command '%s'\n", argv[2]);
			return EXIT_USAGE;
		}
		cmd_print_help(c);
		return EXIT_OK;
	}
	c = find(argv[1]);
	if (!c) {
		fprintf(stderr, "spiketrace: unknown command '%s'; see 'spiketrace --help'\n",
			argv[1]);
		return EXIT_USAGE;
	}
	return c->run(argc - 1, argv + 1);
}
