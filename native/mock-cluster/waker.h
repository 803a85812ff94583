/*
 * Works around a lost wake-up in librdkafka's mock thread. Each control call
 * enqueues an op and writes a byte to a wake-up pipe, but only when no byte
 * is marked as sent since the queue was last served. The mock thread serves
 * its queue and only then drains the pipe, so an op enqueued in between has
 * its byte drained unseen and waits for the next timer (up to a second).
 * While a control call is in flight for more than a few milliseconds, this
 * thread opens and closes a connection to a listening broker: the listener
 * becoming readable wakes the mock thread, which serves its queue on every
 * wake-up. No Kafka request is sent, so request tracking is unaffected.
 */
#ifndef STEADFAST_WAKER_H
#define STEADFAST_WAKER_H

#include <pthread.h>

#include "brokers.h"

typedef struct {
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t cond;
  int busy;
  int stop;
  int ports[BROKERS_MAX];
  int nports;
} waker_t;

int waker_start (waker_t *w);
/* A control call is about to run; the listeners of the brokers that are up can be poked. */
void waker_begin (waker_t *w, const brokers_t *brokers);
void waker_end (waker_t *w);
void waker_stop (waker_t *w);

#endif
