/* tui_trigger.c - the Trigger panel: what fired, against what baseline, and who the culprit is. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ui/show.h"
#include "ui/tui_internal.h"

/* A text cursor down the panel: each line is one row, cut at the panel's width. */
struct lines {
	const struct tui *t;
	int y, x, w, end;
};

static const char *str(const char *s)
{
	return s ? s : "";
}

static bool room(const struct lines *l)
{
	return l->y < l->end;
}

static void label_line(struct lines *l, const char *label, const char *text, enum tui_style st)
{
	int x = 0;

	if (!room(l))
		return;
	if (label) {
		attrset(tui_attr(l->t, ST_DIM));
		x = tui_putf(l->t, l->y, l->x, l->w, "%s ", label);
	}
	attrset(tui_attr(l->t, st));
	tui_put(l->t, l->y, l->x + x, text, l->w - x);
	attrset(A_NORMAL);
	l->y++;
}

/* One labelled figure of the Trigger panel: "baseline 35.4 %". */
struct fact {
	const char *label; /* dim, NULL for none */
	char text[160];
};

/*
 * Lays facts out left to right, two blanks apart, starting a new row where the
 * next one does not fit: a narrow panel wraps them rather than cut the last
 * ones off. Widths are counted in bytes, so UTF-8 text wraps a little early.
 */
static void fact_lines(struct lines *l, const struct fact *f, size_t n, enum tui_style st)
{
	int x = 0;

	for (size_t i = 0; i < n && room(l); i++) {
		int w = (int)strlen(f[i].text) + (f[i].label ? (int)strlen(f[i].label) + 1 : 0);

		if (x > 0 && x + 2 + w > l->w) {
			l->y++;
			x = 0;
			if (!room(l))
				break;
		}
		x += x > 0 ? 2 : 0;
		if (f[i].label) {
			attrset(tui_attr(l->t, ST_DIM));
			x += tui_putf(l->t, l->y, l->x + x, l->w - x, "%s ", f[i].label);
		}
		attrset(tui_attr(l->t, st));
		x += tui_put(l->t, l->y, l->x + x, f[i].text, l->w - x);
	}
	attrset(A_NORMAL);
	if (x > 0)
		l->y++;
}

__attribute__((format(printf, 3, 4))) static void add_fact(struct fact *f, const char *label,
							   const char *fmt, ...)
{
	va_list ap;

	f->label = label;
	va_start(ap, fmt);
	vsnprintf(f->text, sizeof(f->text), fmt, ap);
	va_end(ap);
}

/* Long text (an error) over the rows left, cut every width bytes at a character boundary. */
static void wrapped(struct lines *l, const char *text, enum tui_style st)
{
	int w = l->w > 1 ? l->w - 1 : 1;
	char buf[512];

	attrset(tui_attr(l->t, st));
	for (const char *p = text; *p && room(l);) {
		size_t take = strnlen(p, (size_t)w);

		/* bytes >= columns, so a piece always fits; never split a UTF-8 sequence */
		while (p[take] && take > 1 && ((unsigned char)p[take] & 0xc0) == 0x80)
			take--;
		take = take < sizeof(buf) ? take : sizeof(buf) - 1;
		memcpy(buf, p, take);
		buf[take] = '\0';
		tui_put(l->t, l->y++, l->x + 1, buf, w);
		p += take;
	}
	attrset(A_NORMAL);
}

static void draw_bad(struct lines *l, const struct dump_entry *e, const char *reason)
{
	label_line(l, NULL, "! this dump cannot be read:", ST_BAD);
	wrapped(l, reason, ST_BAD);
	label_line(l, "file", e->path, ST_DIM);
}

static void diag_line(void *arg, const char *label, const char *text)
{
	label_line(arg, label, text, strcmp(label, "diagnosis") ? ST_NORMAL : ST_MARK);
}

static void draw_dump(struct tui *t, struct lines *l)
{
	const struct dump *d = &t->d;
	const struct dump_trigger *tr = &d->trigger;
	const char *when = tr->timestamp && tr->timestamp[0] ? tr->timestamp : str(d->created_at);
	struct fact f[6];
	size_t nf = 0;
	char v[40], buf[512];

	/* who, what it measured, and in what context: each group from a new row */
	add_fact(&f[nf++], NULL, "%s", str(tr->type));
	if (tr->pid > 0) {
		add_fact(&f[nf++], NULL, "pid %d (%s)", tr->pid, tr->comm);
		add_fact(&f[nf++], "user", "%s", show_user_name(tr->uid));
	} else if (tr->interface && tr->interface[0]) {
		add_fact(&f[nf++], "interface", "%s", tr->interface);
	} else {
		add_fact(&f[nf++], NULL, "system-wide");
	}
	fact_lines(l, f, nf, ST_MARK);

	nf = 0;
	add_fact(&f[nf++], "value", "%s", tui_fmt_value(v, sizeof(v), tr->value, tr->unit));
	add_fact(&f[nf++], "baseline", "%s", tui_fmt_value(v, sizeof(v), tr->baseline, tr->unit));
	add_fact(&f[nf++], "delta", "%s%s", tr->delta > 0 ? "+" : "",
		 tui_fmt_value(v, sizeof(v), tr->delta, tr->unit));
	add_fact(&f[nf++], "threshold", "%s", tui_fmt_value(v, sizeof(v), tr->threshold, tr->unit));
	fact_lines(l, f, nf, ST_NORMAL);
	if (tr->threshold_ratio > 0) {
		/* the network monitor judges a ratio to its baseline, not a difference */
		snprintf(buf, sizeof(buf), "%.2f of the baseline  (fires %s %.2f)", tr->ratio,
			 strcmp(str(tr->type), "net_latency") ? "below" : "above",
			 tr->threshold_ratio);
		label_line(l, "ratio", buf, ST_NORMAL);
	}

	nf = 0;
	add_fact(&f[nf++], "scope", "%s", tr->scope && tr->scope[0] ? tr->scope : "?");
	add_fact(&f[nf++], "cooldown", "%g s", tr->cooldown_s);
	if (tr->pid > 0) {
		add_fact(&f[nf++], "ppid", "%d", tr->ppid);
		add_fact(&f[nf++], "pgid", "%d", tr->pgid);
	}
	add_fact(&f[nf++], "at", "%s", when);
	fact_lines(l, f, nf, ST_NORMAL);

	if (tr->pid > 0)
		label_line(l, "cmdline", tr->cmdline && tr->cmdline[0] ? tr->cmdline : tr->comm,
			   ST_NORMAL);
	if (tr->security) {
		struct strbuf sec = STRBUF_INIT;
		bool first = true;

		dump_security_text(tr->security, &sec);
		for (const char *p = strbuf_str(&sec); *p && room(l); first = false) {
			const char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);

			snprintf(buf, sizeof(buf), "%.*s", (int)n, p);
			label_line(l, "security", buf, first ? ST_BAD : ST_NORMAL);
			p += n + (nl ? 1 : 0);
		}
		strbuf_release(&sec);
	}
	for (size_t i = 0; i < d->nothers && room(l); i++) {
		const struct dump_trigger *o = &d->others[i];

		snprintf(buf, sizeof(buf), "%s  pid %d (%s)  %s", str(o->type), o->pid, o->comm,
			 tui_fmt_value(v, sizeof(v), o->value, o->unit));
		label_line(l, "also", buf, ST_NORMAL);
	}
	show_diag_lines(d, diag_line, l);
	snprintf(buf, sizeof(buf), "%s  kernel %s  %d CPUs  every %g s  %zu snapshots",
		 d->hostname ? d->hostname : "?", d->kernel ? d->kernel : "?", d->ncpu,
		 d->interval_s, d->nsnaps);
	label_line(l, "host", buf, ST_NORMAL);
	label_line(l, "file", d->path ? d->path : t->shown, ST_DIM);
}

static void trigger_draw(struct tui *t, const struct tui_rect *r)
{
	struct lines l = {
		.t = t, .y = r->y + 1, .x = r->x + 1, .w = r->w - 1, .end = r->y + r->h
	};
	const struct dump_entry *e = t->ix.n ? &t->ix.e[t->sel] : NULL;
	bool current = e && t->shown && !strcmp(t->shown, e->path);

	tui_panel_header(t, r, PANE_TRIGGER, NULL);
	if (!e) {
		const char *missing = tui_missing_dir(t);

		label_line(&l, NULL, "No dumps to show.", ST_DIM);
		if (missing) {
			label_line(&l, NULL,
				   "This directory does not exist yet; it is watched:", ST_DIM);
			label_line(&l, NULL, missing, ST_NORMAL);
		}
		label_line(&l, NULL, "Dumps appear when `spiketrace daemon` catches a spike.",
			   ST_DIM);
	} else if (current && t->load_error) {
		draw_bad(&l, e, t->load_error);
	} else if (current && t->have_dump) {
		draw_dump(t, &l);
	} else if (e->state == DUMP_BAD) {
		draw_bad(&l, e, e->reason ? e->reason : "unreadable");
	} else {
		char buf[320];

		snprintf(buf, sizeof(buf), "%s  pid %d  %s", e->type, e->pid, e->when);
		label_line(&l, NULL, buf, ST_MARK);
		label_line(&l, NULL, "loading... (Enter opens it now)", ST_DIM);
	}
}

const struct tui_panel_ops tui_trigger_panel = {
	.title = "Trigger",
	.focusable = false,
	.draw = trigger_draw,
};
