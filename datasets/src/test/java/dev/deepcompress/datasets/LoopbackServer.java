package dev.deepcompress.datasets;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** An HTTP server on 127.0.0.1 serving fixed files under /base/; everything else is 404. */
final class LoopbackServer implements AutoCloseable {
  private final HttpServer server;
  private final Map<String, byte[]> files = new ConcurrentHashMap<>();
  private final Set<String> cutShort = ConcurrentHashMap.newKeySet();
  final List<String> requests = new CopyOnWriteArrayList<>();

  LoopbackServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  URI base() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/base/");
  }

  LoopbackServer serve(String name, byte[] content) {
    files.put("/base/" + name, content);
    return this;
  }

  /** Announces the full length of {@code name} but sends only half and drops the connection. */
  LoopbackServer cutShort(String name) {
    cutShort.add("/base/" + name);
    return this;
  }

  private void handle(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    requests.add(path);
    byte[] content = files.get(path);
    if (content == null) {
      exchange.sendResponseHeaders(404, -1);
      exchange.close();
      return;
    }
    exchange.sendResponseHeaders(200, content.length);
    OutputStream body = exchange.getResponseBody();
    if (cutShort.contains(path)) {
      body.write(content, 0, content.length / 2);
      body.flush();
      // Closing with bytes still owed makes the server drop the connection.
      exchange.close();
      return;
    }
    body.write(content);
    exchange.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
