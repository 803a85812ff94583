// Kafka's own Java KafkaConsumer (kafka-clients 4.3.1, defaults, including its default
// metadata.recovery.strategy) as a long-running group member: it subscribes to one topic and
// polls until its stdin ends (the bench writes the wall-clock time the stream's last record was
// sent, then closes it), counting records per partition, records seen twice (an offset at or below
// the partition's last one), and the longest gap between polls that returned records once records
// had started to arrive, or from the last such poll to the stream's end. Prints one JSON summary line on stdout; its own
// log goes to stderr. Compiled by bench/incidents/endpoint-change/scenario.ts against the rig's
// cached Kafka jars (no other download).
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

public final class EndpointConsumer {
  public static void main(String[] args) {
    String bootstrap = args[0];
    String topic = args[1];
    String group = args[2];
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicLong streamEnd = new java.util.concurrent.atomic.AtomicLong(-1);
    Thread stdin = new Thread(() -> {
      try {
        java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          if (!line.isBlank()) streamEnd.set(Long.parseLong(line.trim()));
        }
      } catch (java.io.IOException | NumberFormatException e) {
        // an unreadable stdin ends the run like a closed one (the tail then counts up to now)
      }
      stop.set(true);
    });
    stdin.setDaemon(true);
    stdin.start();
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    Map<Integer, Long> last = new HashMap<>();
    long received = 0;
    long twice = 0;
    long longestGap = 0;
    long lastRecordAt = -1;
    String error = "";
    long endGap = 0;
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
      consumer.subscribe(List.of(topic));
      while (!stop.get()) {
        ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(100));
        long now = System.currentTimeMillis();
        if (records.isEmpty()) continue;
        // The bench waits for every consumer's first record before it moves the brokers.
        if (lastRecordAt < 0) System.out.println("{\"first\":true}");
        if (lastRecordAt >= 0) longestGap = Math.max(longestGap, now - lastRecordAt);
        lastRecordAt = now;
        for (ConsumerRecord<String, String> r : records) {
          Long before = last.get(r.partition());
          if (before != null && r.offset() <= before) twice++;
          else received++;
          last.put(r.partition(), r.offset());
        }
      }
      // Measured before close(), which may wait for a coordinator that is gone.
      long end = streamEnd.get() >= 0 ? streamEnd.get() : System.currentTimeMillis();
      endGap = lastRecordAt >= 0 ? Math.max(0, end - lastRecordAt) : 0;
    } catch (RuntimeException e) {
      error = e.toString();
    }
    System.out.println("{\"received\":" + received + ",\"twice\":" + twice + ",\"longestGapMs\":" + Math.max(longestGap, endGap)
      + ",\"error\":\"" + error.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}");
  }
}
