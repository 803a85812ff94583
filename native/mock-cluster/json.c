#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  json_doc_t *doc;
  char *start;
  char *p;
  char *err;
  size_t errlen;
} parser_t;

static int fail (parser_t *ps, const char *what) {
  snprintf(ps->err, ps->errlen, "malformed JSON at column %ld: %s", (long)(ps->p - ps->start) + 1, what);
  return -1;
}

static void skip_ws (parser_t *ps) {
  while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\r' || *ps->p == '\n') ps->p++;
}

static int new_node (parser_t *ps, json_type_t type) {
  if (ps->doc->used >= JSON_MAX_NODES) return fail(ps, "too many values");
  int i = ps->doc->used++;
  json_node_t *n = &ps->doc->nodes[i];
  memset(n, 0, sizeof(*n));
  n->type = type;
  n->first = -1;
  n->next = -1;
  return i;
}

static int hex4 (const char *s, unsigned *out) {
  unsigned v = 0;
  for (int i = 0; i < 4; i++) {
    char c = s[i];
    v <<= 4;
    if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
    else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
    else return -1;
  }
  *out = v;
  return 0;
}

/* Writes code point cp as UTF-8 at *w; the decoded form is never longer than the escape. */
static void put_utf8 (char **w, unsigned cp) {
  char *o = *w;
  if (cp < 0x80) {
    *o++ = (char)cp;
  } else if (cp < 0x800) {
    *o++ = (char)(0xC0 | (cp >> 6));
    *o++ = (char)(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *o++ = (char)(0xE0 | (cp >> 12));
    *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
    *o++ = (char)(0x80 | (cp & 0x3F));
  } else {
    *o++ = (char)(0xF0 | (cp >> 18));
    *o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
    *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
    *o++ = (char)(0x80 | (cp & 0x3F));
  }
  *w = o;
}

/* Decodes the string starting at the opening quote, in place. */
static int parse_string (parser_t *ps, const char **out) {
  char *w = ++ps->p;
  *out = w;
  for (;;) {
    unsigned char c = (unsigned char)*ps->p;
    if (c == '"') break;
    if (c == '\0') return fail(ps, "unterminated string");
    if (c < 0x20) return fail(ps, "control character in string");
    if (c != '\\') {
      *w++ = *ps->p++;
      continue;
    }
    char e = ps->p[1];
    ps->p += 2;
    switch (e) {
      case '"': *w++ = '"'; break;
      case '\\': *w++ = '\\'; break;
      case '/': *w++ = '/'; break;
      case 'b': *w++ = '\b'; break;
      case 'f': *w++ = '\f'; break;
      case 'n': *w++ = '\n'; break;
      case 'r': *w++ = '\r'; break;
      case 't': *w++ = '\t'; break;
      case 'u': {
        unsigned cp, lo;
        if (hex4(ps->p, &cp) != 0) return fail(ps, "bad \\u escape");
        ps->p += 4;
        if (cp >= 0xDC00 && cp <= 0xDFFF) return fail(ps, "lone low surrogate in \\u escape");
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          if (ps->p[0] != '\\' || ps->p[1] != 'u' || hex4(ps->p + 2, &lo) != 0 || lo < 0xDC00 || lo > 0xDFFF) {
            return fail(ps, "high surrogate without a low surrogate in \\u escape");
          }
          ps->p += 6;
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        }
        if (cp == 0) return fail(ps, "\\u0000 is not allowed in strings");
        put_utf8(&w, cp);
        break;
      }
      default:
        ps->p--;
        return fail(ps, "bad escape in string");
    }
  }
  ps->p++;
  *w = '\0';
  return 0;
}

/* Strict JSON number grammar, then strtod on the validated span. */
static int parse_number (parser_t *ps, double *out) {
  char *s = ps->p;
  char *q = s;
  if (*q == '-') q++;
  if (*q == '0') q++;
  else if (*q >= '1' && *q <= '9') while (*q >= '0' && *q <= '9') q++;
  else return fail(ps, "bad number");
  if (*q == '.') {
    q++;
    if (!(*q >= '0' && *q <= '9')) { ps->p = q; return fail(ps, "digit expected after decimal point"); }
    while (*q >= '0' && *q <= '9') q++;
  }
  if (*q == 'e' || *q == 'E') {
    q++;
    if (*q == '+' || *q == '-') q++;
    if (!(*q >= '0' && *q <= '9')) { ps->p = q; return fail(ps, "digit expected in exponent"); }
    while (*q >= '0' && *q <= '9') q++;
  }
  char saved = *q;
  *q = '\0';
  *out = strtod(s, NULL);
  *q = saved;
  ps->p = q;
  return 0;
}

static int parse_value (parser_t *ps, int depth);

/* Appends child to parent's list, keeping order. */
static void link_child (parser_t *ps, int parent, int *last, int child) {
  json_node_t *nodes = ps->doc->nodes;
  if (*last < 0) nodes[parent].first = child;
  else nodes[*last].next = child;
  *last = child;
  nodes[parent].count++;
}

static int parse_container (parser_t *ps, int depth, int is_object) {
  if (depth >= JSON_MAX_DEPTH) return fail(ps, "nested too deeply");
  int self = new_node(ps, is_object ? JSON_OBJECT : JSON_ARRAY);
  if (self < 0) return -1;
  char close = is_object ? '}' : ']';
  int last = -1;
  ps->p++;
  skip_ws(ps);
  if (*ps->p == close) { ps->p++; return self; }
  for (;;) {
    const char *key = NULL;
    if (is_object) {
      if (*ps->p != '"') return fail(ps, "member name expected");
      if (parse_string(ps, &key) != 0) return -1;
      for (int c = ps->doc->nodes[self].first; c >= 0; c = ps->doc->nodes[c].next) {
        if (strcmp(ps->doc->nodes[c].key, key) == 0) return fail(ps, "duplicate member name");
      }
      skip_ws(ps);
      if (*ps->p != ':') return fail(ps, "':' expected");
      ps->p++;
      skip_ws(ps);
    }
    int child = parse_value(ps, depth + 1);
    if (child < 0) return -1;
    ps->doc->nodes[child].key = key;
    link_child(ps, self, &last, child);
    skip_ws(ps);
    if (*ps->p == ',') { ps->p++; skip_ws(ps); continue; }
    if (*ps->p == close) { ps->p++; return self; }
    return fail(ps, is_object ? "',' or '}' expected" : "',' or ']' expected");
  }
}

static int parse_literal (parser_t *ps, const char *word, json_type_t type, int boolean) {
  size_t n = strlen(word);
  if (strncmp(ps->p, word, n) != 0) return fail(ps, "unexpected character");
  int i = new_node(ps, type);
  if (i < 0) return -1;
  ps->doc->nodes[i].boolean = boolean;
  ps->p += n;
  return i;
}

static int parse_value (parser_t *ps, int depth) {
  char c = *ps->p;
  if (c == '{') return parse_container(ps, depth, 1);
  if (c == '[') return parse_container(ps, depth, 0);
  if (c == '"') {
    const char *s;
    if (parse_string(ps, &s) != 0) return -1;
    int i = new_node(ps, JSON_STRING);
    if (i >= 0) ps->doc->nodes[i].str = s;
    return i;
  }
  if (c == '-' || (c >= '0' && c <= '9')) {
    double d;
    if (parse_number(ps, &d) != 0) return -1;
    int i = new_node(ps, JSON_NUMBER);
    if (i >= 0) ps->doc->nodes[i].num = d;
    return i;
  }
  if (c == 't') return parse_literal(ps, "true", JSON_BOOL, 1);
  if (c == 'f') return parse_literal(ps, "false", JSON_BOOL, 0);
  if (c == 'n') return parse_literal(ps, "null", JSON_NULL, 0);
  if (c == '\0') return fail(ps, "value expected, got end of line");
  return fail(ps, "unexpected character");
}

int json_parse (json_doc_t *doc, char *text, char *err, size_t errlen) {
  parser_t ps = { doc, text, text, err, errlen };
  doc->used = 0;
  skip_ws(&ps);
  if (*ps.p != '{') return fail(&ps, "a request must be a JSON object");
  int root = parse_value(&ps, 0);
  if (root < 0) return -1;
  skip_ws(&ps);
  if (*ps.p != '\0') return fail(&ps, "unexpected text after the object");
  return root;
}

const json_node_t *json_get (const json_doc_t *doc, const json_node_t *obj, const char *key) {
  if (obj == NULL || obj->type != JSON_OBJECT) return NULL;
  for (int c = obj->first; c >= 0; c = doc->nodes[c].next) {
    if (strcmp(doc->nodes[c].key, key) == 0) return &doc->nodes[c];
  }
  return NULL;
}

const json_node_t *json_next (const json_doc_t *doc, const json_node_t *parent, const json_node_t *prev) {
  int i = prev == NULL ? parent->first : prev->next;
  return i < 0 ? NULL : &doc->nodes[i];
}

const char *json_type_name (json_type_t type) {
  switch (type) {
    case JSON_NULL: return "null";
    case JSON_BOOL: return "a boolean";
    case JSON_NUMBER: return "a number";
    case JSON_STRING: return "a string";
    case JSON_ARRAY: return "an array";
    case JSON_OBJECT: return "an object";
  }
  return "a value";
}
