#include "waker.h"

#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define POKE_AFTER_MS 5

/*
 * Connects to the first listener that accepts; on loopback the attempt completes or fails at once.
 * The send timeout bounds connect() should a listener's backlog be full (a mock thread that stopped
 * accepting), so this thread can always be joined.
 */
static void poke (const int *ports, int n) {
  const struct timeval limit = { .tv_sec = 0, .tv_usec = 50000 };
  for (int i = 0; i < n; i++) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return;
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof(limit));
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sin.sin_port = htons((uint16_t)ports[i]);
    int ok = connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0;
    close(fd);
    if (ok) return;
  }
}

static void *run (void *arg) {
  waker_t *w = arg;
  pthread_mutex_lock(&w->lock);
  while (!w->stop) {
    if (!w->busy) {
      pthread_cond_wait(&w->cond, &w->lock);
      continue;
    }
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_nsec += POKE_AFTER_MS * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
      until.tv_sec++;
      until.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&w->cond, &w->lock, &until);
    if (!w->busy || w->stop) continue;
    int ports[BROKERS_MAX];
    int n = w->nports;
    memcpy(ports, w->ports, sizeof(int) * (size_t)n);
    pthread_mutex_unlock(&w->lock);
    poke(ports, n);
    pthread_mutex_lock(&w->lock);
  }
  pthread_mutex_unlock(&w->lock);
  return NULL;
}

int waker_start (waker_t *w) {
  pthread_condattr_t attr;
  memset(w, 0, sizeof(*w));
  pthread_mutex_init(&w->lock, NULL);
  pthread_condattr_init(&attr);
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  pthread_cond_init(&w->cond, &attr);
  pthread_condattr_destroy(&attr);
  return pthread_create(&w->thread, NULL, run, w) == 0 ? 0 : -1;
}

void waker_begin (waker_t *w, const brokers_t *brokers) {
  pthread_mutex_lock(&w->lock);
  w->nports = 0;
  for (int i = 0; i < brokers->count; i++) {
    if (brokers->items[i].up && brokers->items[i].port > 0) w->ports[w->nports++] = brokers->items[i].port;
  }
  w->busy = 1;
  pthread_cond_signal(&w->cond);
  pthread_mutex_unlock(&w->lock);
}

void waker_end (waker_t *w) {
  pthread_mutex_lock(&w->lock);
  w->busy = 0;
  pthread_mutex_unlock(&w->lock);
}

void waker_stop (waker_t *w) {
  pthread_mutex_lock(&w->lock);
  w->stop = 1;
  pthread_cond_signal(&w->cond);
  pthread_mutex_unlock(&w->lock);
  pthread_join(w->thread, NULL);
}
