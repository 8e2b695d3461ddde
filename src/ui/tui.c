/* tui.c - the viewer's core: the dump list, inotify, loading, keys and the main loop. */
#include "ui/tui.h"

#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/xalloc.h"
#include "ui/tui_internal.h"

const struct tui_panel_ops *const tui_panels[PANE_COUNT] = {
	[PANE_EXPLORER] = &tui_explorer_panel,
	[PANE_TRIGGER] = &tui_trigger_panel,
	[PANE_DETAILS] = &tui_details_panel,
};

/* Moving the Explorer selection previews the dump once the keys pause this long. */
#define PREVIEW_PAUSE_NS (60 * 1000000ULL)
/* Reading visible rows' headers: at most this long before the first paint, then per frame. */
#define FIRST_READ_BUDGET_NS (40 * 1000000ULL)
#define FRAME_READ_BUDGET_NS (8 * 1000000ULL)
#define DUMP_EVENTS	     (IN_MOVED_TO | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_DELETE)
/* IN_MASK_ADD: one inode may be watched as a dump directory and as an ancestor (below) */
#define WATCH_MASK (DUMP_EVENTS | IN_ONLYDIR | IN_MASK_ADD)
/* on the nearest existing ancestor of a directory that does not exist yet */
#define ANCESTOR_MASK	     (IN_CREATE | IN_MOVED_TO | IN_ONLYDIR | IN_MASK_ADD)
#define KEY_CTRL_C	     3
#define KEY_ESC		     27

/* SIGINT, SIGTERM, SIGHUP: leave the loop and restore the terminal. */
static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
	stop_signal = sig;
}

static bool is_dump_name(const char *name)
{
	size_t n = strlen(name);

	return n > 11 && !strncmp(name, "spike_", 6) && !strcmp(name + n - 5, ".json");
}

static double ms_since(uint64_t t0)
{
	return (double)(clock_mono_ns() - t0) / 1e6;
}

static void timing_line(struct tui *t, const char *what, uint64_t t0)
{
	if (!t->timing)
		return;
	fprintf(t->timing, "%s %.3f\n", what, ms_since(t0));
	fflush(t->timing);
}

/* ---- the dump list ---- */

static int add_dir(struct tui *t, const char *dir, struct strbuf *err)
{
	struct dump_index tmp = { 0 };
	int ret;

	if (!t->ix.n) {
		ret = dump_index_scan(&t->ix, dir);
	} else {
		/* a second directory: merge its names into the newest-first list */
		ret = dump_index_scan(&tmp, dir);
		for (size_t i = 0; ret >= 0 && i < tmp.n; i++)
			dump_index_add(&t->ix, tmp.e[i].path);
		dump_index_release(&tmp);
	}
	if (ret < 0)
		strbuf_addf(err, "cannot read '%s': %s", dir, strerror(-ret));
	return ret < 0 ? ret : 0;
}

/*
 * A path that does not exist and is not named like a file (*.json) is a
 * directory the daemon has not created yet: the viewer waits for it.
 */
static bool awaited(const char *path, int err)
{
	size_t n = strlen(path);

	return err == ENOENT && !(n >= 5 && !strcmp(path + n - 5, ".json"));
}

/* Lists every path of the options into t->ix (emptied first). */
static int index_build(struct tui *t, struct strbuf *err)
{
	dump_index_release(&t->ix);
	memset(&t->ix, 0, sizeof(t->ix));
	for (size_t i = 0; i < t->o.npaths; i++) {
		const char *p = t->o.paths[i];
		struct stat st;
		int ret;

		if (stat(p, &st) < 0) {
			if (awaited(p, errno))
				continue; /* watch_dirs waits for it */
			ret = -errno;
			strbuf_addf(err, "cannot read '%s': %s", p, strerror(errno));
			return ret;
		}
		if (S_ISDIR(st.st_mode)) {
			ret = add_dir(t, p, err);
			if (ret < 0)
				return ret;
		} else if (access(p, R_OK) < 0) {
			ret = -errno;
			strbuf_addf(err, "cannot read '%s': %s", p, strerror(errno));
			return ret;
		} else {
			dump_index_add(&t->ix, p);
		}
	}
	return 0;
}

/* The entry for dir/name, matched by name (and directory when several are watched). */
static ssize_t find_entry(const struct tui *t, const char *dir, const char *name)
{
	size_t dl = strlen(dir);

	for (size_t i = 0; i < t->ix.n; i++) {
		const struct dump_entry *e = &t->ix.e[i];

		if (strcmp(e->name, name))
			continue;
		if (t->nwatches > 1 && strncmp(e->path, dir, dl))
			continue;
		return (ssize_t)i;
	}
	return -1;
}

static ssize_t find_path(const struct tui *t, const char *path)
{
	for (size_t i = 0; i < t->ix.n; i++)
		if (!strcmp(t->ix.e[i].path, path))
			return (ssize_t)i;
	return -1;
}

const char *tui_missing_dir(const struct tui *t)
{
	for (size_t i = 0; i < t->nwatches; i++)
		if (t->watches[i].missing)
			return t->watches[i].dir;
	return NULL;
}

/* Stops watching wd unless another watch shares it (one inode, one descriptor). */
static void unwatch(struct tui *t, const struct tui_watch *w)
{
	for (size_t i = 0; i < t->nwatches; i++)
		if (&t->watches[i] != w && t->watches[i].wd == w->wd)
			return;
	if (w->wd >= 0)
		inotify_rm_watch(t->ifd, w->wd);
}

/* Cuts p (in place) to its parent directory; false when p is "/" or "." already. */
static bool to_parent(char *p)
{
	size_t n = strlen(p);
	char *slash;

	while (n > 1 && p[n - 1] == '/')
		p[--n] = '\0';
	if (!strcmp(p, "/") || !strcmp(p, "."))
		return false;
	slash = strrchr(p, '/');
	if (!slash)
		strcpy(p, ".");
	else if (slash == p)
		p[1] = '\0';
	else
		*slash = '\0';
	return true;
}

/*
 * Watches the nearest existing ancestor of w->dir for the next part of the path
 * to appear (mkdir -p makes them one by one). Returns 0 or a negative errno.
 */
static int watch_ancestor(struct tui *t, struct tui_watch *w)
{
	char *p = xstrdup(w->dir);
	int wd = -ENOENT;

	while (wd == -ENOENT && to_parent(p)) {
		wd = inotify_add_watch(t->ifd, p, ANCESTOR_MASK);
		wd = wd < 0 ? -errno : wd;
	}
	free(p);
	if (wd < 0)
		return wd;
	if (wd != w->wd)
		unwatch(t, w);
	w->wd = wd;
	return 0;
}

/*
 * Something appeared next to what w waits for: if w->dir exists now, watch it
 * and list its dumps; else wait one level deeper. Returns whether the list changed.
 */
static bool check_missing(struct tui *t, struct tui_watch *w)
{
	struct strbuf err = STRBUF_INIT;
	char *keep = t->ix.n ? xstrdup(t->ix.e[t->sel].path) : NULL;
	struct stat st;
	ssize_t j;
	int wd;

	if (stat(w->dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		watch_ancestor(t, w);
		free(keep);
		return false;
	}
	/* watch first, then list: a dump written in between is in one or the other */
	wd = inotify_add_watch(t->ifd, w->dir, WATCH_MASK);
	unwatch(t, w);
	w->wd = wd;
	w->missing = false;
	add_dir(t, w->dir, &err);
	j = keep ? find_path(t, keep) : -1;
	if (j >= 0)
		t->sel = (size_t)j; /* the same dump stays selected */
	else if (t->ix.n)
		tui_select(t, 0, true);
	free(keep);
	strbuf_release(&err);
	return true;
}

/*
 * Watches every directory of the options (live refresh is best effort), and
 * the ancestors of those that do not exist yet (not best effort: then there is
 * nothing to show). Returns 0 or a negative errno with err set.
 */
static int watch_dirs(struct tui *t, struct strbuf *err)
{
	int init_err;

	t->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	init_err = t->ifd < 0 ? -errno : 0;
	for (size_t i = 0; i < t->o.npaths; i++) {
		const char *p = t->o.paths[i];
		struct tui_watch *w;
		struct stat st;
		bool missing = stat(p, &st) < 0 && awaited(p, errno);
		int wd = t->ifd >= 0 && !missing ? inotify_add_watch(t->ifd, p, WATCH_MASK) : -1;

		if (!missing && wd < 0)
			continue; /* a file, or a directory we may list but not watch */
		t->watches = xrealloc(t->watches, (t->nwatches + 1) * sizeof(*t->watches));
		w = &t->watches[t->nwatches++];
		*w = (struct tui_watch){ .wd = wd, .dir = xstrdup(p), .missing = missing };
		if (missing) {
			int ret = t->ifd < 0 ? init_err : watch_ancestor(t, w);

			if (ret < 0) {
				strbuf_addf(err,
					    "cannot read '%s': %s (and cannot wait for it: %s)", p,
					    strerror(ENOENT), strerror(-ret));
				return ret;
			}
		}
	}
	if (!t->nwatches && t->ifd >= 0) {
		close(t->ifd);
		t->ifd = -1;
	}
	return 0;
}

/* Drops entry i; dumpfile.h gives an entry three owned strings (path, name, reason). */
static void entry_remove(struct tui *t, size_t i)
{
	struct dump_entry *e = &t->ix.e[i];

	free(e->path);
	free(e->name);
	free(e->reason);
	memmove(e, e + 1, (t->ix.n - i - 1) * sizeof(*e));
	t->ix.n--;
}

/* The file was rewritten: read it again when it is next visible. */
static void entry_reset(struct dump_entry *e)
{
	free(e->reason);
	e->reason = NULL;
	e->state = DUMP_UNREAD;
	e->comm[0] = '\0';
}

static void entry_read(struct tui *t, size_t i)
{
	if (i < t->ix.n && t->ix.e[i].state == DUMP_UNREAD)
		dump_index_read(&t->ix, i);
}

/* Reads unread visible rows for up to budget_ns (*did: some were); returns whether any remain. */
static bool read_visible(struct tui *t, uint64_t budget_ns, bool *did)
{
	const struct tui_rect *r = &t->rect[PANE_EXPLORER];
	uint64_t end = clock_mono_ns() + budget_ns;
	size_t last;

	if (t->too_small || r->h < 2)
		return false;
	tui_scroll_to(&t->top, t->sel, t->ix.n, r->h - 1);
	last = t->top + (size_t)(r->h - 1);
	if (last > t->ix.n)
		last = t->ix.n;
	for (size_t i = t->top; i < last; i++) {
		if (t->ix.e[i].state != DUMP_UNREAD)
			continue;
		if (clock_mono_ns() >= end)
			return true;
		entry_read(t, i);
		*did = true;
	}
	return false;
}

/* Reports once, after the paint that shows it, that every visible row has its culprit. */
static void note_rows_read(struct tui *t, bool reading)
{
	if (reading || t->rows_timed)
		return;
	t->rows_timed = true;
	timing_line(t, "rows_read_ms", t->o.start_ns);
}

/* ---- the dump on the right ---- */

static void unload(struct tui *t)
{
	tui_rows_unindex(t);
	dump_release(&t->d);
	memset(&t->d, 0, sizeof(t->d));
	t->have_dump = false;
	free(t->shown);
	free(t->load_error);
	t->shown = t->load_error = NULL;
	t->nrows = t->nprocs = 0;
	t->snap = 0;
}

/* Shows snapshot i (clamped) of the loaded dump and rebuilds the Details rows. */
static void set_snapshot(struct tui *t, size_t i)
{
	if (!t->have_dump || !t->d.nsnaps)
		return;
	t->snap = i < t->d.nsnaps ? i : t->d.nsnaps - 1;
	tui_rows_rebuild(t);
}

static void load_selected(struct tui *t)
{
	struct strbuf err = STRBUF_INIT;
	struct dump_entry *e;

	t->pending = false;
	if (!t->ix.n) {
		unload(t);
		return;
	}
	e = &t->ix.e[t->sel];
	unload(t);
	t->shown = xstrdup(e->path);
	if (dump_load(e->path, &t->d, &err) < 0) {
		t->load_error = xstrdup(err.len ? strbuf_str(&err) : "cannot be read");
		dump_release(&t->d);
		memset(&t->d, 0, sizeof(t->d));
		if (e->state != DUMP_BAD) {
			free(e->reason);
			e->reason = xstrdup(t->load_error);
			e->state = DUMP_BAD;
		}
	} else {
		t->have_dump = true;
		if (e->state == DUMP_UNREAD)
			dump_entry_set(e, &t->d);
		tui_rows_index(t);
		t->psel = t->ptop = 0;
		/* start where the trigger fired */
		set_snapshot(t, t->d.trigger_index);
	}
	strbuf_release(&err);
}

void tui_select(struct tui *t, size_t i, bool load_now)
{
	if (!t->ix.n)
		return;
	if (i >= t->ix.n)
		i = t->ix.n - 1;
	t->sel = i;
	if (t->shown && !strcmp(t->shown, t->ix.e[i].path)) {
		t->pending = false;
		return;
	}
	if (load_now) {
		load_selected(t);
	} else {
		t->pending = true;
		t->pending_ns = clock_mono_ns() + PREVIEW_PAUSE_NS;
	}
}

/* ---- live refresh ---- */

/* One inotify event for dir/name; returns whether the list changed. */
static bool apply_event(struct tui *t, const char *dir, const char *name, uint32_t mask)
{
	ssize_t i = find_entry(t, dir, name);
	char *keep = t->ix.n ? xstrdup(t->ix.e[t->sel].path) : NULL;
	bool was_empty = !t->ix.n;

	if (mask & (IN_MOVED_TO | IN_CLOSE_WRITE)) {
		if (i >= 0) {
			entry_reset(&t->ix.e[i]);
			if (t->shown && !strcmp(t->shown, t->ix.e[i].path)) {
				free(t->shown); /* rewritten under our eyes: load it again */
				t->shown = NULL;
			}
		} else {
			char *path = xasprintf("%s/%s", dir, name);

			dump_index_add(&t->ix, path);
			free(path);
		}
	} else if (i >= 0) {
		entry_remove(t, (size_t)i);
	} else {
		free(keep);
		return false;
	}

	if (!t->ix.n) {
		t->sel = t->top = 0;
		unload(t);
	} else if (was_empty) {
		tui_select(t, 0, true);
	} else {
		ssize_t j = keep ? find_path(t, keep) : -1;

		if (j >= 0)
			t->sel = (size_t)j; /* the same dump stays selected */
		else if (t->sel >= t->ix.n)
			t->sel = t->ix.n - 1;
		tui_select(t, t->sel, false);
	}
	free(keep);
	return true;
}

static bool handle_inotify(struct tui *t)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool changed = false;
	ssize_t n;

	while ((n = read(t->ifd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const void *)p;

			p += sizeof(*ev) + ev->len;
			if (ev->mask & IN_Q_OVERFLOW) {
				/* events were lost: list the directories again */
				struct strbuf err = STRBUF_INIT;

				unload(t);
				index_build(t, &err);
				strbuf_release(&err);
				t->sel = t->top = 0;
				tui_select(t, 0, false);
				changed = true;
				continue;
			}
			/* one inode watched for several reasons shares one descriptor */
			for (size_t i = 0; i < t->nwatches; i++) {
				struct tui_watch *w = &t->watches[i];

				if (w->wd != ev->wd)
					continue;
				if (w->missing)
					changed |= check_missing(t, w);
				else if (ev->len && is_dump_name(ev->name) &&
					 (ev->mask & DUMP_EVENTS))
					changed |= apply_event(t, w->dir, ev->name, ev->mask);
			}
		}
	}
	return changed;
}

bool tui_list_key(int ch, size_t *cur, size_t n, int page)
{
	size_t c = *cur, p = page > 2 ? (size_t)page - 1 : 1;

	switch (ch) {
	case 'j':
	case KEY_DOWN:
		c = c + 1 < n ? c + 1 : c;
		break;
	case 'k':
	case KEY_UP:
		c = c ? c - 1 : 0;
		break;
	case KEY_NPAGE:
		c = c + p < n ? c + p : (n ? n - 1 : 0);
		break;
	case KEY_PPAGE:
		c = c > p ? c - p : 0;
		break;
	case KEY_HOME:
	case 'g':
		c = 0;
		break;
	case KEY_END:
	case 'G':
		c = n ? n - 1 : 0;
		break;
	default:
		return false;
	}
	*cur = c;
	return true;
}

/* ---- keys and mouse ---- */

static void set_sort(struct tui *t, enum tui_sort s)
{
	t->sort_rev = t->sort == s ? !t->sort_rev : false;
	t->sort = s;
	tui_rows_rebuild(t);
}

static void prompt_key(struct tui *t, int ch)
{
	size_t len = strlen(t->filter);

	if (ch == KEY_ESC) {
		t->filter[0] = '\0';
		t->prompt = false;
	} else if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
		t->prompt = false;
		return;
	} else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
		/* drop one whole UTF-8 character */
		while (len && ((unsigned char)t->filter[len - 1] & 0xc0) == 0x80)
			len--;
		if (len)
			len--;
		t->filter[len] = '\0';
	} else if (ch == 21) { /* ^U */
		t->filter[0] = '\0';
	} else if (ch >= 0x20 && ch <= 0xff && ch != 127 && len + 1 < sizeof(t->filter)) {
		t->filter[len] = (char)ch;
		t->filter[len + 1] = '\0';
	} else {
		return;
	}
	t->psel = t->ptop = 0;
	tui_rows_rebuild(t);
}

static void mouse_event(struct tui *t)
{
	MEVENT me;

	if (getmouse(&me) != OK)
		return;
	for (int p = 0; p < PANE_COUNT; p++) {
		const struct tui_rect *r = &t->rect[p];
		const struct tui_panel_ops *ops = tui_panels[p];

		if (me.y < r->y || me.y >= r->y + r->h || me.x < r->x || me.x >= r->x + r->w)
			continue;
		if (me.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED)) {
			int ch = me.bstate & BUTTON4_PRESSED ? KEY_UP : KEY_DOWN;

			if (ops->key)
				for (int i = 0; i < 3; i++)
					ops->key(t, ch);
		} else if (ops->click && (me.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED))) {
			if (ops->focusable)
				t->focus = (enum tui_pane)p;
			ops->click(t, r, me.y - r->y, me.x - r->x);
		}
		return;
	}
}

/* Returns false to quit; *snap_changed tells the timing which redraws to report. */
static bool handle_key(struct tui *t, int ch, bool *snap_changed)
{
	size_t old = t->snap;

	t->message[0] = '\0';
	if (ch == KEY_RESIZE) {
		tui_layout(t);
		return true;
	}
	if (t->prompt) {
		prompt_key(t, ch);
		return true;
	}
	if (t->help && ch != KEY_MOUSE) {
		t->help = false; /* any key closes the help, q too */
		return true;
	}
	switch (ch) {
	case 'q':
	case KEY_CTRL_C:
		return false;
	case KEY_MOUSE:
		mouse_event(t);
		break;
	case '\t':
	case KEY_BTAB:
		t->focus = t->focus == PANE_EXPLORER ? PANE_DETAILS : PANE_EXPLORER;
		break;
	case ']':
	case 'n':
		if (t->snap + 1 < t->d.nsnaps)
			set_snapshot(t, t->snap + 1);
		break;
	case '[':
	case 'p':
		if (t->snap > 0)
			set_snapshot(t, t->snap - 1);
		break;
	case '{':
		set_snapshot(t, 0);
		break;
	case '}':
		set_snapshot(t, t->d.trigger_index);
		break;
	case 'c':
		set_sort(t, TUI_SORT_CPU);
		break;
	case 'm':
		set_sort(t, TUI_SORT_RSS);
		break;
	case 'P':
		set_sort(t, TUI_SORT_PID);
		break;
	case 't':
		t->tree = !t->tree;
		tui_rows_rebuild(t);
		break;
	case '/':
		t->prompt = true;
		t->focus = PANE_DETAILS;
		break;
	case KEY_ESC:
		if (t->filter[0]) {
			t->filter[0] = '\0';
			tui_rows_rebuild(t);
		}
		break;
	case '?':
		t->help = true;
		break;
	default:
		if (tui_panels[t->focus]->key && tui_panels[t->focus]->key(t, ch))
			break;
		if (ch < 0x80 && ch >= 0x20)
			snprintf(t->message, sizeof(t->message),
				 "'%c' does nothing here; ? for help", ch);
		break;
	}
	if (t->have_dump && t->snap != old)
		*snap_changed = true;
	return true;
}

static int poll_timeout_ms(const struct tui *t, bool reading)
{
	uint64_t now;

	if (reading)
		return 0;
	if (!t->pending)
		return -1; /* nothing to do until a key, an inotify event or a signal */
	now = clock_mono_ns();
	return now >= t->pending_ns ? 0 : (int)((t->pending_ns - now) / 1000000 + 1);
}

static void paint(struct tui *t)
{
	tui_draw(t);
	doupdate();
}

static int main_loop(struct tui *t)
{
	bool did = false, reading = read_visible(t, 0, &did);
	int idle_wakeups = 0;

	while (!stop_signal) {
		struct pollfd pfd[2] = {
			{ .fd = STDIN_FILENO, .events = POLLIN },
			{ .fd = t->ifd, .events = POLLIN },
		};
		bool dirty = false, snap_changed = false, got_key = false;
		uint64_t t0;
		int n, ch;

		n = poll(pfd, t->ifd >= 0 ? 2 : 1, poll_timeout_ms(t, reading));
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n > 0 && (pfd[0].revents & (POLLHUP | POLLERR | POLLNVAL)))
			return 0; /* the terminal went away */
		if (n > 0 && t->ifd >= 0 && (pfd[1].revents & POLLIN))
			dirty |= handle_inotify(t);
		t0 = clock_mono_ns();
		/* drain every key ncurses has (also KEY_RESIZE after SIGWINCH's EINTR) */
		while ((ch = getch()) != ERR) {
			got_key = dirty = true;
			if (!handle_key(t, ch, &snap_changed))
				return 0;
		}
		/* stdin readable yet no key, again and again: input is gone, do not spin */
		idle_wakeups =
			(n > 0 && (pfd[0].revents & POLLIN) && !got_key) ? idle_wakeups + 1 : 0;
		if (idle_wakeups > 1000)
			return -EIO;
		if (t->pending && clock_mono_ns() >= t->pending_ns) {
			load_selected(t);
			dirty = true;
		}
		if (dirty) {
			/* answer the key first; rows scrolled into view are read next time */
			paint(t);
			if (snap_changed)
				timing_line(t, "redraw_ms", t0);
			reading = read_visible(t, 0, &did);
			note_rows_read(t, reading);
			continue;
		}
		/* idle: read the visible rows' headers a few at a time, between keys */
		did = false;
		reading = read_visible(t, FRAME_READ_BUDGET_NS, &did);
		if (did) {
			paint(t);
			note_rows_read(t, reading);
		}
	}
	return 0;
}

static const struct {
	const char *seq;
	int key;
} extra_keys[] = {
	{ "\033[1~", KEY_HOME }, { "\033[4~", KEY_END }, { "\033[7~", KEY_HOME },
	{ "\033[8~", KEY_END },	 { "\033[H", KEY_HOME }, { "\033[F", KEY_END },
	{ "\033OH", KEY_HOME },	 { "\033OF", KEY_END },
};

static void init_colors(struct tui *t)
{
	if (t->o.no_color || !has_colors() || start_color() != OK)
		return;
	use_default_colors();
	init_pair(ST_TITLE, COLOR_BLACK, COLOR_CYAN);
	init_pair(ST_HEADER, COLOR_WHITE, COLOR_BLUE);
	init_pair(ST_HEADER_FOCUS, COLOR_BLACK, COLOR_YELLOW);
	init_pair(ST_COLUMNS, COLOR_CYAN, -1);
	init_pair(ST_SELECTED, COLOR_BLACK, COLOR_GREEN);
	init_pair(ST_SELECTED_DIM, COLOR_BLACK, COLOR_WHITE);
	init_pair(ST_BAD, COLOR_RED, -1);
	init_pair(ST_MARK, COLOR_YELLOW, -1);
	init_pair(ST_DOT, COLOR_GREEN, -1);
	init_pair(ST_DIM, COLOR_BLUE, -1);
	t->color = true;
}

struct tui *tui_new(const struct tui_options *o, struct strbuf *err)
{
	struct tui *t = xcalloc(1, sizeof(*t));

	t->o = *o;
	t->ifd = -1;
	t->sort = TUI_SORT_CPU;
	t->focus = PANE_EXPLORER;
	if (index_build(t, err) < 0)
		goto fail;
	if (o->timing_path) {
		t->timing = fopen(o->timing_path, "ae");
		if (!t->timing) {
			strbuf_addf(err, "cannot open '%s': %s", o->timing_path, strerror(errno));
			goto fail;
		}
	}
	if (watch_dirs(t, err) < 0)
		goto fail;
	return t;
fail:
	tui_free(t);
	return NULL;
}

int tui_run(struct tui *t, struct strbuf *err)
{
	struct sigaction sa = { .sa_handler = on_stop_signal };
	SCREEN *scr;
	bool did = false, reading;
	int ret;

	setlocale(LC_ALL, "");
	t->utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8");
	t->ascii = t->o.ascii || !t->utf8;
	scr = newterm(NULL, stdout, stdin);
	if (!scr) {
		const char *term = getenv("TERM");

		strbuf_addf(err, "cannot use the terminal '%s'", term ? term : "");
		return -ENOTTY;
	}
	/* no SA_RESTART: the signal must interrupt poll() */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	/*
	 * Home and End as tmux, screen and rxvt send them, whatever TERM's
	 * terminfo says (xterm-256color inside tmux would otherwise see "~").
	 */
	for (size_t i = 0; i < sizeof(extra_keys) / sizeof(extra_keys[0]); i++)
		define_key(extra_keys[i].seq, extra_keys[i].key);
	curs_set(0);
	mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
	mouseinterval(0);
	init_colors(t);

	tui_layout(t);
	reading = read_visible(t, FIRST_READ_BUDGET_NS, &did);
	paint(t);
	timing_line(t, "first_paint_ms", t->o.start_ns);
	note_rows_read(t, reading);
	if (t->ix.n) {
		tui_select(t, 0, true);
		paint(t);
		timing_line(t, "first_dump_ms", t->o.start_ns);
	}
	ret = main_loop(t);
	endwin();
	delscreen(scr);
	if (ret < 0)
		strbuf_addf(err, "terminal input failed: %s", strerror(-ret));
	return ret;
}

void tui_free(struct tui *t)
{
	if (!t)
		return;
	unload(t);
	dump_index_release(&t->ix);
	for (size_t i = 0; i < t->nwatches; i++)
		free(t->watches[i].dir);
	free(t->watches);
	if (t->ifd >= 0)
		close(t->ifd);
	free(t->rows);
	if (t->timing)
		fclose(t->timing);
	free(t);
}
