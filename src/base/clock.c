/* clock.c - time sources and timestamp formatting. */
#include "base/clock.h"

#include <stdio.h>
#include <time.h>

static uint64_t now(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

uint64_t clock_mono_ns(void)
{
	return now(CLOCK_MONOTONIC);
}

uint64_t clock_real_ns(void)
{
	return now(CLOCK_REALTIME);
}

static char *fmt(uint64_t real_ns, char *buf, size_t len, int compact)
{
	time_t secs = (time_t)(real_ns / NSEC_PER_SEC);
	unsigned ms = (unsigned)(real_ns % NSEC_PER_SEC / 1000000);
	struct tm tm;
	char base[32];

	gmtime_r(&secs, &tm);
	if (compact)
		strftime(base, sizeof(base), "%Y%m%dT%H%M%S", &tm);
	else
		strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%03uZ", base, ms);
	return buf;
}

char *clock_fmt_iso(uint64_t real_ns, char *buf, size_t len)
{
	return fmt(real_ns, buf, len, 0);
}

char *clock_fmt_compact(uint64_t real_ns, char *buf, size_t len)
{
	return fmt(real_ns, buf, len, 1);
}
