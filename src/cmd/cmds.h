/* cmds.h - the subcommand table: one file per command under src/cmd/, `int cmd_x(argc, argv)`. */
#ifndef SPIKETRACE_CMD_CMDS_H
#define SPIKETRACE_CMD_CMDS_H

struct command {
	const char *name;
	int (*run)(int argc,
		   char **argv); /* argv[0] is the command name; returns the exit status */
	const char *summary;	 /* one line for `spiketrace help` */
	const char *help;	 /* the full --help text */
};

/* Exit statuses shared by every command. */
enum {
	EXIT_OK = 0,
	EXIT_FAILURE_RUN = 1, /* something went wrong while running */
	EXIT_USAGE = 2,	      /* bad command line or configuration: the user's input */
};

extern const struct command cmd_daemon_def;
extern const struct command cmd_show_def;
extern const struct command cmd_view_def;
extern const struct command cmd_trace_def;
extern const struct command cmd_profile_def;

int cmd_daemon(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_view(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_profile(int argc, char **argv);
/* Prints a command's help to stdout. */
void cmd_print_help(const struct command *c);

/*
 * Prints "spiketrace CMD: message" and "Try 'spiketrace CMD --help'." to stderr
 * and returns EXIT_USAGE, for a bad command line.
 */
int cmd_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
