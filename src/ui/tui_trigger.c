/* tui_trigger.c - the Trigger panel: what fired, against what baseline, and who the culprit is. */
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
	char v[4][40], buf[512];

	const char *when = tr->timestamp ? tr->timestamp : str(d->created_at);

	if (tr->pid > 0)
		snprintf(buf, sizeof(buf), "%s  pid %d (%s)  at %s", str(tr->type), tr->pid,
			 tr->comm, when);
	else if (tr->interface && tr->interface[0])
		snprintf(buf, sizeof(buf), "%s  interface %s  at %s", str(tr->type), tr->interface,
			 when);
	else
		snprintf(buf, sizeof(buf), "%s  system-wide  at %s", str(tr->type), when);
	label_line(l, NULL, buf, ST_MARK);

	tui_fmt_value(v[0], sizeof(v[0]), tr->value, tr->unit);
	tui_fmt_value(v[1], sizeof(v[1]), tr->baseline, tr->unit);
	tui_fmt_value(v[2], sizeof(v[2]), tr->delta, tr->unit);
	tui_fmt_value(v[3], sizeof(v[3]), tr->threshold, tr->unit);
	snprintf(buf, sizeof(buf), "%s  baseline %s  delta %s%s  threshold %s", v[0], v[1],
		 tr->delta > 0 ? "+" : "", v[2], v[3]);
	label_line(l, "value", buf, ST_NORMAL);
	if (tr->threshold_ratio > 0) {
		/* the network monitor judges a ratio to its baseline, not a difference */
		snprintf(buf, sizeof(buf), "%.2f of the baseline  (fires %s %.2f)", tr->ratio,
			 strcmp(str(tr->type), "net_latency") ? "below" : "above",
			 tr->threshold_ratio);
		label_line(l, "ratio", buf, ST_NORMAL);
	}

	snprintf(buf, sizeof(buf), "%s  cooldown %g s", tr->scope ? tr->scope : "?",
		 tr->cooldown_s);
	if (tr->pid > 0)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
			 "  ppid %d  pgid %d  user %s", tr->ppid, tr->pgid,
			 show_user_name(tr->uid));
	label_line(l, "scope", buf, ST_NORMAL);

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

		tui_fmt_value(v[0], sizeof(v[0]), o->value, o->unit);
		snprintf(buf, sizeof(buf), "%s  pid %d (%s)  %s", str(o->type), o->pid, o->comm,
			 v[0]);
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
		label_line(&l, NULL, "No dumps to show.", ST_DIM);
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
