package io.packetstream.spring.endpoint;

import io.packetstream.connection.PacketConnection;
import io.packetstream.spring.client.PacketClients;
import io.packetstream.spring.client.PacketStreamClient;
import io.packetstream.spring.context.PacketStreamServer;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * The {@code packetstream} actuator endpoint: the server and every live connection (the server's
 * and the clients') with their traffic figures, for operators who want more than health.
 */
@Endpoint(id = "packetstream")
public class PacketStreamEndpoint {

  private final ObjectProvider<PacketStreamServer> server;
  private final ObjectProvider<PacketClients> clients;

  /** An endpoint over the server and clients, when there are any. */
  public PacketStreamEndpoint(
      ObjectProvider<PacketStreamServer> server, ObjectProvider<PacketClients> clients) {
    this.server = server;
    this.clients = clients;
  }

  /** The server, the clients and every live connection. */
  @ReadOperation
  public PacketStreamDescriptor connections() {
    ServerDescriptor sd = null;
    List<ConnectionDescriptor> connections = new ArrayList<>();
    PacketStreamServer s = server.getIfAvailable();
    if (s != null) {
      sd = new ServerDescriptor(s.name(), s.isListening(), s.port(), s.connections().size());
      for (PacketConnection c : s.connections()) {
        connections.add(ConnectionDescriptor.of(c, "server"));
      }
    }
    List<ClientDescriptor> cds = new ArrayList<>();
    PacketClients cs = clients.getIfAvailable();
    if (cs != null) {
      for (PacketStreamClient c : cs.all()) {
        List<ClientDescriptor> instances = new ArrayList<>();
        for (PacketStreamClient i : c.instances()) {
          instances.add(ClientDescriptor.of(i, List.of()));
          i.connection()
              .ifPresent(conn -> connections.add(ConnectionDescriptor.of(conn, "client")));
        }
        cds.add(ClientDescriptor.of(c, instances));
        if (!c.isBalanced()) {
          c.connection()
              .ifPresent(conn -> connections.add(ConnectionDescriptor.of(conn, "client")));
        }
      }
    }
    return new PacketStreamDescriptor(sd, cds, connections);
  }

  /**
   * What the endpoint reports.
   *
   * @param server the server, null when there is none
   * @param clients the named clients
   * @param connections every live connection
   */
  public record PacketStreamDescriptor(
      ServerDescriptor server,
      List<ClientDescriptor> clients,
      List<ConnectionDescriptor> connections)
      implements OperationResponseBody {}

  /**
   * The server.
   *
   * @param name its name
   * @param listening whether it accepts peers
   * @param port its TCP port, -1 for a Unix socket
   * @param connections how many peers are connected
   */
  public record ServerDescriptor(String name, boolean listening, int port, int connections) {}

  /**
   * A named client, or one instance of a balanced client.
   *
   * @param name its name ({@code <client>[<instance>]} for an instance)
   * @param status CONNECTING, CONNECTED, RECONNECTING or CLOSED
   * @param lastFailure the last connect failure or loss, if any
   * @param balancing where a balanced client's instances come from and how requests spread over
   *     them; null for a client of one peer
   * @param instances a balanced client's instances, each with its connection among the connections;
   *     empty otherwise
   */
  public record ClientDescriptor(
      String name,
      String status,
      String lastFailure,
      String balancing,
      List<ClientDescriptor> instances) {

    static ClientDescriptor of(PacketStreamClient c, List<ClientDescriptor> instances) {
      return new ClientDescriptor(
          c.name(),
          c.status().name(),
          c.lastFailure().map(Object::toString).orElse(null),
          c.balancing().orElse(null),
          List.copyOf(instances));
    }
  }

  /**
   * One live connection.
   *
   * @param name the connection's name
   * @param role server or client
   * @param state its state
   * @param remoteAddress the peer's address
   * @param openedAt when it opened (ISO-8601)
   * @param lastReceivedAt when bytes last arrived (ISO-8601)
   * @param bytesSent bytes written
   * @param bytesReceived bytes read
   * @param packetsSent packets written
   * @param packetsReceived packets read
   * @param pendingRequests this end's requests awaiting answers
   * @param runningRequests the peer's requests being handled
   */
  public record ConnectionDescriptor(
      String name,
      String role,
      String state,
      String remoteAddress,
      String openedAt,
      String lastReceivedAt,
      long bytesSent,
      long bytesReceived,
      long packetsSent,
      long packetsReceived,
      int pendingRequests,
      int runningRequests) {

    static ConnectionDescriptor of(PacketConnection c, String role) {
      return new ConnectionDescriptor(
          c.name(),
          role,
          c.state().name(),
          c.remoteAddress().map(Object::toString).orElse(null),
          c.openedAt().map(Object::toString).orElse(null),
          c.lastReceivedAt().map(Object::toString).orElse(null),
          c.bytesSent(),
          c.bytesReceived(),
          c.packetsSent(),
          c.packetsReceived(),
          c.pendingRequests(),
          c.runningRequests());
    }
  }
}
