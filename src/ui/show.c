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
	if (!strcmp(unit, "kib"))
		return "KiB";
	if (!strcmp(unit, "bytes_per_s"))
		return "B/s";
	if (!strcmp(unit, "us"))
		return "us";
	return "%";
}

static char *human_rate(double bytes_per_s, char *buf, size_t len)
{
	size_t n;

	human_bytes(bytes_per_s > 0 ? (uint64_t)bytes_per_s : 0, buf, len);
	n = strlen(buf);
	snprintf(buf + n, len - n, "/s");
	return buf;
}

/* The network anomaly monitor's triggers explain themselves in their own units. */
static bool net_trigger_line(const char *label, const struct dump_trigger *t, struct strbuf *out)
{
	char v[32], b[32];

	if (!strcmp(t->type, "net_throughput_drop")) {
		strbuf_addf(out,
			    "%s %s at %s: interface %s throughput %s, baseline %s (ratio %.2f < "
			    "%.2f); scope %s, cooldown %.1f s\n",
			    label, t->type, t->timestamp, t->interface ? t->interface : "?",
			    human_rate(t->value, v, sizeof(v)), human_rate(t->baseline, b, sizeof(b)),
			    t->ratio, t->threshold_ratio, t->scope, t->cooldown_s);
		return true;
	}
	if (!strcmp(t->type, "net_latency")) {
		strbuf_addf(out,
			    "%s %s at %s: latency %.0f us, baseline %.0f us (ratio %.2f > %.2f); "
			    "scope %s, cooldown %.1f s\n",
			    label, t->type, t->timestamp, t->value, t->baseline, t->ratio,
			    t->threshold_ratio, t->scope, t->cooldown_s);
		return true;
	}
	return false;
}

/* One line for the interfaces that moved data (lo aside), one for the disks, one for I/O procs. */
static void net_disk_lines(const struct dump_snap *s, struct strbuf *out)
{
	char a[32], b[32];
	bool any = false;

	for (size_t i = 0; i < s->nnet; i++) {
		const struct dump_net *n = &s->net[i];

		if (!strcmp(n->name, "lo") || (n->rx_bytes_per_s <= 0 && n->tx_bytes_per_s <= 0))
			continue;
		strbuf_addf(out, "%s %s rx %s tx %s", any ? "," : "  net:", n->name,
			    human_rate(n->rx_bytes_per_s, a, sizeof(a)),
			    human_rate(n->tx_bytes_per_s, b, sizeof(b)));
		any = true;
	}
	if (any)
		strbuf_addc(out, '\n');
	any = false;
	for (size_t i = 0; i < s->ndisks; i++) {
		const struct dump_disk *d = &s->disks[i];

		if (d->read_bytes_per_s <= 0 && d->write_bytes_per_s <= 0 && d->util_pct <= 0)
			continue;
		strbuf_addf(out, "%s %s read %s write %s %.0f IOPS util %.1f%%",
			    any ? "," : "  disk:", d->name,
			    human_rate(d->read_bytes_per_s, a, sizeof(a)),
			    human_rate(d->write_bytes_per_s, b, sizeof(b)),
			    d->read_iops + d->write_iops, d->util_pct);
		any = true;
	}
	if (any)
		strbuf_addc(out, '\n');
	for (size_t i = 0; i < s->nio_procs && i < 3; i++) {
		const struct dump_proc *p = &s->io_procs[i];

		strbuf_addf(out, "%s %d (%s) read %s write %s", i ? "," : "  io:", p->pid, p->comm,
			    human_rate(p->read_bytes_per_s, a, sizeof(a)),
			    human_rate(p->write_bytes_per_s, b, sizeof(b)));
	}
	if (s->nio_procs)
		strbuf_addc(out, '\n');
}

static void trigger_line(const char *label, const struct dump_trigger *t, struct strbuf *out)
{
	if (net_trigger_line(label, t, out))
		return;
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

/* "label: a, b, c" of at most max items, "+N more" after */
static void join_lines(struct strbuf *sb, char *const *v, size_t n, size_t max)
{
	for (size_t i = 0; i < n && i < max; i++)
		strbuf_addf(sb, "%s%s", i ? ", " : "", v[i]);
	if (n > max)
		strbuf_addf(sb, ", +%zu more", n - max);
}

void show_diag_lines(const struct dump *d, show_line_fn fn, void *arg)
{
	const struct dump_diag *g = d->diag;
	struct strbuf sb = STRBUF_INIT;

	if (!g)
		return;
	if (g->pid > 0)
		strbuf_addf(&sb, "pid %d (%s): ", g->pid, g->comm);
	if (g->complete)
		strbuf_addf(&sb, "%.1f s in diagnostic mode (ended: %s), %zu fast samples", g->duration_s,
			    g->end_reason, g->nfast);
	else
		strbuf_adds(&sb, "diagnostic mode in progress when this copy was written");
	if (g->nfast)
		strbuf_addf(&sb, "; CPU avg %.1f%% max %.1f%%", g->cpu_avg, g->cpu_max);
	fn(arg, "diagnosis", strbuf_str(&sb));
	if (g->pid <= 0)
		goto out;
	strbuf_reset(&sb);
	strbuf_adds(&sb, g->stacks ? g->stacks : "none");
	if (g->ntop) {
		strbuf_adds(&sb, ": ");
		join_lines(&sb, g->top, g->ntop, 5);
	}
	fn(arg, "stacks", strbuf_str(&sb));
	strbuf_reset(&sb);
	strbuf_addf(&sb, "%llu fds", (unsigned long long)g->fds_total);
	if (g->nfiles) {
		strbuf_adds(&sb, ": ");
		join_lines(&sb, g->files, g->nfiles, 8);
	}
	fn(arg, "files", strbuf_str(&sb));
	if (g->nsockets) {
		strbuf_reset(&sb);
		join_lines(&sb, g->sockets, g->nsockets, 8);
		fn(arg, "sockets", strbuf_str(&sb));
	}
	if (g->nchildren) {
		strbuf_reset(&sb);
		join_lines(&sb, g->children, g->nchildren, 8);
		fn(arg, "children", strbuf_str(&sb));
	}
	if (g->cgroup && g->cgroup[0])
		fn(arg, "cgroup", g->cgroup);
out:
	strbuf_release(&sb);
}

static void text_line(void *arg, const char *label, const char *text)
{
	strbuf_addf(arg, "%s%s: %s\n", strcmp(label, "diagnosis") ? "  " : "", label, text);
}

void show_text(const struct dump *d, size_t top, struct strbuf *out)
{
	const char *slash = strrchr(d->path, '/');

	strbuf_addf(out, "== %s (%s, %s, schema %d)\n", slash ? slash + 1 : d->path, d->hostname,
		    d->generator, d->schema_version);
	trigger_line("trigger", &d->trigger, out);
	for (size_t i = 0; i < d->nothers; i++)
		trigger_line("  also", &d->others[i], out);
	show_diag_lines(d, text_line, out);
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
		net_disk_lines(s, out);
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
	if (t->interface && t->interface[0])
		json_kv_str(w, "interface", t->interface);
	json_obj_end(w);
}

static void json_lines(struct json_writer *w, const char *key, char *const *v, size_t n)
{
	json_key(w, key);
	json_arr_begin(w);
	for (size_t i = 0; i < n; i++)
		json_str(w, v[i]);
	json_arr_end(w);
}

static void json_diag(struct json_writer *w, const struct dump_diag *g)
{
	json_key(w, "diagnosis");
	if (!g) {
		json_null(w);
		return;
	}
	json_obj_begin(w);
	json_kv_int(w, "pid", g->pid);
	json_kv_str(w, "comm", g->comm);
	json_kv_bool(w, "complete", g->complete);
	json_kv_str(w, "end_reason", g->end_reason);
	json_kv_double(w, "duration_seconds", g->duration_s, 3);
	json_kv_uint(w, "fast_samples", g->nfast);
	json_kv_double(w, "cpu_avg_pct", g->cpu_avg, 2);
	json_kv_double(w, "cpu_max_pct", g->cpu_max, 2);
	json_kv_str(w, "stacks", g->stacks ? g->stacks : "");
	json_lines(w, "top_functions", g->top, g->ntop);
	json_lines(w, "open_files", g->files, g->nfiles);
	json_lines(w, "sockets", g->sockets, g->nsockets);
	json_lines(w, "children", g->children, g->nchildren);
	json_kv_str(w, "cgroup", g->cgroup ? g->cgroup : "");
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
	json_diag(&w, d->diag);
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
