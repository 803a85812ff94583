/*
 * A tiny, bounded JSON parser for the control protocol: one request per line,
 * an object whose values are strings, numbers, booleans, null, or arrays of
 * those and of objects. Nesting and node counts are capped so a hostile line
 * cannot exhaust memory; strings are decoded in place inside the caller's
 * buffer, so the tree lives exactly as long as the line does.
 */
#ifndef STEADFAST_JSON_H
#define STEADFAST_JSON_H

#include <stddef.h>

#define JSON_MAX_NODES 4096
#define JSON_MAX_DEPTH 4

typedef enum { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT } json_type_t;

typedef struct {
  json_type_t type;
  const char *key;  /* member name when the parent is an object */
  const char *str;  /* JSON_STRING: decoded, NUL-terminated */
  double num;       /* JSON_NUMBER */
  int boolean;      /* JSON_BOOL */
  int first;        /* first child index, -1 when none */
  int next;         /* next sibling index, -1 when none */
  int count;        /* number of children */
} json_node_t;

typedef struct {
  json_node_t nodes[JSON_MAX_NODES];
  int used;
} json_doc_t;

/*
 * Parses the NUL-terminated text (modified in place). Returns the root node
 * index (always 0) or -1 with a message naming the problem and its column in err.
 */
int json_parse (json_doc_t *doc, char *text, char *err, size_t errlen);

/* The member named key of object node obj, or NULL. */
const json_node_t *json_get (const json_doc_t *doc, const json_node_t *obj, const char *key);

/* The child of array/object node after prev (NULL for the first), or NULL at the end. */
const json_node_t *json_next (const json_doc_t *doc, const json_node_t *parent, const json_node_t *prev);

const char *json_type_name (json_type_t type);

#endif
