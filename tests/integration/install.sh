#!/usr/bin/env bash
# install.sh - `make install` honours PREFIX and DESTDIR and installs a usable binary, config example and unit.
. "$(dirname "$0")/lib.sh"

make -s -C "$ROOT" install DESTDIR="$T/root" PREFIX=/usr BUILD="${BUILD:-build}" >"$T/make.log" 2>&1
ok $? "make install DESTDIR=... PREFIX=/usr"
check "binary installed" test -x "$T/root/usr/bin/spiketrace"
check "installed binary runs" sh -c "'$T/root/usr/bin/spiketrace' --version | grep -q spiketrace"
check "spiketrace-view-cli is the show command (argv[0] dispatch)" sh -c "'$T/root/usr/bin/spiketrace-view-cli' --help | grep -q 'spiketrace show'"
check "spiketrace-view link installed" test -L "$T/root/usr/bin/spiketrace-view"
check "example configuration installed" test -f "$T/root/etc/spiketrace/config.toml.example"
check "systemd unit installed" test -f "$T/root/etc/systemd/system/spiketrace.service"
check "unit points at the installed binary" grep -q '^ExecStart=/usr/bin/spiketrace daemon$' "$T/root/etc/systemd/system/spiketrace.service"
check "unit reloads with SIGHUP" grep -q '^ExecReload=/bin/kill -HUP \$MAINPID$' "$T/root/etc/systemd/system/spiketrace.service"
check "unit drops capabilities to the two it needs" grep -q '^CapabilityBoundingSet=CAP_DAC_READ_SEARCH CAP_SYS_PTRACE$' "$T/root/etc/systemd/system/spiketrace.service"
if command -v systemd-analyze >/dev/null; then
	sed "s|/usr/bin/spiketrace|$T/root/usr/bin/spiketrace|" "$T/root/etc/systemd/system/spiketrace.service" >"$T/spiketrace.service"
	systemd-analyze verify "$T/spiketrace.service" >"$T/verify.log" 2>&1
	grep -v 'Documentation=\|man:' "$T/verify.log" | grep -qi 'error\|invalid\|unknown'
	ok $([ $? -ne 0 ] && echo 0 || echo 1) "systemd-analyze verify finds no error"
	diag <"$T/verify.log"
else
	ok 0 "# SKIP systemd-analyze is not installed"
fi
make -s -C "$ROOT" uninstall DESTDIR="$T/root" PREFIX=/usr >/dev/null 2>&1
check "make uninstall removes the binary" test ! -e "$T/root/usr/bin/spiketrace"
done_testing
