/*
 * Builds one JSON line on stdout: `{"id":<id>,"ok":true,...}` or an error.
 * Fields are appended in order; strings are escaped here so callers never
 * hand-format JSON.
 */
#ifndef STEADFAST_REPLY_H
#define STEADFAST_REPLY_H

#include <stddef.h>
#include <stdint.h>

#define REPLY_MAX_DEPTH 8

typedef struct {
  char *buf;
  size_t len;
  size_t cap;
  int depth;
  int count[REPLY_MAX_DEPTH]; /* members written so far in each open container */
} reply_t;

void reply_init (reply_t *r);
void reply_free (reply_t *r);

/* Opens an object ('{') or array ('['): a member named key, or an array element when key is NULL. */
void reply_open (reply_t *r, const char *key, char bracket);
void reply_close (reply_t *r, char bracket);

/* Members of the innermost open object (key NULL: an element of the innermost array). */
void reply_str (reply_t *r, const char *key, const char *value);
void reply_int (reply_t *r, const char *key, int64_t value);
void reply_bool (reply_t *r, const char *key, int value);
void reply_null (reply_t *r, const char *key);

/* Writes the line plus '\n' to stdout and flushes; returns -1 when stdout is gone. */
int reply_emit (reply_t *r);

#endif
