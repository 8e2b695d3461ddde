/* signals.c - trace workload: handled signals (delivered, not swallowed), then death by SIGABRT... by SIGUSR2. */
#include <signal.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t got;

static void handler(int sig)
{
	(void)sig;
	got++;
}

int main(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigaction(SIGUSR1, &sa, NULL);
	for (int i = 0; i < 50; i++)
		kill(getpid(), SIGUSR1);
	if (got != 50)
		return 1; /* a swallowed signal shows here */
	signal(SIGUSR2, SIG_DFL);
	kill(getpid(), SIGUSR2); /* dies: the tracer must exit 128 + 12 */
	return 0;
}
