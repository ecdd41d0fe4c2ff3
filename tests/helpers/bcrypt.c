// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bcrypt: print the bcrypt hash ($2b$) of a password, for the web config
 * files of the serve tests (test-only; like `htpasswd -nbB` without apache2-utils).
 *
 * usage: bcrypt PASSWORD [COST]
 */
#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	static struct crypt_data data;
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	const char *out;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: bcrypt PASSWORD [COST]\n");
		return 2;
	}
	if (!crypt_gensalt_rn("$2b$", argc == 3 ? strtoul(argv[2], NULL, 10) : 10, NULL, 0, salt,
			      sizeof(salt)))
		return 1;
	out = crypt_rn(argv[1], salt, &data, sizeof(data));
	if (!out || out[0] != '$')
		return 1;
	printf("%s\n", out);
	return 0;
}
