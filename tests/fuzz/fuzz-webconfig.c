// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the web config loader (webconfig_parse(), libyaml underneath): any
 * input either parses into a config that holds only valid users and paired
 * TLS files, or fails with one non-empty error line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "serve/webconfig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[WEBCONFIG_ERR_LEN];
	struct webconfig wc;
	int r;

	r = webconfig_parse((const char *)data, size, "/etc/twscope", &wc, err, sizeof(err));
	if (r < 0) {
		if (!err[0] || strchr(err, '\n'))
			abort();
	} else {
		if (wc.tls && (!wc.cert_file || !wc.key_file || !wc.tls_priorities))
			abort();
		if (wc.client_auth != WEBCONFIG_NO_CLIENT_CERT && !wc.client_ca_file)
			abort();
		for (size_t i = 0; i < wc.n_users; i++)
			if (!wc.users[i].name[0] || strchr(wc.users[i].name, ':') ||
			    strlen(wc.users[i].hash) != 60)
				abort();
	}
	webconfig_done(&wc);
	return 0;
}
