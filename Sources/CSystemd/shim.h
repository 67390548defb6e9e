#ifndef CSYSTEMD_H
#define CSYSTEMD_H
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>
#include <sys/prctl.h>

/* prctl is variadic, which Swift cannot call: the one use the daemon has, as a function.
   Not dumpable: no core file, no ptrace by the same user, /proc/<pid>/ files owned by root. */
static inline int zcb_set_not_dumpable(void) { return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0); }
static inline int zcb_is_dumpable(void) { return prctl(PR_GET_DUMPABLE, 0, 0, 0, 0); }
#endif
