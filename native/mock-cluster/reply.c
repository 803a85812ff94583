#include "reply.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void reply_init (reply_t *r) {
  r->cap = 256;
  r->buf = malloc(r->cap);
  if (r->buf == NULL) abort();
  r->len = 0;
  r->buf[0] = '\0';
  r->depth = 0;
  r->count[0] = 0;
}

void reply_free (reply_t *r) {
  free(r->buf);
  r->buf = NULL;
}

static void append (reply_t *r, const char *s, size_t n) {
  if (r->len + n + 1 > r->cap) {
    while (r->len + n + 1 > r->cap) r->cap *= 2;
    r->buf = realloc(r->buf, r->cap);
    if (r->buf == NULL) abort();
  }
  memcpy(r->buf + r->len, s, n);
  r->len += n;
  r->buf[r->len] = '\0';
}

static void quoted (reply_t *r, const char *s) {
  append(r, "\"", 1);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    char esc[8];
    if (*p == '"' || *p == '\\') {
      esc[0] = '\\';
      esc[1] = (char)*p;
      append(r, esc, 2);
    } else if (*p < 0x20) {
      snprintf(esc, sizeof(esc), "\\u%04x", *p);
      append(r, esc, 6);
    } else {
      append(r, (const char *)p, 1);
    }
  }
  append(r, "\"", 1);
}

static void member (reply_t *r, const char *key) {
  if (r->count[r->depth]++ > 0) append(r, ",", 1);
  if (key == NULL) return;
  quoted(r, key);
  append(r, ":", 1);
}

void reply_open (reply_t *r, const char *key, char bracket) {
  if (r->depth > 0) member(r, key);
  if (r->depth + 1 >= REPLY_MAX_DEPTH) abort();
  append(r, &bracket, 1);
  r->count[++r->depth] = 0;
}

void reply_close (reply_t *r, char bracket) {
  append(r, &bracket, 1);
  r->depth--;
}

void reply_str (reply_t *r, const char *key, const char *value) {
  member(r, key);
  quoted(r, value);
}

void reply_int (reply_t *r, const char *key, int64_t value) {
  char num[32];
  snprintf(num, sizeof(num), "%" PRId64, value);
  member(r, key);
  append(r, num, strlen(num));
}

void reply_bool (reply_t *r, const char *key, int value) {
  member(r, key);
  append(r, value ? "true" : "false", value ? 4 : 5);
}

void reply_null (reply_t *r, const char *key) {
  member(r, key);
  append(r, "null", 4);
}

int reply_emit (reply_t *r) {
  append(r, "\n", 1);
  if (fwrite(r->buf, 1, r->len, stdout) != r->len || fflush(stdout) != 0) return -1;
  return 0;
}
