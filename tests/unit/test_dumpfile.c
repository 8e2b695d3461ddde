/* test_dumpfile.c - dumps written by dump_render read back by dumpfile; bad files give reasons. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "capture/dump.h"
#include "capture/dumpfile.h"
#include "tap.h"

/* Renders a 3-snapshot dump with a known trigger into out. */
static void render(struct strbuf *out, const char *cmdline)
{
	struct ring *ring = ring_new(5);
	struct config cfg;
	struct host_info host = { .hostname = "box", .kernel = "6.1", .ncpu = 2 };
	struct trigger_list tl = { 0 };
	struct trigger *t;

	config_defaults(&cfg);
	cfg.context_snapshots_per_dump = 3;
	for (int i = 0; i < 4; i++) {
		struct snapshot *s = ring_next_slot(ring);
		struct proc_sample *p = snapshot_add_proc(s);

		s->seq = (uint64_t)i + 1;
		s->real_ns = 1700000000000000000ULL + (uint64_t)i * 1000000000ULL;
		s->mono_ns = (uint64_t)i * 1000000000ULL;
		s->mem.total_kib = 1000;
		s->mem.available_kib = 400;
		p->pid = 42;
		p->ppid = 1;
		p->state = 'R';
		p->cpu_pct = (float)(10 * i);
		p->rss_kib = 2048;
		strcpy(p->comm, "burner");
		p->cmdline = rcstr_new(cmdline, strlen(cmdline));
		ring_commit(ring);
	}
	XGROW(tl.t, tl.cap, 2);
	t = &tl.t[tl.n++];
	memset(t, 0, sizeof(*t));
	t->type = TRIG_CPU_DELTA;
	t->pid = 42;
	strcpy(t->comm, "burner");
	t->cmdline = rcstr_new(cmdline, strlen(cmdline));
	t->value = 30;
	t->baseline = 5;
	t->delta = 25;
	t->threshold = 10;
	t->real_ns = 1700000003000000000ULL;
	t = &tl.t[tl.n++];
	memset(t, 0, sizeof(*t));
	t->type = TRIG_MEM_DROP;
	dump_render(out, &tl, ring, &cfg, &host);
	trigger_list_release(&tl);
	ring_free(ring);
	config_release(&cfg);
}

static void write_file(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0640);

	ok(fd >= 0 && write(fd, data, len) == (ssize_t)len, "write %s", strrchr(path, '/') + 1);
	close(fd);
}

/* Indexes path alone: its state after dump_index_read, its comm or reason in *what. */
static int index_one(const char *path, char *what, size_t n)
{
	struct dump_index ix = { 0 };
	int state;

	dump_index_add(&ix, path);
	dump_index_read(&ix, 0);
	state = ix.e[0].state;
	snprintf(what, n, "%s", state == DUMP_OK ? ix.e[0].comm : ix.e[0].reason);
	dump_index_release(&ix);
	return state;
}

/* The Explorer reads a dump's head only; a big dump shows what it finds and misses. */
static void test_head(const char *dir)
{
	struct strbuf json = STRBUF_INIT, err = STRBUF_INIT, padded = STRBUF_INIT;
	char *big = xmalloc(30001), path[600], what[600];
	const char *mid;
	struct dump d;
	bool bad_load;

	memset(big, 'b', 30000);
	big[30000] = '\0';
	render(&json, big);
	ok(json.len > 3 * DUMPFILE_HEAD_BYTES, "a dump of %zu bytes, well over the head", json.len);
	snprintf(path, sizeof(path), "%s/big.json", dir);
	write_file(path, json.buf, json.len);
	is_int(index_one(path, what, sizeof(what)), DUMP_OK, "a big dump is indexed");
	is_str(what, "burner", "with its culprit");

	/* a control character in a string past the head: only the whole parse sees it */
	mid = strstr(json.buf + 2 * DUMPFILE_HEAD_BYTES, "bbbb");
	json.buf[mid - json.buf] = '\x01';
	write_file(path, json.buf, json.len);
	is_int(index_one(path, what, sizeof(what)), DUMP_OK,
	       "damage past the head does not show in the list (it is not read)");
	bad_load = dump_load(path, &d, &err) < 0;
	ok(bad_load && strstr(strbuf_str(&err), "not JSON"), "but opening the dump finds it: '%s'",
	   strbuf_str(&err));
	dump_release(&d);
	json.buf[mid - json.buf] = 'b';

	/* the head is checked as dump_load checks it */
	mid = strstr(json.buf, "\"pid\": 42,");
	strbuf_reset(&padded);
	strbuf_addf(&padded, "%.*s\"pid\": \"abc\",%s", (int)(mid - json.buf), json.buf, mid + 10);
	write_file(path, padded.buf, padded.len);
	is_int(index_one(path, what, sizeof(what)), DUMP_BAD,
	       "a trigger pid \"abc\" is bad in the list");
	is_str(what, "invalid 'trigger.pid': not a number", "naming the field");
	strbuf_reset(&padded);

	write_file(path, json.buf, 2 * DUMPFILE_HEAD_BYTES);
	is_int(index_one(path, what, sizeof(what)), DUMP_BAD,
	       "a big dump cut short is bad in the list");
	is_str(what, "truncated: the file does not end with '}'", "for a reason read at its end");
	strbuf_reset(&err);
	ok(dump_load(path, &d, &err) < 0 && strstr(strbuf_str(&err), "truncated"),
	   "and opening it says truncated too");
	dump_release(&d);

	/* the trigger beyond the head (another writer's order): the whole file is read */
	strbuf_addf(&padded, "{\"padding\": \"%s%s\", %s", big, big, json.buf + 1);
	snprintf(path, sizeof(path), "%s/late.json", dir);
	write_file(path, padded.buf, padded.len);
	is_int(index_one(path, what, sizeof(what)), DUMP_OK,
	       "a trigger past the head is still found");
	is_str(what, "burner", "by reading the whole file");

	/* small and cut after the trigger: the head is all of it, so it is parsed whole */
	strbuf_reset(&json);
	render(&json, "x");
	mid = strstr(json.buf, "\"snapshots\"");
	snprintf(path, sizeof(path), "%s/cut.json", dir);
	write_file(path, json.buf, (size_t)(mid - json.buf) + 20);
	is_int(index_one(path, what, sizeof(what)), DUMP_BAD,
	       "a small dump cut after its trigger is bad");
	ok(strstr(what, "truncated") != NULL, "as truncated: '%s'", what);

	free(big);
	strbuf_release(&json);
	strbuf_release(&err);
	strbuf_release(&padded);
}

static int parse(const char *text, struct dump *d, struct strbuf *err)
{
	strbuf_reset(err);
	return dump_parse(text, strlen(text), "x.json", d, err);
}

static void bad(const char *text, const char *want, const char *what)
{
	struct strbuf err = STRBUF_INIT;
	struct dump d;
	int ret = parse(text, &d, &err);

	ok(ret < 0 && strstr(strbuf_str(&err), want), "%s: '%s'", what, strbuf_str(&err));
	dump_release(&d);
	strbuf_release(&err);
}

int main(void)
{
	struct strbuf json = STRBUF_INIT, err = STRBUF_INIT;
	struct dump d;
	char *long_cmd = xmalloc(5001);
	char tmpl[] = "/tmp/spiketrace-dumpfile-XXXXXX", path[600];
	struct dump_index ix = { 0 };

	render(&json, "burn --hard");
	is_int(parse(strbuf_str(&json), &d, &err), 0, "a rendered dump parses");
	is_int(d.schema_version, 1, "schema version");
	is_str(d.hostname, "box", "host");
	is_str(d.trigger.type, "cpu_delta", "trigger type");
	is_int(d.trigger.pid, 42, "trigger pid");
	is_str(d.trigger.comm, "burner", "trigger comm");
	is_str(d.trigger.cmdline, "burn --hard", "trigger cmdline");
	is_double(d.trigger.value, 30, 0.001, "value");
	is_double(d.trigger.baseline, 5, 0.001, "baseline");
	is_int(d.nothers, 1, "other triggers");
	is_str(d.others[0].type, "mem_drop", "other trigger type");
	is_int(d.nsnaps, 3, "context_snapshots_per_dump snapshots");
	is_int(d.trigger_index, 2, "trigger snapshot is the last");
	is_int(d.snaps[0].seq, 2, "oldest first");
	is_double(d.snaps[2].offset_s, 0, 0.001, "trigger offset 0");
	is_double(d.snaps[0].offset_s, -2, 0.001, "older offset");
	is_str(d.snaps[0].mode, "sentinel", "mode defaults to sentinel");
	is_int(d.snaps[1].nprocs, 1, "procs");
	is_int(d.snaps[1].procs[0].pid, 42, "proc pid");
	is_double(d.snaps[1].procs[0].cpu_pct, 20, 0.001, "proc cpu");
	is_int(d.snaps[1].procs[0].rss_kib, 2048, "proc rss");
	is_int(d.snaps[1].procs[0].state, 'R', "proc state");
	is_double(d.snaps[1].mem_used_pct, 60, 0.01, "mem used pct");
	dump_release(&d);

	memset(long_cmd, 'a', 5000);
	long_cmd[5000] = 0;
	strbuf_reset(&json);
	render(&json, long_cmd);
	is_int(parse(strbuf_str(&json), &d, &err), 0, "a 5,000-character command line parses");
	is_int(strlen(d.snaps[0].procs[0].cmdline), 5000, "and is kept whole");
	dump_release(&d);

	bad("", "empty file", "empty");
	bad("{\"schema_version\": 1, \"trig", "truncated", "cut in the middle");
	bad("[1,2]", "not a spiketrace dump", "not an object");
	bad("{\"a\": 1}", "no schema_version", "no version");
	bad("{\"schema_version\": 99}", "schema_version 99 is newer than this spiketrace reads (1)",
	    "future schema");
	bad("{\"schema_version\": 1, \"trigger\": {\"type\": \"cpu_delta\"}}",
	    "missing or invalid 'snapshots'", "no snapshots");
	bad("{\"schema_version\": 1, \"trigger\": {}, \"snapshots\": []}",
	    "missing or invalid 'trigger.type'", "trigger without type");
	bad("{\"schema_version\": 1, \"trigger\": {\"type\": \"x\"}, \"snapshots\": [{\"cpu\": {}}]}",
	    "missing or invalid 'snapshots[0].timestamp'", "snapshot without timestamp");
	bad("{\"schema_version\": 1, \"schema_version\": 1}", "not JSON", "duplicate keys");
	bad("{\"schema_version\": 1, \"trigger\": {\"type\": \"x\", \"pid\": \"abc\"}, "
	    "\"snapshots\": [{\"timestamp\": \"t\", \"cpu\": {\"global_pct\": 1}, \"mem\": {}}]}",
	    "invalid 'trigger.pid': not a number", "a string pid is not pid 0");
	bad("{\"schema_version\": 1, \"trigger\": {\"type\": \"x\", \"uid\": null}, "
	    "\"snapshots\": [{\"timestamp\": \"t\", \"cpu\": {\"global_pct\": 1}, \"mem\": {}}]}",
	    "invalid 'trigger.uid': not a number", "a null uid neither");
	/* truncating a real dump anywhere gives a reason, never a crash */
	strbuf_reset(&json);
	render(&json, "x");
	{
		int fails = 0;

		for (size_t cut = 0; cut < json.len; cut += 7) {
			if (dump_parse(json.buf, cut, "x", &d, &err) == 0)
				fails++;
			dump_release(&d);
		}
		is_int(fails, 0, "every truncation of a dump is refused with a reason");
	}
	/* the head alone: found in any cut that holds the trigger whole, asked for in any other */
	{
		const char *trig = strstr(json.buf, "\"trigger\"");
		size_t first_ok = 0, wrong = 0;

		for (size_t cut = 0; cut <= json.len; cut++) {
			int ret = dump_parse_head(json.buf, cut, "x", &d, &err);

			if (ret == 0 && !first_ok)
				first_ok = cut;
			if ((first_ok && ret != 0) || (!first_ok && ret != -ENODATA))
				wrong++;
			dump_release(&d);
		}
		is_int(wrong, 0, "dump_parse_head: -ENODATA until the trigger is whole, then 0");
		ok(first_ok > (size_t)(trig - json.buf) && first_ok < json.len / 2,
		   "which is early in the file (byte %zu of %zu)", first_ok, json.len);
		is_int(dump_parse_head(json.buf, json.len, "x", &d, &err), 0, "the whole dump too");
		is_str(d.trigger.comm, "burner", "its trigger read");
		dump_release(&d);
	}

	/* directory index: names only, newest first, bad files marked on read */
	ok(mkdtemp(tmpl) != NULL, "temp dir");
	snprintf(path, sizeof(path), "%s/spike_20260101T000000.000Z_cpu_delta_42.json", tmpl);
	{
		int fd = open(path, O_WRONLY | O_CREAT, 0640);

		ok(write(fd, json.buf, json.len) == (ssize_t)json.len, "write dump");
		close(fd);
	}
	snprintf(path, sizeof(path), "%s/spike_20260102T000000.000Z_mem_drop_0.json", tmpl);
	{
		int fd = open(path, O_WRONLY | O_CREAT, 0640);

		ok(write(fd, "{\"schema_version\": 7}", 21) == 21, "write bad dump");
		close(fd);
	}
	snprintf(path, sizeof(path), "%s/notes.txt", tmpl);
	close(open(path, O_WRONLY | O_CREAT, 0640));
	is_int(dump_index_scan(&ix, tmpl), 2, "index lists the two dumps only");
	is_str(ix.e[0].type, "mem_drop", "newest first, type from the name");
	is_str(ix.e[0].when, "2026-01-02 00:00:00", "time from the name");
	is_int(ix.e[1].pid, 42, "pid from the name");
	is_int(ix.e[1].state, DUMP_UNREAD, "nothing read yet");
	dump_index_read(&ix, 1);
	is_int(ix.e[1].state, DUMP_OK, "read on demand");
	is_str(ix.e[1].comm, "burner", "culprit comm once read");
	dump_index_read(&ix, 0);
	is_int(ix.e[0].state, DUMP_BAD, "a bad dump is marked");
	ok(ix.e[0].reason && strstr(ix.e[0].reason, "schema_version 7"), "with its reason");
	dump_index_release(&ix);
	test_head(tmpl);
	{
		char cmd[700];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpl);
		ok(system(cmd) == 0, "cleanup");
	}
	free(long_cmd);
	strbuf_release(&json);
	strbuf_release(&err);
	return done_testing();
}
