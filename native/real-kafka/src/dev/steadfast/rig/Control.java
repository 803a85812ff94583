package dev.steadfast.rig;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.ElectionNotNeededException;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The real-Kafka rig's control helper: Kafka's own Java AdminClient behind JSON lines on stdin and
 * stdout, so the rig's controls (wait for brokers, create topics, move a leader, find a coordinator)
 * never depend on the steadfast client code they are used to test. One request per line
 * ({"id":1,"op":"brokers",...}), one reply per line ({"id":1,"ok":true,...} or ok:false with
 * "error"). Requests run concurrently; a wait never blocks another request. Exits when stdin closes.
 */
public final class Control {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final PrintStream OUT = new PrintStream(System.out, true, StandardCharsets.UTF_8);
  private static final String EXITED = "The AdminClient thread has exited";
  private static volatile Admin admin;
  private static volatile Thread adminThread;
  private static volatile String bootstrap;
  /** Why the last AdminClient's thread died (an uncaught error ends it for good), once one has. */
  private static volatile String adminDeath;
  private static int opened;

  public static void main(String[] args) throws Exception {
    bootstrap = args[0];
    reopen();
    ObjectNode ready = JSON.createObjectNode();
    ready.put("event", "ready");
    ready.put("pid", ProcessHandle.current().pid());
    ready.put("kafkaClients", org.apache.kafka.common.utils.AppInfoParser.getVersion());
    emit(ready);
    ExecutorService pool = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "control-request");
      t.setDaemon(true);
      return t;
    });
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      final String request = line;
      pool.submit(() -> handle(request));
    }
    admin.close(java.time.Duration.ofSeconds(2));
    System.exit(0);
  }

  /**
   * The AdminClient, a new one when the last one's thread has died. One uncaught error on that
   * thread (an OutOfMemoryError when a port answers something that is not Kafka: "HTTP" read as a
   * frame size asks for 1.2 GB) ends it for good, and every later call fails at once with "thread
   * has exited"; a wait for the brokers would then fail only at its deadline, however healthy they are.
   */
  private static synchronized Admin admin() {
    if (!adminThread.isAlive()) {
      Admin dead = admin;
      reopen();
      dead.close(java.time.Duration.ZERO);
    }
    return admin;
  }

  private static synchronized void reopen() {
    String clientId = "steadfast-rig-control-" + (++opened);
    admin = open(bootstrap, clientId);
    // The thread is started by the constructor; its name ends with the client id.
    adminThread = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().endsWith("| " + clientId)).findFirst()
        .orElseThrow(() -> new IllegalStateException("no AdminClient thread named after " + clientId));
    adminThread.setUncaughtExceptionHandler((thread, error) -> {
      adminDeath = error.toString();
      System.err.println("the rig's AdminClient thread died: " + error);
    });
  }

  /** An error as a reply names it; "thread has exited" also says why, when that is known. */
  private static String describeError(Throwable cause) {
    String text = cause.getClass().getSimpleName() + ": " + cause.getMessage();
    if (cause.getMessage() != null && cause.getMessage().startsWith(EXITED)) {
      // The dying thread fails its calls first and runs the uncaught-error handler after: until
      // it has ended, the reason is not recorded yet. (A new AdminClient replaces it only then.)
      Thread dying = adminThread;
      try {
        if (dying.isAlive()) dying.join(2000);
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
      }
      text += " (it died of " + (adminDeath == null ? "an unknown error" : adminDeath) + "; the next request uses a new AdminClient)";
    }
    return text;
  }

  private static Admin open(String servers, String clientId) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "8000");
    props.put(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, "100");
    props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500");
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
    return Admin.create(props);
  }

  private static synchronized void emit(JsonNode node) {
    OUT.println(node.toString());
  }

  private static void handle(String line) {
    ObjectNode reply = JSON.createObjectNode();
    JsonNode request = null;
    try {
      request = JSON.readTree(line);
      reply.set("id", request.get("id"));
      run(request.path("op").asText(), request, reply);
      reply.put("ok", true);
    } catch (Throwable error) {
      Throwable cause = error instanceof ExecutionException && error.getCause() != null ? error.getCause() : error;
      reply.put("ok", false);
      reply.put("error", describeError(cause));
      if (request == null) reply.putNull("id");
    }
    emit(reply);
  }

  private static void run(String op, JsonNode req, ObjectNode reply) throws Exception {
    switch (op) {
      case "ping" -> { }
      case "brokers" -> describeCluster(reply);
      case "waitBrokers" -> waitBrokers(req, reply);
      case "waitGroupCoordinator" -> waitGroupCoordinator(req, reply);
      case "createTopic" -> createTopic(req);
      case "deleteTopic" -> admin().deleteTopics(List.of(req.path("topic").asText())).all().get();
      case "describeTopic" -> reply.set("partitions", partitions(describe(req.path("topic").asText())));
      case "moveLeader" -> moveLeader(req);
      case "coordinator" -> reply.put("broker", coordinator(req.path("group").asText()));
      case "describeGroup" -> describeGroup(req.path("group").asText(), reply);
      case "rebootstrap" -> rebootstrap(req.path("bootstrap").asText());
      case "upsertScramUser" -> upsertScramUser(req);
      case "readPartition" -> reply.set("records", readPartition(req));
      case "groupOffsets" -> reply.set("offsets", groupOffsets(req.path("group").asText()));
      case "listGroups" -> reply.set("groups", listGroups());
      case "describeConfigs" -> reply.set("configs", describeConfigs(req));
      default -> throw new IllegalArgumentException("unknown op '" + op + "'");
    }
  }

  private static void describeCluster(ObjectNode reply) throws Exception {
    DescribeClusterResult cluster = admin().describeCluster();
    ArrayNode brokers = reply.putArray("brokers");
    for (Node node : cluster.nodes().get()) {
      ObjectNode b = brokers.addObject();
      b.put("id", node.id());
      b.put("host", node.host());
      b.put("port", node.port());
    }
    Node controller = cluster.controller().get();
    reply.put("controller", controller == null ? -1 : controller.id());
    reply.put("clusterId", cluster.clusterId().get());
  }

  /** Waits until the live brokers are exactly `ids`, each at its expected port when one is given. */
  private static void waitBrokers(JsonNode req, ObjectNode reply) throws Exception {
    Map<Integer, Integer> want = new HashMap<>();
    for (JsonNode b : req.path("brokers")) want.put(b.path("id").asInt(), b.path("port").asInt(0));
    long deadline = System.currentTimeMillis() + req.path("timeoutMs").asLong(60000);
    String last = "no answer yet";
    while (true) {
      try {
        ObjectNode seen = JSON.createObjectNode();
        describeCluster(seen);
        Map<Integer, Integer> have = new HashMap<>();
        for (JsonNode b : seen.path("brokers")) have.put(b.path("id").asInt(), b.path("port").asInt());
        boolean match = have.keySet().equals(want.keySet());
        for (Map.Entry<Integer, Integer> e : want.entrySet()) {
          if (e.getValue() != 0 && !e.getValue().equals(have.get(e.getKey()))) match = false;
        }
        if (match) {
          reply.setAll(seen);
          return;
        }
        last = "live brokers " + new TreeSet<>(have.entrySet().stream().map(e -> e.getKey() + "@" + e.getValue()).toList());
      } catch (ExecutionException error) {
        last = describeError(error.getCause());
      }
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("brokers " + want + " not live as expected in time; last seen: " + last);
      }
      Thread.sleep(200);
    }
  }

  /** Waits until a group coordinator answers (the offsets topic exists and its partitions are loaded). */
  private static void waitGroupCoordinator(JsonNode req, ObjectNode reply) throws Exception {
    long deadline = System.currentTimeMillis() + req.path("timeoutMs").asLong(60000);
    String group = req.path("group").asText("steadfast-rig-probe");
    while (true) {
      try {
        admin().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        reply.put("broker", coordinator(group));
        return;
      } catch (ExecutionException error) {
        if (System.currentTimeMillis() > deadline) throw error;
        Thread.sleep(200);
      }
    }
  }

  /**
   * A group's coordinator is by definition the leader of its partition of __consumer_offsets
   * (abs(hashCode) modulo the partition count); reading it that way also works for groups that do
   * not exist yet, which DescribeGroups refuses on Kafka 4.
   */
  private static int coordinator(String group) throws Exception {
    List<TopicPartitionInfo> partitions = describe("__consumer_offsets").partitions();
    TopicPartitionInfo p = partitions.get(org.apache.kafka.common.utils.Utils.abs(group.hashCode()) % partitions.size());
    return p.leader() == null || p.leader().isEmpty() ? -1 : p.leader().id();
  }

  /** A classic group (consumer or Connect) as its coordinator describes it: state, protocol, members. */
  private static void describeGroup(String group, ObjectNode reply) throws Exception {
    int broker = coordinator(group);
    Node node = admin().describeCluster().nodes().get().stream().filter(n -> n.id() == broker).findFirst()
        .orElseThrow(() -> new IllegalStateException("the coordinator of group " + group + " (broker " + broker + ") is not live"));
    reply.put("coordinator", broker);
    Groups.describe(node.host(), node.port(), group, reply);
  }

  private static void createTopic(JsonNode req) throws Exception {
    String topic = req.path("topic").asText();
    int partitions = req.path("partitions").asInt(1);
    short rf = (short) req.path("replicationFactor").asInt(1);
    NewTopic spec = new NewTopic(topic, partitions, rf);
    Map<String, String> configs = new HashMap<>();
    req.path("configs").fields().forEachRemaining(e -> configs.put(e.getKey(), e.getValue().asText()));
    spec.configs(configs);
    if (admin().listTopics(new ListTopicsOptions().listInternal(true)).names().get().contains(topic)) {
      throw new TopicExistsException("Topic '" + topic + "' already exists.");
    }
    try {
      admin().createTopics(List.of(spec)).all().get();
    } catch (ExecutionException error) {
      // The client resends a CreateTopics that timed out (5 s: a loaded machine); when the first
      // one reached the controller, the resent one answers "exists" for the topic this call made
      // (seen in CI). It did not exist a moment ago, so here that answer means done.
      if (!(error.getCause() instanceof TopicExistsException)) throw error;
    }
    long deadline = System.currentTimeMillis() + req.path("timeoutMs").asLong(30000);
    while (true) {
      try {
        TopicDescription d = describe(topic);
        if (d.partitions().size() == partitions && d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty())) return;
      } catch (ExecutionException ignored) {
        // not in every broker's metadata yet: ask again
      }
      if (System.currentTimeMillis() > deadline) throw new IllegalStateException("topic " + topic + " has no leader for every partition in time");
      Thread.sleep(100);
    }
  }

  private static TopicDescription describe(String topic) throws Exception {
    return admin().describeTopics(List.of(topic)).allTopicNames().get().get(topic);
  }

  private static ArrayNode partitions(TopicDescription d) {
    ArrayNode out = JSON.createArrayNode();
    for (TopicPartitionInfo p : d.partitions()) {
      ObjectNode o = out.addObject();
      o.put("partition", p.partition());
      o.put("leader", p.leader() == null || p.leader().isEmpty() ? -1 : p.leader().id());
      ArrayNode replicas = o.putArray("replicas");
      for (Node n : p.replicas()) replicas.add(n.id());
      ArrayNode isr = o.putArray("isr");
      for (Node n : p.isr()) isr.add(n.id());
    }
    return out;
  }

  /**
   * Makes `broker` the partition's leader: reassigns the replicas so it is the preferred (first)
   * replica, waits for the reassignment to finish, then runs a preferred-leader election and waits
   * until the leader is the one asked for.
   */
  private static void moveLeader(JsonNode req) throws Exception {
    String topic = req.path("topic").asText();
    int partition = req.path("partition").asInt();
    int broker = req.path("broker").asInt();
    long deadline = System.currentTimeMillis() + req.path("timeoutMs").asLong(60000);
    TopicPartition tp = new TopicPartition(topic, partition);
    TopicPartitionInfo info = describe(topic).partitions().get(partition);
    if (info.leader() != null && info.leader().id() == broker) return;
    List<Integer> replicas = new ArrayList<>();
    replicas.add(broker);
    for (Node n : info.replicas()) if (n.id() != broker) replicas.add(n.id());
    while (replicas.size() > Math.max(1, info.replicas().size())) replicas.remove(replicas.size() - 1);
    admin().alterPartitionReassignments(Map.of(tp, Optional.of(new NewPartitionReassignment(replicas)))).all().get();
    while (true) {
      boolean reassigning = admin().listPartitionReassignments(Set.of(tp)).reassignments().get().containsKey(tp);
      TopicPartitionInfo now = describe(topic).partitions().get(partition);
      if (!reassigning && now.replicas().stream().map(Node::id).toList().equals(replicas)) {
        if (now.leader() != null && now.leader().id() == broker) return;
        if (new HashSet<>(now.isr().stream().map(Node::id).toList()).contains(broker)) {
          try {
            admin().electLeaders(ElectionType.PREFERRED, Set.of(tp)).partitions().get().get(tp).ifPresent(e -> {
              if (!(e instanceof ElectionNotNeededException)) throw new IllegalStateException(e.toString());
            });
          } catch (ExecutionException | IllegalStateException error) {
            if (System.currentTimeMillis() > deadline) throw error;
          }
        }
      }
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("leader of " + tp + " did not move to broker " + broker + " in time (replicas " + now.replicas() + ", isr " + now.isr() + ", leader " + now.leader() + ")");
      }
      Thread.sleep(100);
    }
  }

  /** Creates or updates a SCRAM user for both SHA-256 and SHA-512, and waits until Kafka lists it. */
  private static void upsertScramUser(JsonNode req) throws Exception {
    String name = req.path("name").asText();
    String password = req.path("password").asText();
    // One alteration per request: Kafka refuses two for the same user in one request.
    for (org.apache.kafka.clients.admin.ScramMechanism m : List.of(org.apache.kafka.clients.admin.ScramMechanism.SCRAM_SHA_256, org.apache.kafka.clients.admin.ScramMechanism.SCRAM_SHA_512)) {
      admin().alterUserScramCredentials(List.of(new org.apache.kafka.clients.admin.UserScramCredentialUpsertion(name, new org.apache.kafka.clients.admin.ScramCredentialInfo(m, 4096), password))).all().get();
    }
    long deadline = System.currentTimeMillis() + req.path("timeoutMs").asLong(30000);
    while (true) {
      try {
        if (admin().describeUserScramCredentials(List.of(name)).description(name).get().credentialInfos().size() == 2) return;
      } catch (ExecutionException notYet) {
        if (System.currentTimeMillis() > deadline) throw notYet;
      }
      Thread.sleep(100);
    }
  }

  /**
   * Every record of one partition from its log start to its high watermark, read with Kafka's own
   * consumer (assigned, no group): offset, key and value as UTF-8 (null stays null), so tests can
   * compare what steadfast wrote against a reader that shares none of its code.
   */
  private static ArrayNode readPartition(JsonNode req) throws Exception {
    TopicPartition tp = new TopicPartition(req.path("topic").asText(), req.path("partition").asInt());
    long deadline = System.currentTimeMillis() + req.path("timeoutMs").asLong(60000);
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "steadfast-rig-reader");
    // Short per-call timeouts so one stalled call cannot outlast the read's own deadline (the
    // defaults let a single position() or endOffsets() block for a minute), and big polls.
    props.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000");
    props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(8 * 1024 * 1024));
    ArrayNode out = JSON.createArrayNode();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long end = consumer.endOffsets(List.of(tp)).get(tp);
      while (consumer.position(tp) < end) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(java.time.Duration.ofMillis(500)).records(tp)) {
          ObjectNode o = out.addObject();
          o.put("offset", r.offset());
          o.put("key", r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8));
          o.put("value", r.value() == null ? null : new String(r.value(), StandardCharsets.UTF_8));
        }
        if (System.currentTimeMillis() > deadline) throw new IllegalStateException("reading " + tp + " did not reach offset " + end + " in time (at " + consumer.position(tp) + ")");
      }
    }
    return out;
  }

  /** A group's committed offsets, as Kafka's own AdminClient reads them. */
  private static ArrayNode groupOffsets(String group) throws Exception {
    ArrayNode out = JSON.createArrayNode();
    Map<TopicPartition, OffsetAndMetadata> offsets = admin().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
    for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
      if (e.getValue() == null) continue;
      ObjectNode o = out.addObject();
      o.put("topic", e.getKey().topic());
      o.put("partition", e.getKey().partition());
      o.put("offset", e.getValue().offset());
    }
    return out;
  }

  /** Every group the brokers know, with its state. */
  private static ArrayNode listGroups() throws Exception {
    ArrayNode out = JSON.createArrayNode();
    for (ConsumerGroupListing g : admin().listConsumerGroups().all().get()) {
      ObjectNode o = out.addObject();
      o.put("groupId", g.groupId());
      o.put("state", g.state().map(Object::toString).orElse(null));
    }
    return out;
  }

  /** The configs of one topic or broker (name to value), as Kafka's own AdminClient describes them. */
  private static ObjectNode describeConfigs(JsonNode req) throws Exception {
    ConfigResource.Type type = "broker".equals(req.path("type").asText()) ? ConfigResource.Type.BROKER : ConfigResource.Type.TOPIC;
    ConfigResource resource = new ConfigResource(type, req.path("name").asText());
    Config config = admin().describeConfigs(List.of(resource)).all().get().get(resource);
    ObjectNode out = JSON.createObjectNode();
    for (ConfigEntry entry : config.entries()) out.put(entry.name(), entry.value());
    return out;
  }

  private static void rebootstrap(String servers) {
    Admin old;
    synchronized (Control.class) {
      old = admin;
      bootstrap = servers;
      reopen();
    }
    old.close(java.time.Duration.ofMillis(500));
  }
}
