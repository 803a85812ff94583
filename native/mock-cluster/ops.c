#include "ops.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MAX_PARTITIONS 10000
#define MAX_ERRORS 1000
#define MAX_RTT_MS 3600000

typedef struct {
  const char *op;
  const json_doc_t *doc;
  const json_node_t *obj;
  char msg[1200];
  int has_code;
  int code;
} req_t;

static int failf (req_t *q, const char *fmt, ...) {
  int n = snprintf(q->msg, sizeof(q->msg), "%s: ", q->op);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(q->msg + n, sizeof(q->msg) - (size_t)n, fmt, ap);
  va_end(ap);
  return -1;
}

/* Reports an error code returned by the mock API, with what it was applied to. */
static int fail_err (req_t *q, rd_kafka_resp_err_t err, const char *fmt, ...) {
  char subject[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(subject, sizeof(subject), fmt, ap);
  va_end(ap);
  q->has_code = 1;
  q->code = err;
  return failf(q, "%s: %s (%s, %d)", subject, rd_kafka_err2str(err), rd_kafka_err2name(err), err);
}

static int int_value (req_t *q, const json_node_t *v, const char *path, int64_t min, int64_t max, int64_t *out) {
  if (v->type != JSON_NUMBER) return failf(q, "field \"%s\" must be an integer, got %s", path, json_type_name(v->type));
  if (v->num != floor(v->num) || v->num < (double)min || v->num > (double)max) {
    return failf(q, "field \"%s\" must be an integer from %lld to %lld, got %.17g", path, (long long)min, (long long)max, v->num);
  }
  *out = (int64_t)v->num;
  return 0;
}

static int get_int (req_t *q, const char *key, int64_t min, int64_t max, int64_t *out) {
  const json_node_t *v = json_get(q->doc, q->obj, key);
  if (v == NULL) return failf(q, "missing field \"%s\"", key);
  return int_value(q, v, key, min, max, out);
}

static int get_str (req_t *q, const char *key, size_t maxlen, const char **out) {
  const json_node_t *v = json_get(q->doc, q->obj, key);
  if (v == NULL) return failf(q, "missing field \"%s\"", key);
  if (v->type != JSON_STRING) return failf(q, "field \"%s\" must be a string, got %s", key, json_type_name(v->type));
  size_t len = strlen(v->str);
  if (len == 0 || len > maxlen) return failf(q, "field \"%s\" must be 1 to %zu characters long, got %zu", key, maxlen, len);
  *out = v->str;
  return 0;
}

/* Kafka's own rule for topic names: up to 249 of [a-zA-Z0-9._-]. */
static int get_topic (req_t *q, const char **out) {
  if (get_str(q, "topic", 249, out) != 0) return -1;
  for (const char *p = *out; *p; p++) {
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-')) {
      return failf(q, "field \"topic\" has an invalid character '%c' at position %ld (allowed: letters, digits, '.', '_', '-')", *p, (long)(p - *out));
    }
  }
  if (strcmp(*out, ".") == 0 || strcmp(*out, "..") == 0) return failf(q, "field \"topic\" must not be \".\" or \"..\"");
  return 0;
}

static int get_partition (req_t *q, int32_t *out) {
  int64_t v;
  if (get_int(q, "partition", 0, MAX_PARTITIONS - 1, &v) != 0) return -1;
  *out = (int32_t)v;
  return 0;
}

/* A broker id that must exist, or -1 (all brokers) when allow_all is set. */
static int get_broker (req_t *q, cluster_t *c, int allow_all, int32_t *out) {
  int64_t v;
  if (get_int(q, "broker", allow_all ? -1 : 0, INT32_MAX, &v) != 0) return -1;
  if (v != -1 && brokers_find(&c->brokers, (int32_t)v) == NULL) return failf(q, "field \"broker\": broker %lld does not exist", (long long)v);
  *out = (int32_t)v;
  return 0;
}

static int get_api_key (req_t *q, int16_t *out) {
  int64_t v;
  if (get_int(q, "apiKey", 0, INT16_MAX, &v) != 0) return -1;
  *out = (int16_t)v;
  return 0;
}

/* An error code the mock can send: a Kafka code (int16, -1 and up) or -195, which makes it drop the connection. */
static int error_code (req_t *q, const json_node_t *v, const char *path, rd_kafka_resp_err_t *out) {
  int64_t code = 0;
  if (int_value(q, v, path, -200, INT16_MAX, &code) != 0) return -1;
  if (code < -1 && code != RD_KAFKA_RESP_ERR__TRANSPORT) {
    return failf(q, "field \"%s\": %lld is one of librdkafka's internal codes; only -195 (__TRANSPORT, drop the connection) is meaningful to the mock", path, (long long)code);
  }
  *out = (rd_kafka_resp_err_t)code;
  return 0;
}

/* "errors": an array of codes or {code, rttMs} objects. */
static int get_errors (req_t *q, int allow_rtt, rd_kafka_resp_err_t *codes, int *rtts, size_t *cnt) {
  const json_node_t *arr = json_get(q->doc, q->obj, "errors");
  if (arr == NULL) return failf(q, "missing field \"errors\"");
  if (arr->type != JSON_ARRAY) return failf(q, "field \"errors\" must be an array, got %s", json_type_name(arr->type));
  if (arr->count == 0 || arr->count > MAX_ERRORS) return failf(q, "field \"errors\" must hold 1 to %d entries, got %d", MAX_ERRORS, arr->count);
  size_t i = 0;
  for (const json_node_t *e = json_next(q->doc, arr, NULL); e != NULL; e = json_next(q->doc, arr, e), i++) {
    char path[64];
    rtts[i] = 0;
    if (e->type == JSON_NUMBER) {
      snprintf(path, sizeof(path), "errors[%zu]", i);
      if (error_code(q, e, path, &codes[i]) != 0) return -1;
      continue;
    }
    if (e->type != JSON_OBJECT) return failf(q, "field \"errors[%zu]\" must be an error code or {code, rttMs}, got %s", i, json_type_name(e->type));
    for (const json_node_t *m = json_next(q->doc, e, NULL); m != NULL; m = json_next(q->doc, e, m)) {
      if (strcmp(m->key, "code") != 0 && strcmp(m->key, "rttMs") != 0) return failf(q, "field \"errors[%zu]\" has unknown member \"%s\" (expected code, rttMs)", i, m->key);
    }
    const json_node_t *code = json_get(q->doc, e, "code");
    const json_node_t *rtt = json_get(q->doc, e, "rttMs");
    if (code == NULL) return failf(q, "missing field \"errors[%zu].code\"", i);
    snprintf(path, sizeof(path), "errors[%zu].code", i);
    if (error_code(q, code, path, &codes[i]) != 0) return -1;
    if (rtt != NULL) {
      int64_t ms;
      snprintf(path, sizeof(path), "errors[%zu].rttMs", i);
      if (int_value(q, rtt, path, 0, MAX_RTT_MS, &ms) != 0) return -1;
      if (ms != 0 && !allow_rtt) {
        return failf(q, "field \"errors[%zu].rttMs\": the mock's cluster-wide error stack has no per-request delay; push to a broker (pushBrokerRequestErrors) or use setBrokerRtt", i);
      }
      rtts[i] = (int)ms;
    }
  }
  *cnt = i;
  return 0;
}

typedef int (*op_fn) (cluster_t *c, req_t *q, reply_t *r);

static int op_ping (cluster_t *c, req_t *q, reply_t *r) {
  (void)c; (void)q; (void)r;
  return 0;
}

static int op_brokers (cluster_t *c, req_t *q, reply_t *r) {
  (void)q;
  ops_write_brokers(c, r);
  return 0;
}

static int op_create_topic (cluster_t *c, req_t *q, reply_t *r) {
  const char *topic;
  int64_t partitions, rf;
  (void)r;
  if (get_topic(q, &topic) != 0 || get_int(q, "partitions", 1, MAX_PARTITIONS, &partitions) != 0 ||
      get_int(q, "replicationFactor", 1, INT16_MAX, &rf) != 0) return -1;
  if (rf > c->brokers.count) return failf(q, "field \"replicationFactor\": %lld exceeds the %d brokers in the cluster", (long long)rf, c->brokers.count);
  rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(c->mock, topic, (int)partitions, (int)rf);
  if (err) return fail_err(q, err, "topic \"%s\"", topic);
  return 0;
}

static int op_delete_topic (cluster_t *c, req_t *q, reply_t *r) {
  const char *topic;
  (void)r;
  if (get_topic(q, &topic) != 0) return -1;
  rd_kafka_resp_err_t err = rd_kafka_mock_topic_delete(c->mock, topic);
  if (err) return fail_err(q, err, "topic \"%s\"", topic);
  return 0;
}

static int op_set_partition_leader (cluster_t *c, req_t *q, reply_t *r) {
  const char *topic;
  int32_t partition, broker;
  (void)r;
  if (get_topic(q, &topic) != 0 || get_partition(q, &partition) != 0 || get_broker(q, c, 1, &broker) != 0) return -1;
  rd_kafka_resp_err_t err = rd_kafka_mock_partition_set_leader(c->mock, topic, partition, broker);
  if (err) return fail_err(q, err, "topic \"%s\" partition %d", topic, partition);
  return 0;
}

static int op_set_partition_follower (cluster_t *c, req_t *q, reply_t *r) {
  const char *topic;
  int32_t partition, broker;
  (void)r;
  if (get_topic(q, &topic) != 0 || get_partition(q, &partition) != 0 || get_broker(q, c, 1, &broker) != 0) return -1;
  rd_kafka_resp_err_t err = rd_kafka_mock_partition_set_follower(c->mock, topic, partition, broker);
  if (err) return fail_err(q, err, "topic \"%s\" partition %d", topic, partition);
  return 0;
}

static int op_set_follower_watermarks (cluster_t *c, req_t *q, reply_t *r) {
  const char *topic;
  int32_t partition;
  int64_t lo, hi;
  (void)r;
  if (get_topic(q, &topic) != 0 || get_partition(q, &partition) != 0 ||
      get_int(q, "low", -1, INT32_MAX, &lo) != 0 || get_int(q, "high", -1, INT32_MAX, &hi) != 0) return -1;
  if (lo != -1 && hi != -1 && lo > hi) return failf(q, "field \"low\" (%lld) must not exceed \"high\" (%lld)", (long long)lo, (long long)hi);
  rd_kafka_resp_err_t err = rd_kafka_mock_partition_set_follower_wmarks(c->mock, topic, partition, lo, hi);
  if (err) return fail_err(q, err, "topic \"%s\" partition %d", topic, partition);
  return 0;
}

static void mark_up (cluster_t *c, int32_t broker, int up) {
  for (int i = 0; i < c->brokers.count; i++) {
    if (broker == -1 || c->brokers.items[i].id == broker) c->brokers.items[i].up = up;
  }
}

static int op_broker_down (cluster_t *c, req_t *q, reply_t *r) {
  int32_t broker;
  (void)r;
  if (get_broker(q, c, 1, &broker) != 0) return -1;
  rd_kafka_resp_err_t err = rd_kafka_mock_broker_set_down(c->mock, broker);
  if (err) return fail_err(q, err, "broker %d", broker);
  mark_up(c, broker, 0);
  return 0;
}

static int op_broker_up (cluster_t *c, req_t *q, reply_t *r) {
  int32_t broker;
  (void)r;
  if (get_broker(q, c, 1, &broker) != 0) return -1;
  rd_kafka_resp_err_t err = rd_kafka_mock_broker_set_up(c->mock, broker);
  if (err) return fail_err(q, err, "broker %d", broker);
  mark_up(c, broker, 1);
  return 0;
}

static int op_set_broker_rtt (cluster_t *c, req_t *q, reply_t *r) {
  int32_t broker;
  int64_t ms;
  (void)r;
  if (get_broker(q, c, 1, &broker) != 0 || get_int(q, "rttMs", 0, MAX_RTT_MS, &ms) != 0) return -1;
  rd_kafka_resp_err_t err = rd_kafka_mock_broker_set_rtt(c->mock, broker, (int)ms);
  if (err) return fail_err(q, err, "broker %d", broker);
  return 0;
}

static int op_set_broker_rack (cluster_t *c, req_t *q, reply_t *r) {
  int32_t broker;
  const char *rack;
  (void)r;
  if (get_broker(q, c, 1, &broker) != 0 || get_str(q, "rack", 255, &rack) != 0) return -1;
  rd_kafka_resp_err_t err = rd_kafka_mock_broker_set_rack(c->mock, broker, rack);
  if (err) return fail_err(q, err, "broker %d", broker);
  return 0;
}

static int op_set_broker_advertised_listener (cluster_t *c, req_t *q, reply_t *r) {
  int32_t broker;
  const char *host;
  int64_t port;
  (void)r;
  if (get_broker(q, c, 0, &broker) != 0 || get_str(q, "host", 127, &host) != 0 || get_int(q, "port", 1, 65535, &port) != 0) return -1;
  rd_kafka_mock_broker_set_host_port(c->mock, broker, host, (int)port);
  return 0;
}

static int op_set_coordinator (cluster_t *c, req_t *q, reply_t *r) {
  const char *type, *key;
  int64_t broker;
  (void)r;
  if (get_str(q, "type", 16, &type) != 0) return -1;
  if (strcmp(type, "group") != 0 && strcmp(type, "transaction") != 0) return failf(q, "field \"type\" must be \"group\" or \"transaction\", got \"%s\"", type);
  if (get_str(q, "key", 249, &key) != 0 || get_int(q, "broker", -1, INT32_MAX, &broker) != 0) return -1;
  rd_kafka_resp_err_t err = rd_kafka_mock_coordinator_set(c->mock, type, key, (int32_t)broker);
  if (err) return fail_err(q, err, "%s coordinator for \"%s\"", type, key);
  return 0;
}

static int op_push_request_errors (cluster_t *c, req_t *q, reply_t *r) {
  int16_t api;
  rd_kafka_resp_err_t codes[MAX_ERRORS];
  int rtts[MAX_ERRORS];
  size_t cnt;
  (void)r;
  if (get_api_key(q, &api) != 0 || get_errors(q, 0, codes, rtts, &cnt) != 0) return -1;
  rd_kafka_mock_push_request_errors_array(c->mock, api, cnt, codes);
  return 0;
}

static int op_push_broker_request_errors (cluster_t *c, req_t *q, reply_t *r) {
  int32_t broker;
  int16_t api;
  rd_kafka_resp_err_t codes[MAX_ERRORS];
  int rtts[MAX_ERRORS];
  size_t cnt;
  (void)r;
  if (get_broker(q, c, 0, &broker) != 0 || get_api_key(q, &api) != 0 || get_errors(q, 1, codes, rtts, &cnt) != 0) return -1;
  /* The API is variadic; pushing one entry at a time appends in the same order. */
  for (size_t i = 0; i < cnt; i++) {
    rd_kafka_resp_err_t err = rd_kafka_mock_broker_push_request_error_rtts(c->mock, broker, api, 1, codes[i], rtts[i]);
    if (err) return fail_err(q, err, "broker %d", broker);
  }
  return 0;
}

static int op_push_partition_request_errors (cluster_t *c, req_t *q, reply_t *r) {
  const char *topic;
  int32_t partition;
  int16_t api;
  rd_kafka_resp_err_t codes[MAX_ERRORS];
  int rtts[MAX_ERRORS];
  size_t cnt;
  (void)r;
  if (get_topic(q, &topic) != 0 || get_partition(q, &partition) != 0 || get_api_key(q, &api) != 0 ||
      get_errors(q, 0, codes, rtts, &cnt) != 0) return -1;
  for (size_t i = 0; i < cnt; i++) {
    rd_kafka_resp_err_t err = rd_kafka_mock_partition_push_request_errors(c->mock, topic, partition, api, 1, codes[i]);
    if (err) return fail_err(q, err, "topic \"%s\" partition %d", topic, partition);
  }
  return 0;
}

static int op_clear_request_errors (cluster_t *c, req_t *q, reply_t *r) {
  int16_t api;
  (void)r;
  if (get_api_key(q, &api) != 0) return -1;
  rd_kafka_mock_clear_request_errors(c->mock, api);
  return 0;
}

static int op_set_topic_error (cluster_t *c, req_t *q, reply_t *r) {
  const char *topic;
  rd_kafka_resp_err_t code;
  (void)r;
  if (get_topic(q, &topic) != 0) return -1;
  const json_node_t *v = json_get(q->doc, q->obj, "code");
  if (v == NULL) return failf(q, "missing field \"code\"");
  if (error_code(q, v, "code", &code) != 0) return -1;
  if (code == RD_KAFKA_RESP_ERR__TRANSPORT) return failf(q, "field \"code\": -195 (__TRANSPORT) is a request error, not a topic error");
  rd_kafka_mock_topic_set_error(c->mock, topic, code);
  return 0;
}

static int op_set_api_version (cluster_t *c, req_t *q, reply_t *r) {
  int16_t api;
  int64_t min, max;
  (void)r;
  if (get_api_key(q, &api) != 0 || get_int(q, "min", -1, INT16_MAX, &min) != 0 || get_int(q, "max", -1, INT16_MAX, &max) != 0) return -1;
  if ((min == -1) != (max == -1)) return failf(q, "fields \"min\" and \"max\" must both be -1 (disable the API) or both be versions, got %lld and %lld", (long long)min, (long long)max);
  if (min > max) return failf(q, "field \"min\" (%lld) must not exceed \"max\" (%lld)", (long long)min, (long long)max);
  rd_kafka_resp_err_t err = rd_kafka_mock_set_apiversion(c->mock, api, (int16_t)min, (int16_t)max);
  if (err) return fail_err(q, err, "apiKey %d is not in the mock's API table", api);
  return 0;
}

static int op_set_controller_id (cluster_t *c, req_t *q, reply_t *r) {
  int64_t broker;
  (void)r;
  if (get_int(q, "broker", -1, INT32_MAX, &broker) != 0) return -1;
  rd_kafka_mock_set_controller_id(c->mock, (int32_t)broker);
  return 0;
}

static int op_add_broker (cluster_t *c, req_t *q, reply_t *r) {
  int64_t id;
  int before[BROKERS_MAX + 8], after[BROKERS_MAX + 8];
  if (get_int(q, "broker", 0, INT32_MAX, &id) != 0) return -1;
  if (brokers_find(&c->brokers, (int32_t)id) != NULL) return failf(q, "field \"broker\": broker %lld already exists", (long long)id);
  if (c->brokers.count >= BROKERS_MAX) return failf(q, "the helper supports at most %d brokers", BROKERS_MAX);
  int nb = listening_ports(before, BROKERS_MAX + 8);
  rd_kafka_resp_err_t err = rd_kafka_mock_broker_add(c->mock, (int32_t)id);
  if (err) return fail_err(q, err, "broker %lld", (long long)id);
  int na = listening_ports(after, BROKERS_MAX + 8);
  int port = 0;
  for (int i = 0; i < na && port == 0; i++) {
    int seen = 0;
    for (int j = 0; j < nb; j++) seen |= after[i] == before[j];
    if (!seen) port = after[i];
  }
  broker_t *br = &c->brokers.items[c->brokers.count++];
  br->id = (int32_t)id;
  snprintf(br->host, sizeof(br->host), "127.0.0.1");
  br->port = port;
  br->up = 1;
  reply_open(r, "broker", '{');
  reply_int(r, "id", br->id);
  reply_str(r, "host", br->host);
  reply_int(r, "port", br->port);
  reply_close(r, '}');
  return 0;
}

static int op_decommission_broker (cluster_t *c, req_t *q, reply_t *r) {
  int32_t broker;
  (void)r;
  if (get_broker(q, c, 0, &broker) != 0) return -1;
  rd_kafka_resp_err_t err = rd_kafka_mock_broker_decommission(c->mock, broker);
  if (err) return fail_err(q, err, "broker %d", broker);
  brokers_remove(&c->brokers, broker);
  return 0;
}

static int op_set_group_initial_rebalance_delay (cluster_t *c, req_t *q, reply_t *r) {
  int64_t ms;
  (void)r;
  if (get_int(q, "delayMs", 0, MAX_RTT_MS, &ms) != 0) return -1;
  rd_kafka_mock_group_initial_rebalance_delay_ms(c->mock, (int32_t)ms);
  return 0;
}

static int op_delete_records (cluster_t *c, req_t *q, reply_t *r) {
  const char *topic;
  int32_t partition;
  int64_t before;
  (void)r;
  if (get_topic(q, &topic) != 0 || get_partition(q, &partition) != 0 || get_int(q, "beforeOffset", 0, INT64_C(1) << 53, &before) != 0) return -1;
  rd_kafka_resp_err_t err = rd_kafka_mock_partition_delete_records(c->mock, topic, partition, before);
  if (err) return fail_err(q, err, "topic \"%s\" partition %d before offset %lld", topic, partition, (long long)before);
  return 0;
}

static int op_start_request_tracking (cluster_t *c, req_t *q, reply_t *r) {
  (void)q; (void)r;
  rd_kafka_mock_start_request_tracking(c->mock);
  return 0;
}

static int op_stop_request_tracking (cluster_t *c, req_t *q, reply_t *r) {
  (void)q; (void)r;
  rd_kafka_mock_stop_request_tracking(c->mock);
  return 0;
}

static int op_clear_requests (cluster_t *c, req_t *q, reply_t *r) {
  (void)q; (void)r;
  rd_kafka_mock_clear_requests(c->mock);
  return 0;
}

static int op_get_requests (cluster_t *c, req_t *q, reply_t *r) {
  size_t cnt = 0;
  (void)q;
  rd_kafka_mock_request_t **reqs = rd_kafka_mock_get_requests(c->mock, &cnt);
  reply_open(r, "requests", '[');
  for (size_t i = 0; i < cnt; i++) {
    reply_open(r, NULL, '{');
    reply_int(r, "brokerId", rd_kafka_mock_request_id(reqs[i]));
    reply_int(r, "apiKey", rd_kafka_mock_request_api_key(reqs[i]));
    reply_int(r, "timestampUs", rd_kafka_mock_request_timestamp(reqs[i]));
    reply_close(r, '}');
  }
  reply_close(r, ']');
  if (reqs != NULL) rd_kafka_mock_request_destroy_array(reqs, cnt);
  return 0;
}

static const struct {
  const char *name;
  op_fn fn;
  const char *fields; /* every field the op reads besides id and op; anything else is rejected */
} OPS[] = {
  { "ping", op_ping, "" },
  { "brokers", op_brokers, "" },
  { "createTopic", op_create_topic, "topic partitions replicationFactor" },
  { "deleteTopic", op_delete_topic, "topic" },
  { "setPartitionLeader", op_set_partition_leader, "topic partition broker" },
  { "setPartitionFollower", op_set_partition_follower, "topic partition broker" },
  { "setFollowerWatermarks", op_set_follower_watermarks, "topic partition low high" },
  { "brokerDown", op_broker_down, "broker" },
  { "brokerUp", op_broker_up, "broker" },
  { "setBrokerRtt", op_set_broker_rtt, "broker rttMs" },
  { "setBrokerRack", op_set_broker_rack, "broker rack" },
  { "setBrokerAdvertisedListener", op_set_broker_advertised_listener, "broker host port" },
  { "setCoordinator", op_set_coordinator, "type key broker" },
  { "pushRequestErrors", op_push_request_errors, "apiKey errors" },
  { "pushBrokerRequestErrors", op_push_broker_request_errors, "broker apiKey errors" },
  { "pushPartitionRequestErrors", op_push_partition_request_errors, "topic partition apiKey errors" },
  { "clearRequestErrors", op_clear_request_errors, "apiKey" },
  { "setTopicError", op_set_topic_error, "topic code" },
  { "setApiVersion", op_set_api_version, "apiKey min max" },
  { "setControllerId", op_set_controller_id, "broker" },
  { "addBroker", op_add_broker, "broker" },
  { "decommissionBroker", op_decommission_broker, "broker" },
  { "setGroupInitialRebalanceDelay", op_set_group_initial_rebalance_delay, "delayMs" },
  { "deleteRecords", op_delete_records, "topic partition beforeOffset" },
  { "startRequestTracking", op_start_request_tracking, "" },
  { "stopRequestTracking", op_stop_request_tracking, "" },
  { "getRequests", op_get_requests, "" },
  { "clearRequests", op_clear_requests, "" },
};

/* True when word is one of the space-separated words in list. */
static int in_list (const char *list, const char *word) {
  size_t n = strlen(word);
  for (const char *p = list; *p;) {
    const char *end = strchr(p, ' ');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    if (len == n && strncmp(p, word, n) == 0) return 1;
    p += len;
    if (*p == ' ') p++;
  }
  return 0;
}

/* Echoes the request id as it came (a safe integer or a short string); anything else is answered with a null id. */
static int valid_id (const json_node_t *id) {
  if (id == NULL) return 0;
  if (id->type == JSON_STRING) return strlen(id->str) <= 128;
  return id->type == JSON_NUMBER && id->num == floor(id->num) && fabs(id->num) <= 9007199254740991.0;
}

static void begin_reply (reply_t *r, const json_node_t *id, int ok) {
  reply_init(r);
  reply_open(r, NULL, '{');
  if (!valid_id(id)) reply_null(r, "id");
  else if (id->type == JSON_STRING) reply_str(r, "id", id->str);
  else reply_int(r, "id", (int64_t)id->num);
  reply_bool(r, "ok", ok);
}

static int finish (reply_t *r) {
  reply_close(r, '}');
  int rc = reply_emit(r);
  reply_free(r);
  return rc;
}

static int error_reply (const json_node_t *id, const req_t *q) {
  reply_t r;
  begin_reply(&r, id, 0);
  reply_str(&r, "error", q->msg);
  if (q->has_code) {
    reply_int(&r, "errorCode", q->code);
    reply_str(&r, "errorName", rd_kafka_err2name((rd_kafka_resp_err_t)q->code));
  }
  return finish(&r);
}

int ops_reply_error (const char *message) {
  req_t q = { .op = "request", .has_code = 0 };
  snprintf(q.msg, sizeof(q.msg), "%s", message);
  return error_reply(NULL, &q);
}

void ops_write_brokers (const cluster_t *c, reply_t *r) {
  reply_open(r, "brokers", '[');
  for (int i = 0; i < c->brokers.count; i++) {
    const broker_t *b = &c->brokers.items[i];
    reply_open(r, NULL, '{');
    reply_int(r, "id", b->id);
    reply_str(r, "host", b->host);
    reply_int(r, "port", b->port);
    reply_bool(r, "up", b->up);
    reply_close(r, '}');
  }
  reply_close(r, ']');
}

int ops_handle_line (cluster_t *c, char *line) {
  static json_doc_t doc;
  req_t q = { .op = "request", .doc = &doc, .has_code = 0 };
  int root = json_parse(&doc, line, q.msg, sizeof(q.msg));
  if (root < 0) return error_reply(NULL, &q);
  q.obj = &doc.nodes[root];
  const json_node_t *id = json_get(&doc, q.obj, "id");
  if (!valid_id(id)) {
    failf(&q, "field \"id\" must be an integer (at most 2^53 - 1 in magnitude) or a string of at most 128 characters");
    return error_reply(NULL, &q);
  }
  const json_node_t *op = json_get(&doc, q.obj, "op");
  if (op == NULL || op->type != JSON_STRING) {
    failf(&q, op == NULL ? "missing field \"op\"" : "field \"op\" must be a string");
    return error_reply(id, &q);
  }
  for (size_t i = 0; i < sizeof(OPS) / sizeof(OPS[0]); i++) {
    if (strcmp(OPS[i].name, op->str) != 0) continue;
    q.op = OPS[i].name;
    for (const json_node_t *m = json_next(&doc, q.obj, NULL); m != NULL; m = json_next(&doc, q.obj, m)) {
      if (strcmp(m->key, "id") != 0 && strcmp(m->key, "op") != 0 && !in_list(OPS[i].fields, m->key)) {
        failf(&q, "unknown field \"%s\" (%s takes: %s)", m->key, q.op, OPS[i].fields[0] ? OPS[i].fields : "no fields");
        return error_reply(id, &q);
      }
    }
    reply_t r;
    begin_reply(&r, id, 1);
    waker_begin(&c->waker, &c->brokers);
    int rc = OPS[i].fn(c, &q, &r);
    waker_end(&c->waker);
    if (rc != 0) {
      reply_free(&r);
      return error_reply(id, &q);
    }
    return finish(&r);
  }
  char known[1024] = "";
  for (size_t i = 0; i < sizeof(OPS) / sizeof(OPS[0]); i++) {
    strncat(known, i == 0 ? "" : ", ", sizeof(known) - strlen(known) - 1);
    strncat(known, OPS[i].name, sizeof(known) - strlen(known) - 1);
  }
  failf(&q, "unknown op \"%s\" (known: %s)", op->str, known);
  return error_reply(id, &q);
}
