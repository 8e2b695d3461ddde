#!/usr/bin/env bash
# cli.sh - the command table, help, version, usage errors and configuration printing.
. "$(dirname "$0")/lib.sh"

out=$("$BIN" --version); check "--version prints the version" test "$out" = "spiketrace $(cat "$ROOT/VERSION")"
"$BIN" --help | grep -q '^  daemon ' ; ok $? "--help lists the daemon command"
"$BIN" help daemon | grep -q 'SYNOPSIS'; ok $? "help daemon prints the manual"
"$BIN" daemon --help | grep -q 'EXIT STATUS'; ok $? "daemon --help documents exit statuses"
"$BIN" frobnicate 2>"$T/err"; ok $([ $? -eq 2 ] && echo 0 || echo 1) "unknown command exits 2"
grep -q "unknown command 'frobnicate'" "$T/err"; ok $? "and names it"
"$BIN" 2>/dev/null; ok $([ $? -eq 2 ] && echo 0 || echo 1) "no command exits 2"
"$BIN" daemon --interval 0 2>"$T/err"; rc=$?
ok $([ $rc -eq 2 ] && echo 0 || echo 1) "--interval 0 is refused with exit 2"
grep -q "invalid --interval '0'" "$T/err"; ok $? "with a message naming the value"
"$BIN" daemon --log-level loud 2>"$T/err"; ok $([ $? -eq 2 ] && echo 0 || echo 1) "bad --log-level exits 2"
"$BIN" daemon --bogus 2>/dev/null; ok $([ $? -eq 2 ] && echo 0 || echo 1) "unknown option exits 2"
"$BIN" daemon extra 2>"$T/err"; ok $([ $? -eq 2 ] && echo 0 || echo 1) "stray argument exits 2"

# with no file anywhere (empty HOME), --print-config shows the compiled-in defaults,
# which is exactly what examples/config.toml documents
if [ -e /etc/spiketrace/config.toml ]; then
	ok 0 "# SKIP /etc/spiketrace/config.toml exists on this machine"
else
	HOME=$T "$BIN" daemon --print-config >"$T/defaults.toml"
	diff -u "$ROOT/examples/config.toml" "$T/defaults.toml" | diag
	cmp -s "$ROOT/examples/config.toml" "$T/defaults.toml"; ok $? "examples/config.toml lists every key with its default"
fi
# every key of the configuration is documented in docs/config.md and the README
missing=""
for k in $(grep -Eo '^[a-z_]+ =' "$ROOT/examples/config.toml" | cut -d' ' -f1); do
	grep -q "\`$k\`" "$ROOT/docs/config.md" || missing="$missing $k"
done
check "docs/config.md documents every key${missing:+ (missing:$missing)}" test -z "$missing"
for s in $(grep -Eo '^\[[a-z_]+\]' "$ROOT/examples/config.toml"); do
	grep -qF "$s" "$ROOT/README.md" || missing="$missing $s"
done
check "the README names every section${missing:+ (missing:$missing)}" test -z "$missing"
HOME=$T "$BIN" daemon --check-config | grep -q "configuration OK: compiled-in defaults"; ok $? "--check-config without a file"
done_testing
