/* snapshot.c - snapshot storage helpers. */
#include "capture/snapshot.h"

#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

void snapshot_clear(struct snapshot *snap)
{
	for (size_t i = 0; i < snap->nprocs; i++)
		rcstr_unref(snap->procs[i].cmdline);
	snap->nprocs = snap->nprocs_sampled = 0;
	snap->procs_trimmed = false;
	for (size_t i = 0; i < snap->nexited; i++)
		rcstr_unref(snap->exited[i].cmdline);
	snap->nexited = 0;
	snap->procs_skipped = 0;
	snap->nnet = snap->ndisks = 0;
	snap->net_known = snap->disks_known = false;
	snap->nnet_events = 0;
	for (size_t i = 0; i < snap->nsec; i++)
		sec_report_unref(snap->sec[i]);
	snap->nsec = 0;
}

void snapshot_release(struct snapshot *snap)
{
	snapshot_clear(snap);
	free(snap->procs);
	free(snap->exited);
	free(snap->sec);
	free(snap->per_core);
	free(snap->net);
	free(snap->disks);
	memset(snap, 0, sizeof(*snap));
}

struct exited_proc *snapshot_add_exited(struct snapshot *snap)
{
	struct exited_proc *e;

	XGROW(snap->exited, snap->exited_cap, snap->nexited + 1);
	e = &snap->exited[snap->nexited++];
	memset(e, 0, sizeof(*e));
	return e;
}

struct proc_sample *snapshot_add_proc(struct snapshot *snap)
{
	struct proc_sample *p;

	XGROW(snap->procs, snap->procs_cap, snap->nprocs + 1);
	p = &snap->procs[snap->nprocs++];
	memset(p, 0, sizeof(*p));
	return p;
}

struct net_iface *snapshot_add_net(struct snapshot *snap)
{
	struct net_iface *n;

	XGROW(snap->net, snap->net_cap, snap->nnet + 1);
	n = &snap->net[snap->nnet++];
	memset(n, 0, sizeof(*n));
	return n;
}

struct disk_sample *snapshot_add_disk(struct snapshot *snap)
{
	struct disk_sample *d;

	XGROW(snap->disks, snap->disks_cap, snap->ndisks + 1);
	d = &snap->disks[snap->ndisks++];
	memset(d, 0, sizeof(*d));
	return d;
}

size_t snapshot_process_count(const struct snapshot *snap)
{
	return snap->procs_trimmed ? snap->nprocs_sampled : snap->nprocs;
}

uint64_t snapshot_swap_used_kib(const struct snapshot *snap)
{
	if (snap->mem.swap_free_kib > snap->mem.swap_total_kib)
		return 0;
	return snap->mem.swap_total_kib - snap->mem.swap_free_kib;
}

double snapshot_mem_used_pct(const struct snapshot *snap)
{
	if (!snap->mem.total_kib || snap->mem.available_kib > snap->mem.total_kib)
		return 0;
	return 100.0 * (double)(snap->mem.total_kib - snap->mem.available_kib) /
	       (double)snap->mem.total_kib;
}

long snapshot_find_pid(const struct snapshot *snap, int pid)
{
	for (size_t i = 0; i < snap->nprocs; i++)
		if (snap->procs[i].pid == pid)
			return (long)i;
	return -1;
}
