/* collect_disk.c - disk collector: throughput, IOPS and utilisation of every whole disk from
 * /proc/diskstats. */
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "capture/collector.h"

#define SECTOR_BYTES 512 /* diskstats counts 512-byte sectors whatever the device's block size */

struct disk_state {
	const struct collector_env *env;
	struct disk_stat_list prev, cur;
	uint64_t prev_ns;
	bool have_prev;
};

static int disk_open(void **state, const struct collector_env *env)
{
	struct disk_state *s = xcalloc(1, sizeof(*s));

	s->env = env;
	*state = s;
	return 0;
}

static void disk_close(void *state)
{
	struct disk_state *s = state;

	if (!s)
		return;
	procfs_disk_stat_release(&s->prev);
	procfs_disk_stat_release(&s->cur);
	free(s);
}

static const struct disk_stat *find_prev(const struct disk_stat_list *prev,
					 const struct disk_stat *d, size_t i)
{
	if (i < prev->n && prev->disk[i].major == d->major && prev->disk[i].minor == d->minor)
		return &prev->disk[i];
	for (size_t j = 0; j < prev->n; j++)
		if (prev->disk[j].major == d->major && prev->disk[j].minor == d->minor)
			return &prev->disk[j];
	return NULL;
}

/*
 * Kept: whole disks that did I/O since boot. Left out: partitions (their disk
 * already counts their I/O) and devices never used (the eight idle loop
 * devices, zram, an empty CD drive), which would only be rows of zeros.
 * Stacked devices (dm-*, md*) are kept: they are what a filesystem sits on.
 */
static bool wanted(const struct disk_stat *d)
{
	return !d->partition && (d->reads || d->writes || d->in_flight);
}

static int disk_sample(void *state, struct snapshot *snap, const struct snapshot *prev_snap)
{
	struct disk_state *s = state;
	double dt = s->have_prev ? (double)(snap->mono_ns - s->prev_ns) / 1e9 : 0;
	struct disk_stat_list tmp;
	int ret;

	(void)prev_snap;
	ret = procfs_read_diskstats(s->env->pf, &s->cur);
	if (ret < 0)
		return ret;
	snap->disks_known = true;
	for (size_t i = 0; i < s->cur.n; i++) {
		const struct disk_stat *d = &s->cur.disk[i];
		const struct disk_stat *p;
		struct disk_sample *o;

		if (!wanted(d))
			continue;
		p = s->have_prev ? find_prev(&s->prev, d, i) : NULL;
		o = snapshot_add_disk(snap);
		memcpy(o->name, d->name, sizeof(o->name));
		o->major = d->major;
		o->minor = d->minor;
		o->reads = d->reads;
		o->writes = d->writes;
		o->read_bytes = d->read_sectors * SECTOR_BYTES;
		o->write_bytes = d->write_sectors * SECTOR_BYTES;
		o->in_flight = d->in_flight > UINT32_MAX ? UINT32_MAX : (uint32_t)d->in_flight;
		if (!p)
			continue;
		o->read_bytes_per_s =
			counter_rate(d->read_sectors, p->read_sectors, dt) * SECTOR_BYTES;
		o->write_bytes_per_s =
			counter_rate(d->write_sectors, p->write_sectors, dt) * SECTOR_BYTES;
		o->read_iops = counter_rate(d->reads, p->reads, dt);
		o->write_iops = counter_rate(d->writes, p->writes, dt);
		/* io_ticks: ms with at least one request in flight */
		o->util_pct = counter_rate(d->io_ms, p->io_ms, dt) / 10.0;
		if (o->util_pct > 100)
			o->util_pct = 100;
	}
	tmp = s->prev;
	s->prev = s->cur;
	s->cur = tmp;
	s->prev_ns = snap->mono_ns;
	s->have_prev = true;
	return 0;
}

const struct collector_ops disk_collector = {
	.name = "disks",
	.open = disk_open,
	.sample = disk_sample,
	.close = disk_close,
};
