/* Run a program with posix_spawn (vfork: no copy-on-write faults before
 * exec) and print its ru_minflt/ru_majflt from wait4. */
#include <spawn.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
extern char **environ;
int main(int argc, char **argv)
{
	struct rusage ru;
	pid_t pid;
	int st;

	if (argc < 2 || posix_spawnp(&pid, argv[1], NULL, NULL, argv + 1, environ))
		return 1;
	wait4(pid, &st, 0, &ru);
	fprintf(stderr, "minflt %ld majflt %ld\n", ru.ru_minflt, ru.ru_majflt);
	return 0;
}
