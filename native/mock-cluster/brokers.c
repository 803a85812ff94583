#include "brokers.h"

#include <dirent.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

int brokers_from_bootstraps (brokers_t *b, const char *bootstraps, char *err, size_t errlen) {
  b->count = 0;
  const char *p = bootstraps;
  while (*p) {
    const char *end = strchr(p, ',');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    const char *colon = memrchr(p, ':', len);
    if (colon == NULL || b->count >= BROKERS_MAX || (size_t)(colon - p) >= sizeof(b->items[0].host)) {
      snprintf(err, errlen, "unexpected bootstrap list from the mock cluster: %s", bootstraps);
      return -1;
    }
    broker_t *br = &b->items[b->count];
    br->id = b->count + 1;
    memcpy(br->host, p, (size_t)(colon - p));
    br->host[colon - p] = '\0';
    br->port = atoi(colon + 1);
    br->up = 1;
    b->count++;
    p += len;
    if (*p == ',') p++;
  }
  return 0;
}

broker_t *brokers_find (brokers_t *b, int32_t id) {
  for (int i = 0; i < b->count; i++) {
    if (b->items[i].id == id) return &b->items[i];
  }
  return NULL;
}

void brokers_remove (brokers_t *b, int32_t id) {
  for (int i = 0; i < b->count; i++) {
    if (b->items[i].id == id) {
      memmove(&b->items[i], &b->items[i + 1], sizeof(broker_t) * (size_t)(b->count - i - 1));
      b->count--;
      return;
    }
  }
}

int listening_ports (int *ports, int max) {
  DIR *dir = opendir("/proc/self/fd");
  if (dir == NULL) return 0;
  int n = 0;
  struct dirent *e;
  while ((e = readdir(dir)) != NULL && n < max) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    int fd = atoi(e->d_name);
    int listening = 0;
    socklen_t optlen = sizeof(listening);
    struct sockaddr_in sin;
    socklen_t slen = sizeof(sin);
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &optlen) != 0 || !listening) continue;
    if (getsockname(fd, (struct sockaddr *)&sin, &slen) != 0 || sin.sin_family != AF_INET) continue;
    ports[n++] = ntohs(sin.sin_port);
  }
  closedir(dir);
  return n;
}
