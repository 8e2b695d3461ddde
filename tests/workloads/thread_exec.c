/* thread_exec.c - trace workload: a non-leader thread calls execve (the tracer must follow the tid change). */
#include <pthread.h>
#include <unistd.h>

static void *run(void *arg)
{
	(void)arg;
	execl("/bin/sh", "sh", "-c", "exit 9", (char *)NULL);
	return NULL;
}

int main(void)
{
	pthread_t t;

	pthread_create(&t, NULL, run, NULL);
	pthread_join(t, NULL); /* never returns: the exec replaces the whole process */
	return 1;
}
