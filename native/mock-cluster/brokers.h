/*
 * The helper's own view of the brokers: id and listener address. The mock
 * API reports addresses only through the initial bootstrap string, so a
 * broker added later is located by the listening socket it opened.
 */
#ifndef STEADFAST_BROKERS_H
#define STEADFAST_BROKERS_H

#include <stddef.h>
#include <stdint.h>

#define BROKERS_MAX 256

typedef struct {
  int32_t id;
  char host[64];
  int port;
  int up;
} broker_t;

typedef struct {
  broker_t items[BROKERS_MAX];
  int count;
} brokers_t;

/* Fills the table from "host:port,..." where the n-th entry is broker n (ids start at 1). */
int brokers_from_bootstraps (brokers_t *b, const char *bootstraps, char *err, size_t errlen);

broker_t *brokers_find (brokers_t *b, int32_t id);
void brokers_remove (brokers_t *b, int32_t id);

/* The TCP ports this process listens on, up to max; returns how many. */
int listening_ports (int *ports, int max);

#endif
