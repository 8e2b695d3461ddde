/* log.h - the one family of message helpers: levels, printf-checked, to stderr. */
#ifndef SPIKETRACE_BASE_LOG_H
#define SPIKETRACE_BASE_LOG_H

#include <stdbool.h>

enum log_level {
	LOG_ERROR = 0,
	LOG_WARN,
	LOG_INFO,
	LOG_DEBUG,
};

void log_set_level(enum log_level lvl);
enum log_level log_get_level(void);
/* "error", "warn" (or "warning"), "info", "debug" -> level. Returns 0 or -EINVAL. */
int log_level_parse(const char *s, enum log_level *out);
/* Prefix every line with an ISO-8601 UTC timestamp (the daemon turns this on off a journal). */
void log_set_timestamps(bool on);

/*
 * Writes "spiketrace: LEVEL: message\n" to stderr when lvl is enabled (info
 * lines carry no level word). Messages are lowercase with no full stop, what
 * failed first and the subject quoted: "cannot open '/x': Permission denied".
 * Preserves errno.
 */
void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
