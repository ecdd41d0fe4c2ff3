// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Runtime detection from an executable's ELF section names: Go's linker
 * always writes a .go.buildinfo section (runtime/debug.ReadBuildInfo reads
 * it), so its presence marks a Go program. Every read is bounded and checked
 * against the file; a hostile or truncated file is "unknown", never a crash.
 */
#include "doctor/exeprobe.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

#define EXEPROBE_MAX_SECTIONS 4096
#define EXEPROBE_MAX_SHSTRTAB (256 * 1024)

static int pread_all(int fd, void *buf, size_t len, uint64_t off)
{
	ssize_t n;

	if (off > (uint64_t)LLONG_MAX - len)
		return -EINVAL;
	n = pread(fd, buf, len, (off_t)off);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -ENODATA;
}

static bool has_section(const Elf64_Shdr *sh, size_t n, const char *names, size_t names_len,
			const char *want)
{
	size_t want_len = strlen(want);

	for (size_t i = 0; i < n; i++) {
		uint32_t off = sh[i].sh_name;

		if (off < names_len && names_len - off > want_len &&
		    memcmp(names + off, want, want_len + 1) == 0)
			return true;
	}
	return false;
}

int exeprobe_fd(int fd, enum tw_runtime *ret)
{
	_cleanup_free_ Elf64_Shdr *sh = NULL;
	_cleanup_free_ char *names = NULL;
	Elf64_Ehdr eh;
	uint64_t names_len;
	int r;

	*ret = TW_RUNTIME_UNKNOWN;
	r = pread_all(fd, &eh, sizeof(eh), 0);
	if (r == -ENODATA)
		return 0;
	if (r < 0)
		return r;
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shnum == 0 ||
	    eh.e_shnum > EXEPROBE_MAX_SECTIONS || eh.e_shstrndx >= eh.e_shnum)
		return 0;
	sh = calloc(eh.e_shnum, sizeof(*sh));
	if (!sh)
		return -ENOMEM;
	r = pread_all(fd, sh, (size_t)eh.e_shnum * sizeof(*sh), eh.e_shoff);
	if (r == -ENODATA || r == -EINVAL)
		return 0;
	if (r < 0)
		return r;
	names_len = sh[eh.e_shstrndx].sh_size;
	if (names_len == 0 || names_len > EXEPROBE_MAX_SHSTRTAB)
		return 0;
	names = malloc(names_len);
	if (!names)
		return -ENOMEM;
	r = pread_all(fd, names, names_len, sh[eh.e_shstrndx].sh_offset);
	if (r == -ENODATA || r == -EINVAL)
		return 0;
	if (r < 0)
		return r;
	if (has_section(sh, eh.e_shnum, names, names_len, ".go.buildinfo"))
		*ret = TW_RUNTIME_GO;
	return 0;
}

int exeprobe_pid(int pid, enum tw_runtime *ret)
{
	char path[PATH_MAX];
	int fd, r;

	snprintf(path, sizeof(path), "%s/%d/exe", proc_root(), pid);
	/* O_NONBLOCK: a process may have exec'd something that is not a regular file. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -errno;
	r = exeprobe_fd(fd, ret);
	(void) close(fd);
	return r;
}
