package dev.steadfast.rig;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.List;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.ObjectSerializationCache;

/**
 * DescribeGroups for any classic group, Kafka Connect's worker groups included. The Java Admin
 * client only describes consumer groups (it refuses protocol type "connect"), and its classic-group
 * call exists from Kafka 4.0 only, so this sends the request itself, with Kafka's own message
 * classes, to the group's coordinator. Version 1 (not flexible) is understood by every broker the
 * rig runs.
 */
final class Groups {
  private static final short VERSION = 1;

  private Groups() { }

  /** Fills `reply` with the group's state, protocol and members (metadata in base64), as the coordinator at host:port reports them. */
  static void describe(String host, int port, String group, ObjectNode reply) throws Exception {
    ObjectSerializationCache cache = new ObjectSerializationCache();
    RequestHeaderData header = new RequestHeaderData()
        .setRequestApiKey(ApiKeys.DESCRIBE_GROUPS.id)
        .setRequestApiVersion(VERSION)
        .setCorrelationId(1)
        .setClientId("steadfast-rig-control");
    DescribeGroupsRequestData body = new DescribeGroupsRequestData().setGroups(List.of(group));
    // Request header v1 goes with every non-flexible request version.
    short headerVersion = 1;
    int size = header.size(cache, headerVersion) + body.size(cache, VERSION);
    ByteBuffer out = ByteBuffer.allocate(4 + size);
    out.putInt(size);
    ByteBufferAccessor writer = new ByteBufferAccessor(out);
    header.write(writer, cache, headerVersion);
    body.write(writer, cache, VERSION);
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 5000);
      socket.setSoTimeout(8000);
      OutputStream os = socket.getOutputStream();
      os.write(out.array());
      os.flush();
      DataInputStream in = new DataInputStream(socket.getInputStream());
      byte[] frame = new byte[in.readInt()];
      in.readFully(frame);
      ByteBuffer buffer = ByteBuffer.wrap(frame);
      buffer.getInt(); // response header v0: the correlation id
      DescribeGroupsResponseData response = new DescribeGroupsResponseData(new ByteBufferAccessor(buffer), VERSION);
      DescribeGroupsResponseData.DescribedGroup described = response.groups().get(0);
      Errors error = Errors.forCode(described.errorCode());
      if (error != Errors.NONE) throw error.exception("DescribeGroups " + group + " at " + host + ":" + port + ": " + error.name());
      reply.put("state", described.groupState());
      reply.put("protocolType", described.protocolType());
      reply.put("protocol", described.protocolData());
      ArrayNode members = reply.putArray("members");
      for (DescribeGroupsResponseData.DescribedGroupMember m : described.members()) {
        ObjectNode member = members.addObject();
        member.put("memberId", m.memberId());
        member.put("clientId", m.clientId());
        member.put("clientHost", m.clientHost());
        member.put("metadata", Base64.getEncoder().encodeToString(m.memberMetadata()));
      }
    }
  }
}
