/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * exeprobe: tell a process's language runtime from its executable, for the
 * fix recipes (a Go program's comm is its own name). Reads only the ELF
 * header, the section headers and the section-name table, each bounded.
 * Nothing here prints.
 */
#ifndef TWSCOPE_EXEPROBE_H
#define TWSCOPE_EXEPROBE_H

#include "doctor/recipes.h"

/*
 * exeprobe_fd() - the runtime of the ELF executable open at fd (pread only,
 * the offset is untouched). Returns 0 with *ret set (TW_RUNTIME_UNKNOWN
 * when nothing is recognised or the file is not a 64-bit ELF), or -errno
 * when reading fails.
 */
int exeprobe_fd(int fd, enum tw_runtime *ret);

/* exeprobe_pid() - the same for <proc_root>/PID/exe; -EACCES without ptrace rights. */
int exeprobe_pid(int pid, enum tw_runtime *ret);

#endif
