/* xmrig.c - security workload: a harmless stand-in for a CPU miner. It is named like one, takes
 * miner-like flags (-o stratum+tcp://127.0.0.1:PORT), says "mining.subscribe" in stratum's
 * JSON-RPC to a loopback listener the test opens, then burns CPU (--throttle: busy 1.5 s, idle
 * 0.5 s, over and over; --busy S and --idle S set the two) until killed or --seconds pass.
 * Nothing leaves 127.0.0.1. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static volatile unsigned long sink;

static void burn(double seconds)
{
	double end = now_s() + seconds;

	while (now_s() < end)
		for (int i = 0; i < 100000; i++)
			sink += (unsigned long)i * 2654435761u;
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	static const char subscribe[] =
		"{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"mining.subscribe\","
		"\"params\":[\"xmrig-test/1.0\"]}\n";
	int port = 0, fd;
	double seconds = 600, start, busy_s = 1.0, idle_s = 0;

	for (int i = 1; i < argc; i++) {
		const char *p;

		if (!strcmp(argv[i], "-o") && i + 1 < argc && (p = strrchr(argv[i + 1], ':')))
			port = atoi(p + 1);
		else if (!strcmp(argv[i], "--throttle"))
			busy_s = 1.5, idle_s = 0.5;
		else if (!strcmp(argv[i], "--busy") && i + 1 < argc)
			busy_s = atof(argv[i + 1]);
		else if (!strcmp(argv[i], "--idle") && i + 1 < argc)
			idle_s = atof(argv[i + 1]);
		else if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
			seconds = atof(argv[i + 1]);
	}
	if (port <= 0 || port > 65535) {
		fprintf(stderr,
			"usage: xmrig -o stratum+tcp://127.0.0.1:PORT [--throttle] [--busy S] "
			"[--idle S] [--seconds S] [miner flags]\n");
		return 2;
	}
	a.sin_port = htons((unsigned short)port);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror("xmrig: connect");
		return 1;
	}
	if (write(fd, subscribe, sizeof(subscribe) - 1) != (ssize_t)(sizeof(subscribe) - 1)) {
		perror("xmrig: write");
		return 1;
	}
	start = now_s();
	while (now_s() - start < seconds) {
		burn(busy_s);
		if (idle_s > 0)
			usleep((useconds_t)(idle_s * 1e6));
	}
	close(fd);
	return 0;
}
