/*
 * The control operations: one handler per `op`, each validating its fields
 * with a message that names the bad field and value, then calling the
 * rd_kafka_mock_* API from this (the application) thread, which the API is
 * designed for: it hands each change to the mock thread and waits for it.
 */
#ifndef STEADFAST_OPS_H
#define STEADFAST_OPS_H

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "brokers.h"
#include "json.h"
#include "reply.h"
#include "waker.h"

typedef struct {
  rd_kafka_mock_cluster_t *mock;
  brokers_t brokers;
  waker_t waker;
} cluster_t;

/* Handles one request line (modified in place) and writes exactly one reply line. Returns -1 when stdout is gone. */
int ops_handle_line (cluster_t *c, char *line);

/* Writes an error reply with a null id, for lines that never became requests (e.g. too long). */
int ops_reply_error (const char *message);

/* Adds the broker list as member "brokers" of the open object. */
void ops_write_brokers (const cluster_t *c, reply_t *r);

#endif
