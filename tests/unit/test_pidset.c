/* test_pidset.c - unit tests of the pid set (add once, delete, growth, release). */
#include "base/pidset.h"
#include "tap.h"

int main(void)
{
	struct pidset s = { 0 };

	ok(!pidset_has(&s, 1), "empty: nothing in it");
	pidset_del(&s, 1);
	is_int(s.n, 0, "deleting from an empty set is a no-op");
	pidset_add(&s, 10);
	pidset_add(&s, 20);
	pidset_add(&s, 10);
	is_int(s.n, 2, "a pid added twice is there once");
	ok(pidset_has(&s, 10) && pidset_has(&s, 20) && !pidset_has(&s, 30), "members and not");
	pidset_del(&s, 10);
	ok(!pidset_has(&s, 10) && pidset_has(&s, 20), "deleted one gone, the other stays");
	is_int(s.n, 1, "one left");
	for (int pid = 100; pid < 1100; pid++)
		pidset_add(&s, pid);
	is_int(s.n, 1001, "grows past its first allocation");
	ok(pidset_has(&s, 1099) && pidset_has(&s, 20), "the last and the first are found");
	pidset_release(&s);
	ok(s.v == NULL && s.n == 0, "released: empty again");
	return done_testing();
}
