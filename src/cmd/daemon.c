/* daemon.c - `spiketrace daemon`: option parsing and wiring of the capture engine. */
#include "cmd/cmds.h"

int cmd_daemon(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

const struct command cmd_daemon_def = {
	.name = "daemon",
	.run = cmd_daemon,
	.summary = "sample the system and dump JSON when a spike happens",
	.help = "usage: spiketrace daemon [OPTIONS]\n",
};
