/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Common includes for cmocka unit tests (cmocka needs these before its header). */
#ifndef TWSCOPE_TW_TEST_H
#define TWSCOPE_TW_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#endif
