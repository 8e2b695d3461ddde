/* test_sec.c - security evidence: the pure parsers, the signal table, the socket table, evidence
 * of this very process from the real /proc, and findings turned into triggers by detect_run. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "capture/config.h"
#include "capture/detect.h"
#include "capture/evidence.h"
#include "sys/socktab.h"
#include "tap.h"

static const char maps_text[] =
	"55d0c0a00000-55d0c0a02000 r--p 00000000 08:01 1234    /usr/bin/sleep\n"
	"55d0c0a02000-55d0c0a06000 r-xp 00002000 08:01 1234    /usr/bin/sleep\n"
	"7f0000000000-7f0000001000 rwxp 00000000 00:00 0 \n"
	"7f0000002000-7f0000003000 rwxp 00000000 00:00 0       [anon:jit]\n"
	"7f0000004000-7f0000005000 rwxp 00000000 08:01 99      /usr/lib/x.so\n"
	"7f0000006000-7f0000008000 r-xp 00000000 00:01 77      /memfd:payload (deleted)\n"
	"7f000000a000-7f000000b000 rwxs 00000000 00:01 78      /dev/zero (deleted)\n"
	"7f000000c000-7f000000d000 rw-s 00000000 00:01 79      /dev/zero (deleted)\n"
	"7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0       [stack]\n"
	"ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0  [vsyscall]\n"
	"garbage line\n";

static void test_maps(void)
{
	struct map_line m;
	struct maps_scan scan;
	struct sec_report *r = sec_report_new(SIG_RWX_ANON, 1, "x");
	char line[] = "7f0000000000-7f0000001000 rwxp 00000000 00:00 0 ";

	is_int(evidence_parse_maps_line(line, strlen(line), &m), 0, "maps line parses");
	ok(m.start == 0x7f0000000000ULL && m.end == 0x7f0000001000ULL, "start and end");
	is_str(m.perms, "rwxp", "perms");
	is_str(m.path, "", "anonymous: empty path");
	ok(evidence_map_is_rwx_anon(&m), "rwx anonymous");
	is_int(evidence_parse_maps_line("nonsense", 8, &m), -EINVAL, "a bad line is refused");
	evidence_scan_maps(maps_text, sizeof(maps_text) - 1, &scan, r, 16);
	is_int(scan.rwx_anon, 3,
	       "three RWX anonymous mappings, one shared (a file-backed rwx does not count)");
	is_int(scan.memfd_exec, 1, "one executable memfd mapping");
	is_int(r->ev.nmaps, 4, "the four offending lines are kept");
	ok(r->ev.nmaps == 4 && strstr(r->ev.maps[2], "/memfd:payload"), "with the memfd line");
	ok(r->ev.nmaps == 4 && strstr(r->ev.maps[3], " rwxs "), "and the shared one");
	evidence_scan_maps(maps_text, 40, &scan, NULL, 0); /* cut mid-line */
	is_int(scan.rwx_anon + scan.memfd_exec, 0,
	       "a cut text finds nothing and reads nothing past");
	sec_report_unref(r);
}

static void test_status_cgroup(void)
{
	static const char status[] = "Name:\tx\nUmask:\t0022\nState:\tS\nUid:\t1000\t0\t0\t0\n"
				     "Gid:\t0\t0\t0\t0\n";
	static const char cg_hybrid[] = "12:pids:/user.slice\n1:name=systemd:/user.slice/s\n"
					"0::/user.slice/user-0.slice/session-1.scope\n";
	static const char cg_v1[] = "5:memory:/docker/abc\n4:cpu:/docker/abc\n";
	/* this host's kind: v1 controllers, every process at the unified root */
	static const char cg_hybrid_root[] =
		"9:name=systemd:/\n8:pids:/\n4:memory:/process_api/e7fa\n3:cpuset:/\n"
		"2:cpuacct:/\n1:cpu,cpuacct:/ci\n0::/\n";
	static const char cg_cpu_only[] =
		"3:cpuset:/x\n2:cpu,cpuacct:/ci\n1:name=systemd:/s\n0::/\n";
	static const char cg_root[] = "2:memory:/\n0::/\n";
	uint32_t uid = 9, euid = 9;
	char out[128], **paths;
	size_t n;

	is_int(evidence_parse_status_uids(status, sizeof(status) - 1, &uid, &euid), 0, "Uid: line");
	ok(uid == 1000 && euid == 0, "real 1000, effective 0 (a setuid program)");
	is_int(evidence_parse_status_uids("Name:\tx\n", 8, &uid, &euid), -EINVAL, "no Uid: line");
	is_int(evidence_parse_cgroup(cg_hybrid, sizeof(cg_hybrid) - 1, out, sizeof(out)), 0,
	       "hybrid cgroup file");
	is_str(out, "/user.slice/user-0.slice/session-1.scope", "the unified 0:: path wins");
	evidence_parse_cgroup(cg_v1, sizeof(cg_v1) - 1, out, sizeof(out));
	is_str(out, "/docker/abc", "v1 only: the memory hierarchy's path");
	evidence_parse_cgroup(cg_hybrid_root, sizeof(cg_hybrid_root) - 1, out, sizeof(out));
	is_str(out, "/process_api/e7fa", "hybrid with the unified root: v1 memory's path wins");
	evidence_parse_cgroup(cg_cpu_only, sizeof(cg_cpu_only) - 1, out, sizeof(out));
	is_str(out, "/ci", "no memory hierarchy: cpu's (not cpuset's), before name=systemd's");
	evidence_parse_cgroup(cg_root, sizeof(cg_root) - 1, out, sizeof(out));
	is_str(out, "/", "all at the root: the root");
	is_int(evidence_parse_cgroup("junk", 4, out, sizeof(out)), -EINVAL, "junk is refused");
	n = evidence_parse_cgroups(cg_hybrid_root, sizeof(cg_hybrid_root) - 1, &paths);
	ok(n == 3 && !strcmp(paths[0], "/") && !strcmp(paths[1], "/process_api/e7fa") &&
		   !strcmp(paths[2], "/ci"),
	   "every distinct path, once each (%zu)", n);
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}

static void test_words(void)
{
	ok(evidence_miner_flag("xmrig -o stratum+tcp://pool:3333 -u w") != NULL, "stratum URL");
	ok(evidence_miner_flag("/opt/x --donate-level=1") != NULL, "--donate-level");
	ok(evidence_miner_flag("make -j2 all") == NULL, "make is no miner");
	ok(evidence_is_shell("sh") && evidence_is_shell("bash") &&
		   evidence_is_shell("python3.11") && evidence_is_shell("perl5.36"),
	   "shells and versioned interpreters");
	ok(!evidence_is_shell("gcc") && !evidence_is_shell("shred") && !evidence_is_shell(""),
	   "gcc, shred and nothing are not shells");
	is_str(evidence_basename("/usr/bin/dash"), "dash", "basename");
	for (int s = 0; s < SIG__COUNT; s++)
		ok(sec_signal_mitre_id(s)[0] == 'T' && sec_signal_mitre_name(s)[0] &&
			   sec_signal_rule(s) < SEC__COUNT,
		   "signal %s has a rule and a MITRE technique", sec_signal_name(s));
}

/* comm against exe and argv (NUL-separated, as PID/cmdline): whether they agree. */
#define ARGV(lit) lit, sizeof(lit) - 1
static const struct {
	const char *comm, *exe, *argv;
	size_t len;
	bool agrees;
	const char *what;
} comm_cases[] = {
	{ "sleep", "/usr/bin/sleep",
	  ARGV("sleep\0"
	       "30"),
	  true, "the exe's name" },
	{ "gcc", "/usr/bin/x86_64-linux-gnu-gcc-12", ARGV("gcc\0-c\0x.c"), true,
	  "a symlink: argv[0]'s name" },
	{ "python3", "/usr/bin/python3.11", ARGV("/usr/bin/python3\0-u\0x.py"), true,
	  "python3 for python3.11" },
	{ "php-fpm", "/usr/sbin/php-fpm8.2", ARGV("php-fpm: master process"), true,
	  "a versioned exe and a title in argv" },
	{ "ld-linux-x86-64", "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
	  ARGV("/lib64/ld-linux-x86-64.so.2\0/bin/true"), true, "cut to 15 bytes" },
	{ "backup-database", "/usr/bin/bash", ARGV("/bin/bash\0./backup-database-nightly.sh"), true,
	  "a script's name, cut to 15 bytes" },
	{ "deploy.py", "/usr/bin/python3.11", ARGV("/usr/bin/python3\0-u\0/opt/deploy.py\0x"), true,
	  "a script after an option" },
	{ "runc:[2:INIT]", "/usr/bin/runc", ARGV("runc\0init"), true, "a decorated name" },
	{ "gunicorn: maste", "/usr/bin/python3.11", ARGV("gunicorn: master [app]"), true,
	  "a title set in both places (setproctitle)" },
	{ "exe", "/usr/bin/dockerd", ARGV("docker-init\0x"), true, "a re-exec of /proc/self/exe" },
	{ "bash", "/usr/bin/bash", ARGV("-bash"), true, "a login shell" },
	{ "innocent", "/opt/w/secwork", ARGV("/opt/w/secwork\0comm\0innocent"), false,
	  "a program that renamed itself" },
	{ "sshd", "/usr/bin/python3.11", ARGV("python3\0-c\0import ctypes"), false,
	  "python3 -c naming itself sshd (the code is no script)" },
	{ "cron", "/usr/bin/bash", ARGV("bash\0-c\0printf cron"), false,
	  "bash naming itself cron" },
	{ "ssh", "/usr/sbin/sshd", ARGV("/usr/sbin/sshd\0-D"), false,
	  "a prefix that is no version is no agreement" },
	{ "python", "/usr/bin/perl", ARGV("perl\0x.pl"), false, "another interpreter's name" },
};

static void test_comm(void)
{
	for (size_t i = 0; i < sizeof(comm_cases) / sizeof(comm_cases[0]); i++)
		ok(evidence_comm_agrees(comm_cases[i].comm, comm_cases[i].exe, comm_cases[i].argv,
					comm_cases[i].len) == comm_cases[i].agrees,
		   "comm '%s' %s: %s", comm_cases[i].comm,
		   comm_cases[i].agrees ? "agrees" : "disagrees", comm_cases[i].what);
	ok(evidence_kthread_name("kworker/0:7") && evidence_kthread_name("[kswapd0]") &&
		   !evidence_kthread_name("[") && !evidence_kthread_name("kwrite"),
	   "kernel thread names; the program [ is not one");
}

/* JSON-RPC payloads: stratum's methods, xmrig's dialect with its params, and others'. */
static void test_stratum(void)
{
	static const struct {
		const char *data, *want;
	} cases[] = {
		{ "{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[\"cpuminer/2.5\"]}\n",
		  "mining.subscribe" },
		{ "{\"params\":[\"w.1\",\"x\"],\"id\":2,\"method\": \"mining.authorize\"}",
		  "mining.authorize" },
		{ "{\"id\":null,\"method\":\"mining.notify\",\"params\":[\"4f\",\"00\"]}",
		  "mining.notify" },
		{ "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"login\",\"params\":{\"login\":"
		  "\"44w\","
		  "\"pass\":\"x\",\"agent\":\"XMRig/6.21\"}}",
		  "login" },
		{ "{\"jsonrpc\":\"2.0\",\"method\":\"job\",\"params\":{\"blob\":\"0707\",\"job_"
		  "id\":\"9\","
		  "\"target\":\"b88d0600\"}}",
		  "job" },
		{ "{\"id\":4,\"method\":\"submit\",\"params\":{\"id\":\"1\",\"job_id\":\"9\","
		  "\"nonce\":"
		  "\"deadbeef\",\"result\":\"00\"}}",
		  "submit" },
		{ "{\"id\":1,\"method\":\"login\",\"params\":{\"user\":\"bob\"}}", NULL },
		{ "{\"jsonrpc\":\"2.0\",\"method\":\"eth_getBalance\",\"params\":[\"0x1\"]}",
		  NULL },
		{ "{\"method\":\"mining.\"}", NULL },
		{ "{\"id\":1,\"result\":{\"job\":{\"blob\":\"07\"}}}", NULL },
		{ "GET /x HTTP/1.1 {\"method\":\"mining.notify\"}", NULL },
	};
	char m[64];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got =
			evidence_stratum_method(cases[i].data, strlen(cases[i].data), m, sizeof(m));

		if (cases[i].want)
			is_str(got ? got : "(none)", cases[i].want, "stratum: %s", cases[i].want);
		else
			ok(!got, "not stratum: case %zu (%.14s...)", i, cases[i].data);
	}
	ok(!evidence_stratum_method("{\"method\":\"mining.subscribe\"}", 20, m, sizeof(m)),
	   "a method cut off by the payload's end is none");
}

static void test_socktab(void)
{
	static const char tcp[] =
		"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid "
		" "
		"timeout inode\n"
		"   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0 "
		"       0 1111 1 0000000000000000 100 0 0 10 0\n"
		"   1: 0100007F:9C40 0100007F:0D05 01 00000000:00000000 00:00000000 00000000     0 "
		"       0 2222 1 0000000000000000 20 4 30 10 -1\n"
		"   2: broken\n";
	struct socktab t = { 0 };
	const struct sock_entry *e;

	socktab_parse(&t, "tcp", tcp, sizeof(tcp) - 1);
	socktab_parse(&t, "nonsense", tcp, sizeof(tcp) - 1);
	socktab_sort(&t);
	is_int(t.n, 2, "two sockets, the broken line skipped, an unknown table ignored");
	e = socktab_find(&t, 1111);
	ok(e && e->listening && e->local_port == 8080 && e->remote_port == 0, "the listener");
	is_str(e ? e->name : "", "TCP 127.0.0.1:8080 (LISTEN)", "its name");
	e = socktab_find(&t, 2222);
	ok(e && !e->listening && e->remote_port == 3333, "the connection to port 3333");
	is_str(e ? e->name : "", "TCP 127.0.0.1:40000 -> 127.0.0.1:3333", "its name");
	ok(!socktab_find(&t, 3), "unknown inode");
	is_int((long)socktab_link_inode("socket:[42]"), 42, "socket link inode");
	is_int((long)socktab_link_inode("pipe:[42]"), 0, "a pipe is not a socket");
	socktab_clear(&t);
}

/* Evidence of this test process, from the real /proc: exe, parents up to 1, a listening socket. */
static void test_gather_self(void)
{
	struct procfs *pf = procfs_open("/proc");
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int ls = socket(AF_INET, SOCK_STREAM, 0);
	struct sec_evidence ev = { 0 };
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	bool listening = false;

	if (!pf || ls < 0 || n < 0 || bind(ls, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(ls, 1) < 0) {
		ok(0, "setup for evidence of self");
		return;
	}
	self[n] = '\0';
	is_int(evidence_gather(pf, getpid(), EV_SOCKETS, &ev), 0, "evidence of self");
	is_str(ev.exe, self, "exe is /proc/self/exe");
	ok(!ev.exe_deleted, "not deleted");
	ok(strstr(ev.cmdline, "test_sec") != NULL, "cmdline");
	ok(ev.uid == getuid() && ev.euid == geteuid(), "uid and euid");
	ok(ev.nparents >= 1 && ev.parents[0].pid == getppid(), "the parent first");
	ok(ev.nparents >= 1 && ev.parents[ev.nparents - 1].pid == 1, "the chain ends at PID 1");
	for (size_t i = 0; i < ev.nsockets; i++)
		listening |= strstr(ev.sockets[i], "(LISTEN)") != NULL;
	ok(listening, "the listening socket is in the evidence");
	evidence_release(&ev);
	memset(&ev, 0, sizeof(ev));
	is_int(evidence_gather(pf, 999999999, 0, &ev), -ESRCH, "a process that is not there");
	evidence_release(&ev);
	close(ls);
	procfs_free(pf);
}

/* A finding in the snapshot becomes a trigger with the report; the per-process cooldown holds. */
static void test_detect(void)
{
	struct config cfg;
	struct snapshot snap = { 0 };
	struct trigger_list out = { 0 };
	struct detect *d = detect_new();
	struct proc_sample *p;
	struct sec_report *r;

	config_defaults(&cfg);
	cfg.enable_cpu_detection = cfg.enable_fork_detection = cfg.enable_psi_triggers = false;
	cfg.enable_memory_detection = cfg.enable_swap_detection = false;
	snap.mono_ns = 1000000000ULL;
	p = snapshot_add_proc(&snap);
	p->pid = 4242;
	p->start_ticks = 7;
	memcpy(p->comm, "xmrig", 6);
	p->cmdline = rcstr_new("xmrig -o x", 10);
	r = sec_report_new(SIG_MINER, 4242, "busy with signs");
	r->start_ticks = 7;
	r->value = 97;
	XGROW(snap.sec, snap.sec_cap, snap.nsec + 1);
	snap.sec[snap.nsec++] = r;
	detect_run(d, &cfg, &snap, NULL, &out);
	is_int(out.n, 1, "one trigger");
	ok(out.n && out.t[0].type == TRIG_MINER && out.t[0].security == r && out.t[0].pid == 4242,
	   "a miner trigger carrying the report");
	is_str(trigger_type_name(TRIG_MINER), "miner", "its type name");
	is_str(trigger_unit(TRIG_SUSPICIOUS_SPAWN), "none", "spawns have no unit");
	trigger_list_clear(&out);
	ok(r->refs == 1, "clearing the triggers drops their reference");
	snap.mono_ns += 1000000000ULL; /* within the 5 s cooldown: held back */
	detect_run(d, &cfg, &snap, NULL, &out);
	is_int(out.n, 0, "the same process again within the cooldown: no trigger");
	cfg.enable_miner_detection = false;
	snap.mono_ns += 10000000000ULL;
	detect_run(d, &cfg, &snap, NULL, &out);
	is_int(out.n, 0, "the rule disabled: no trigger");
	trigger_list_release(&out);
	snapshot_release(&snap);
	detect_free(d);
	config_release(&cfg);
}

static void test_config(void)
{
	static const char text[] = "[security]\nmin = 1\n";
	static const char good[] = "[security]\nallow_exe = [\"/opt/jit/\", \"/usr/bin/node\"]\n"
				   "miner_pool_ports = [1, 65535]\nallow_user = []\n";
	struct config cfg, copy;
	struct strbuf err = STRBUF_INIT;

	config_defaults(&cfg);
	is_int(config_parse(&cfg, "t.toml", text, sizeof(text) - 1, &err), -EINVAL, "unknown key");
	is_str(strbuf_str(&err), "t.toml:2: unknown key 'min' in [security]",
	       "named with its line");
	is_int(config_parse(&cfg, "t.toml", good, sizeof(good) - 1, &err), 0, "lists parse");
	ok(cfg.allow_exe.n == 2 && !strcmp(cfg.allow_exe.v[1], "/usr/bin/node"), "allow_exe");
	ok(cfg.miner_pool_ports.n == 2 && cfg.miner_pool_ports.v[1] == 65535, "pool ports");
	config_copy(&copy, &cfg);
	config_release(&cfg);
	ok(copy.allow_exe.n == 2 && !strcmp(copy.allow_exe.v[0], "/opt/jit/"), "a deep copy");
	{
		static const char port[] = "[security]\nminer_pool_ports = [3333, 70000]\n";
		static const char exe[] = "[security]\n\nallow_exe = [\"/opt/x\", 5]\n";

		strbuf_reset(&err);
		is_int(config_parse(&copy, "t.toml", port, sizeof(port) - 1, &err), -EINVAL,
		       "a pool port out of range is refused");
		ok(strstr(strbuf_str(&err), "t.toml:2:") &&
			   strstr(strbuf_str(&err), "miner_pool_ports"),
		   "naming file, line and key: %s", strbuf_str(&err));
		strbuf_reset(&err);
		is_int(config_parse(&copy, "t.toml", exe, sizeof(exe) - 1, &err), -EINVAL,
		       "a number in allow_exe is refused");
		ok(strstr(strbuf_str(&err), "t.toml:3:") && strstr(strbuf_str(&err), "allow_exe"),
		   "naming file, line and key: %s", strbuf_str(&err));
		ok(copy.allow_exe.n == 2 && copy.miner_pool_ports.n == 2,
		   "a refused file leaves the configuration as it was");
	}
	config_release(&copy);
	strbuf_release(&err);
}

int main(void)
{
	test_maps();
	test_status_cgroup();
	test_words();
	test_comm();
	test_stratum();
	test_socktab();
	test_gather_self();
	test_detect();
	test_config();
	return done_testing();
}
