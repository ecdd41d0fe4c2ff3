// SPDX-License-Identifier: GPL-2.0-or-later
/* exeprobe: Go detected from a .go.buildinfo section; hostile and truncated ELFs are unknown. */
#include "tw-test.h"

#include <elf.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "doctor/exeprobe.h"

/* A minimal ELF64: header, a section-name table, then 3 section headers. */
static int make_elf(const char *names, size_t names_len, uint32_t name_off, size_t cut)
{
	char path[] = "/tmp/twscope-elf.XXXXXX";
	unsigned char buf[4096] = { 0 };
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
	Elf64_Shdr *sh;
	size_t names_at = sizeof(*eh), sh_at = (names_at + names_len + 7) & ~(size_t)7;
	size_t total = sh_at + 3 * sizeof(Elf64_Shdr);
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	(void) unlink(path);
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_shoff = sh_at;
	eh->e_shentsize = sizeof(Elf64_Shdr);
	eh->e_shnum = 3;
	eh->e_shstrndx = 1;
	memcpy(buf + names_at, names, names_len);
	sh = (Elf64_Shdr *)(buf + sh_at);
	sh[1].sh_offset = names_at;
	sh[1].sh_size = names_len;
	sh[1].sh_name = 1;
	sh[2].sh_name = name_off;
	assert_int_equal(write(fd, buf, cut ? cut : total), (ssize_t)(cut ? cut : total));
	return fd;
}

static enum tw_runtime probe(int fd)
{
	enum tw_runtime rt = TW_RUNTIME_GO;

	assert_int_equal(exeprobe_fd(fd, &rt), 0);
	(void) close(fd);
	return rt;
}

static const char go_names[] = "\0.shstrtab\0.go.buildinfo\0";

static void test_go(void **state)
{
	(void)state;
	assert_int_equal(probe(make_elf(go_names, sizeof(go_names), 11, 0)), TW_RUNTIME_GO);
}

static void test_not_go(void **state)
{
	static const char names[] = "\0.shstrtab\0.text\0";

	(void)state;
	assert_int_equal(probe(make_elf(names, sizeof(names), 11, 0)), TW_RUNTIME_UNKNOWN);
	/* A name that only starts like it, or runs off the table's end, is not it. */
	assert_int_equal(probe(make_elf("\0.shstrtab\0.go.buildinfo", 24, 11, 0)), TW_RUNTIME_UNKNOWN);
	assert_int_equal(probe(make_elf(go_names, sizeof(go_names), 0xffffff00u, 0)), TW_RUNTIME_UNKNOWN);
}

static void test_hostile(void **state)
{
	int fd;

	(void)state;
	/* Cut inside the section headers, inside the ELF header, and an empty file. */
	assert_int_equal(probe(make_elf(go_names, sizeof(go_names), 11, 100)), TW_RUNTIME_UNKNOWN);
	assert_int_equal(probe(make_elf(go_names, sizeof(go_names), 11, 10)), TW_RUNTIME_UNKNOWN);
	assert_int_equal(probe(make_elf(go_names, sizeof(go_names), 11, 1)), TW_RUNTIME_UNKNOWN);
	/* Not ELF at all. */
	fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(probe(fd), TW_RUNTIME_UNKNOWN);
}

/* The test binary itself is C. */
static void test_self(void **state)
{
	enum tw_runtime rt = TW_RUNTIME_GO;

	(void)state;
	assert_int_equal(exeprobe_pid(getpid(), &rt), 0);
	assert_int_equal(rt, TW_RUNTIME_UNKNOWN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_go),
		cmocka_unit_test(test_not_go),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_self),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
