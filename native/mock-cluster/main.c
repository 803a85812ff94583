/*
 * steadfast-mock-cluster: runs a librdkafka mock cluster and serves control
 * requests as JSON lines on stdin, answering each with one JSON line on
 * stdout. It exits when stdin closes, so it never outlives the process that
 * started it, even when that process is killed with SIGKILL; and on SIGTERM
 * or SIGINT.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ops.h"

#define MAX_LINE 65536
#define MAX_BROKERS 64

static volatile sig_atomic_t stop_signal = 0;

static void on_signal (int sig) {
  stop_signal = sig;
}

static void usage (FILE *out) {
  fprintf(out,
    "usage: steadfast-mock-cluster [--brokers N]\n"
    "Starts a librdkafka %s mock cluster with N brokers (1 to %d, default 3), prints\n"
    "{\"event\":\"ready\",...} on stdout, then answers JSON-line requests from stdin\n"
    "until stdin closes or SIGTERM/SIGINT arrives.\n", rd_kafka_version_str(), MAX_BROKERS);
}

static int parse_args (int argc, char **argv, int *brokers) {
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      usage(stdout);
      exit(0);
    }
    if (strcmp(argv[i], "--brokers") == 0 && i + 1 < argc) {
      char *end;
      long n = strtol(argv[++i], &end, 10);
      if (*argv[i] == '\0' || *end != '\0' || n < 1 || n > MAX_BROKERS) {
        fprintf(stderr, "steadfast-mock-cluster: --brokers must be an integer from 1 to %d, got \"%s\"\n", MAX_BROKERS, argv[i]);
        return -1;
      }
      *brokers = (int)n;
      continue;
    }
    fprintf(stderr, "steadfast-mock-cluster: unknown or incomplete argument \"%s\"\n", argv[i]);
    usage(stderr);
    return -1;
  }
  return 0;
}

/* The rd_kafka_t the mock cluster needs for bookkeeping; it has no bootstrap servers and sends nothing. */
static rd_kafka_t *new_handle (void) {
  char errstr[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  /* log_level 4 keeps warnings and drops the notice that this handle has no bootstrap servers. */
  if (rd_kafka_conf_set(conf, "client.id", "steadfast-mock-cluster", errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK ||
      rd_kafka_conf_set(conf, "log_level", "4", errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK) {
    fprintf(stderr, "steadfast-mock-cluster: %s\n", errstr);
    rd_kafka_conf_destroy(conf);
    return NULL;
  }
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (rk == NULL) fprintf(stderr, "steadfast-mock-cluster: cannot create a client handle: %s\n", errstr);
  return rk;
}

static int print_ready (cluster_t *c) {
  reply_t r;
  reply_init(&r);
  reply_open(&r, NULL, '{');
  reply_str(&r, "event", "ready");
  reply_str(&r, "bootstrap", rd_kafka_mock_cluster_bootstraps(c->mock));
  ops_write_brokers(c, &r);
  reply_int(&r, "pid", getpid());
  reply_str(&r, "librdkafka", rd_kafka_version_str());
  reply_close(&r, '}');
  int rc = reply_emit(&r);
  reply_free(&r);
  return rc;
}

/*
 * Reads stdin and hands each complete line to the ops. Signals are blocked
 * except inside ppoll, so one arriving between checks cannot be missed.
 */
static void serve (cluster_t *c, const sigset_t *unblocked) {
  static char buf[MAX_LINE + 1];
  size_t len = 0;
  int discarding = 0;
  for (;;) {
    struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
    if (stop_signal) return;
    int n = ppoll(&pfd, 1, NULL, unblocked);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    ssize_t got = read(STDIN_FILENO, buf + len, MAX_LINE - len);
    if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (got <= 0) return;
    len += (size_t)got;
    size_t start = 0;
    for (size_t i = len - (size_t)got; i < len; i++) {
      if (buf[i] != '\n') continue;
      buf[i] = '\0';
      if (!discarding && i > start && ops_handle_line(c, buf + start) != 0) return;
      discarding = 0;
      start = i + 1;
    }
    memmove(buf, buf + start, len - start);
    len -= start;
    if (len == MAX_LINE) {
      if (!discarding && ops_reply_error("request line longer than 65536 bytes; discarded") != 0) return;
      discarding = 1;
      len = 0;
    }
  }
}

int main (int argc, char **argv) {
  int broker_cnt = 3;
  if (parse_args(argc, argv, &broker_cnt) != 0) return 2;

  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
  sigset_t blocked, unblocked;
  sigemptyset(&blocked);
  sigaddset(&blocked, SIGTERM);
  sigaddset(&blocked, SIGINT);
  sigprocmask(SIG_BLOCK, &blocked, &unblocked);
  sigdelset(&unblocked, SIGTERM);
  sigdelset(&unblocked, SIGINT);

  rd_kafka_t *rk = new_handle();
  if (rk == NULL) return 1;
  static cluster_t cluster;
  cluster.mock = rd_kafka_mock_cluster_new(rk, broker_cnt);
  if (cluster.mock == NULL) {
    fprintf(stderr, "steadfast-mock-cluster: cannot create a mock cluster with %d brokers\n", broker_cnt);
    rd_kafka_destroy(rk);
    return 1;
  }
  char err[256];
  int rc = 0;
  if (brokers_from_bootstraps(&cluster.brokers, rd_kafka_mock_cluster_bootstraps(cluster.mock), err, sizeof(err)) != 0) {
    fprintf(stderr, "steadfast-mock-cluster: %s\n", err);
    rc = 1;
  } else if (waker_start(&cluster.waker) != 0) {
    fprintf(stderr, "steadfast-mock-cluster: cannot start the wake-up thread\n");
    rc = 1;
  } else {
    if (print_ready(&cluster) == 0) serve(&cluster, &unblocked);
    waker_stop(&cluster.waker);
  }
  rd_kafka_mock_cluster_destroy(cluster.mock);
  rd_kafka_destroy(rk);
  return rc;
}
