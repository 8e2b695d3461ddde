/* test_statusline.c - unit tests of profile/statusline on a pseudo-terminal: what it writes. */
#include "profile/statusline.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "tap.h"

/* Everything the terminal side received so far (master fd, non-blocking), as text. */
static void drain(int master, char *buf, size_t cap)
{
	size_t len = 0;
	ssize_t n;

	while (len + 1 < cap && (n = read(master, buf + len, cap - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
}

int main(void)
{
	struct winsize ws = { .ws_row = 24, .ws_col = 30 };
	char buf[4096];
	struct statusline *sl;
	int master, slave, pipefd[2];

	setenv("TERM", "xterm", 1);
	master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0 ||
	    (slave = open(ptsname(master), O_RDWR | O_NOCTTY)) < 0) {
		printf("1..0 # SKIP no pseudo-terminal here\n");
		return 77;
	}
	fcntl(master, F_SETFL, O_NONBLOCK);
	ioctl(master, TIOCSWINSZ, &ws);

	sl = statusline_new(slave);
	ok(sl != NULL, "a terminal gets a status line");
	drain(master, buf, sizeof(buf));
	/* the tty turns "\n" into "\r\n" (onlcr) */
	is_str(buf, "\r\n\0337\033[1;23r\0338\033[1A", "new: a row made, the region is rows 1-23");
	statusline_draw(sl, "[ 1.0 s] CPU 100 %  RSS 1 MiB and more than thirty columns");
	drain(master, buf, sizeof(buf));
	is_str(buf, "\0337\033[24;1H\033[2K[ 1.0 s] CPU 100 %  RSS 1 MiB\0338",
	       "draw: on row 24, in place, cut to the width less one, cursor restored");
	ws.ws_row = 10;
	ioctl(master, TIOCSWINSZ, &ws);
	statusline_resize(sl);
	drain(master, buf, sizeof(buf));
	is_str(buf, "\0337\033[1;9r\0338", "resize: the region follows the new height");
	statusline_draw(sl, "x");
	drain(master, buf, sizeof(buf));
	ok(strstr(buf, "\033[10;1H") != NULL, "resize: the line moves to the new last row");
	statusline_free(sl);
	drain(master, buf, sizeof(buf));
	is_str(buf, "\0337\033[10;1H\033[2K\033[r\0338",
	       "free: the line cleared, the region reset");
	statusline_free(NULL);
	statusline_draw(NULL, "x");

	ok(pipe(pipefd) == 0 && statusline_new(pipefd[1]) == NULL, "a pipe gets none");
	setenv("TERM", "dumb", 1);
	ok(statusline_new(slave) == NULL, "TERM=dumb gets none");
	drain(master, buf, sizeof(buf));
	is_str(buf, "", "and nothing is written for them");
	close(pipefd[0]);
	close(pipefd[1]);
	close(slave);
	close(master);
	return done_testing();
}
