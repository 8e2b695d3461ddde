/* show.c - text and JSON renderings of spike dumps for pipes, grep and jq. */
#include "ui/show.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/human.h"
#include "base/json.h"
#include "base/xalloc.h"

struct uid_name {
	unsigned uid;
	char *name;
};

static struct uid_name *users;
static size_t nusers, capusers;

const char *show_user_name(unsigned uid)
{
	struct passwd pw, *res = NULL;
	char buf[1024];

	for (size_t i = 0; i < nusers; i++)
		if (users[i].uid == uid)
			return users[i].name;
	XGROW(users, capusers, nusers + 1);
	users[nusers].uid = uid;
	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) == 0 && res)
		users[nusers].name = xstrdup(res->pw_name);
	else
		users[nusers].name = xasprintf("%u", uid);
	return users[nusers++].name;
}

char *show_human_kib(unsigned long long kib, char *buf, size_t len)
{
	return human_bytes((uint64_t)kib * 1024, buf, len);
}

static const char *unit_word(const char *unit)
{
	if (!strcmp(unit, "none")) /* suspicious_spawn: nothing measured */
		return "";
	return strcmp(unit, "kib") ? "%" : "KiB";
}

static void trigger_line(const char *label, const struct dump_trigger *t, struct strbuf *out)
{
	strbuf_addf(out, "%s %s at %s: pid %d (%s) value %.1f %s, baseline %.1f, delta %+.1f, "
			 "threshold %.1f; scope %s, cooldown %.1f s\n",
		    label, t->type, t->timestamp, t->pid, t->comm, t->value, unit_word(t->unit),
		    t->baseline, t->delta, t->threshold, t->scope, t->cooldown_s);
	if (t->cmdline[0])
		strbuf_addf(out, "  cmdline: %s\n", t->cmdline);
	if (t->security) {
		struct strbuf sec = STRBUF_INIT;
		const char *p;

		dump_security_text(t->security, &sec);
		for (p = strbuf_str(&sec); *p;) {
			const char *nl = strchr(p, '\n');
			int n = nl ? (int)(nl - p) : (int)strlen(p);

			strbuf_addf(out, "  security %.*s\n", n, p);
			p += n + (nl ? 1 : 0);
		}
		strbuf_release(&sec);
	}
}

void show_text(const struct dump *d, size_t top, struct strbuf *out)
{
	const char *slash = strrchr(d->path, '/');

	strbuf_addf(out, "== %s (%s, %s, schema %d)\n", slash ? slash + 1 : d->path, d->hostname,
		    d->generator, d->schema_version);
	trigger_line("trigger", &d->trigger, out);
	for (size_t i = 0; i < d->nothers; i++)
		trigger_line("  also", &d->others[i], out);
	for (size_t i = 0; i < d->nsnaps; i++) {
		const struct dump_snap *s = &d->snaps[i];
		size_t n = top && top < s->nprocs ? top : s->nprocs;
		char mem[32];

		strbuf_addf(out,
			    "snapshot %zu/%zu %s offset %+.1f s mode %s%s: cpu %.1f%% mem %.1f%% "
			    "used (%s available) load %.2f procs %llu\n",
			    i + 1, d->nsnaps, s->timestamp, s->offset_s, s->mode,
			    i == d->trigger_index ? " [trigger]" : "", s->cpu_pct, s->mem_used_pct,
			    show_human_kib(s->mem_available_kib, mem, sizeof(mem)), s->load1,
			    (unsigned long long)s->process_count);
		if (n)
			strbuf_addf(out, "  %7s %7s %-10s %6s %10s S COMMAND\n", "PID", "PPID", "USER",
				    "CPU%", "RSS");
		for (size_t j = 0; j < n; j++) {
			const struct dump_proc *p = &s->procs[j];
			char rss[32];

			strbuf_addf(out, "  %7d %7d %-10.10s %6.1f %10s %c %s\n", p->pid, p->ppid,
				    show_user_name(p->uid), p->cpu_pct,
				    show_human_kib(p->rss_kib, rss, sizeof(rss)), p->state,
				    p->cmdline[0] ? p->cmdline : p->comm);
		}
	}
}

static void json_trigger(struct json_writer *w, const struct dump_trigger *t)
{
	json_obj_begin(w);
	json_kv_str(w, "type", t->type);
	json_kv_str(w, "timestamp", t->timestamp);
	json_kv_int(w, "pid", t->pid);
	json_kv_int(w, "ppid", t->ppid);
	json_kv_str(w, "user", show_user_name(t->uid));
	json_kv_str(w, "comm", t->comm);
	json_kv_str(w, "cmdline", t->cmdline);
	json_kv_str(w, "unit", t->unit);
	json_kv_double(w, "value", t->value, 2);
	json_kv_double(w, "baseline", t->baseline, 2);
	json_kv_double(w, "delta", t->delta, 2);
	json_kv_double(w, "threshold", t->threshold, 2);
	json_kv_str(w, "scope", t->scope);
	if (t->security) {
		json_key(w, "security");
		json_obj_begin(w);
		json_kv_str(w, "rule", t->security->rule);
		json_kv_str(w, "signal", t->security->signal);
		json_kv_str(w, "severity", t->security->severity);
		json_kv_str(w, "reason", t->security->reason);
		json_kv_str(w, "mitre_technique_id", t->security->mitre_id);
		json_kv_str(w, "exe", t->security->exe);
		json_obj_end(w);
	}
	json_obj_end(w);
}

void show_json(const struct dump *d, size_t top, struct strbuf *out)
{
	struct json_writer w;

	json_init(&w, out, false);
	json_obj_begin(&w);
	json_kv_str(&w, "file", d->path);
	json_kv_int(&w, "schema_version", d->schema_version);
	json_kv_str(&w, "hostname", d->hostname);
	json_kv_str(&w, "created_at", d->created_at);
	json_key(&w, "trigger");
	json_trigger(&w, &d->trigger);
	json_key(&w, "other_triggers");
	json_arr_begin(&w);
	for (size_t i = 0; i < d->nothers; i++)
		json_trigger(&w, &d->others[i]);
	json_arr_end(&w);
	json_key(&w, "snapshots");
	json_arr_begin(&w);
	for (size_t i = 0; i < d->nsnaps; i++) {
		const struct dump_snap *s = &d->snaps[i];
		size_t n = top && top < s->nprocs ? top : s->nprocs;

		json_obj_begin(&w);
		json_kv_str(&w, "timestamp", s->timestamp);
		json_kv_double(&w, "offset_seconds", s->offset_s, 3);
		json_kv_bool(&w, "is_trigger", i == d->trigger_index);
		json_kv_str(&w, "mode", s->mode);
		json_kv_double(&w, "cpu_pct", s->cpu_pct, 2);
		json_kv_double(&w, "mem_used_pct", s->mem_used_pct, 2);
		json_kv_uint(&w, "mem_available_kib", s->mem_available_kib);
		json_kv_uint(&w, "swap_used_kib", s->swap_used_kib);
		json_kv_double(&w, "load1", s->load1, 2);
		json_kv_uint(&w, "process_count", s->process_count);
		json_key(&w, "procs");
		json_arr_begin(&w);
		for (size_t j = 0; j < n; j++) {
			const struct dump_proc *p = &s->procs[j];
			char st[2] = { p->state, 0 };

			json_obj_begin(&w);
			json_kv_int(&w, "pid", p->pid);
			json_kv_int(&w, "ppid", p->ppid);
			json_kv_str(&w, "user", show_user_name(p->uid));
			json_kv_double(&w, "cpu_pct", p->cpu_pct, 2);
			json_kv_uint(&w, "rss_kib", p->rss_kib);
			json_kv_uint(&w, "threads", p->threads);
			json_kv_str(&w, "state", st);
			json_kv_str(&w, "comm", p->comm);
			json_kv_str(&w, "cmdline", p->cmdline);
			json_obj_end(&w);
		}
		json_arr_end(&w);
		json_obj_end(&w);
	}
	json_arr_end(&w);
	json_obj_end(&w);
	strbuf_addc(out, '\n');
}
