/* psi.h - pressure stall information triggers: the kernel wakes us when a stall crosses a line. */
#ifndef SPIKETRACE_SYS_PSI_H
#define SPIKETRACE_SYS_PSI_H

#include <stdint.h>

/*
 * Opens PROCDIR/pressure/RES ("cpu", "memory", "io") and arms a trigger:
 * POLLPRI is raised on the returned fd when tasks were stalled ("some") for
 * stall_us within a window_us window (at most once per window). Returns the fd
 * or a negative errno: -ENOENT without PSI, -EINVAL for a refused window
 * (unprivileged triggers need a multiple of 2 s), -EACCES.
 */
int psi_trigger_open(int procdirfd, const char *res, uint64_t stall_us, uint64_t window_us);

#endif
