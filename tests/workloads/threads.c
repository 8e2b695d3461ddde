/* threads.c - trace workload: 4 threads making known syscalls concurrently. */
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

static void *worker(void *arg)
{
	int fd = open("/dev/null", O_WRONLY);

	(void)arg;
	for (int i = 0; i < 200; i++) {
		if (write(fd, "x", 1) != 1)
			break;
		getppid();
	}
	close(fd);
	return NULL;
}

int main(void)
{
	pthread_t t[4];

	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	return 0;
}
