package io.packetstream.spring.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.connection.PacketConnection;
import io.packetstream.spring.client.ExchangeServer.Order;
import io.packetstream.spring.client.ExchangeServer.Receipt;
import io.packetstream.spring.handler.JacksonPayloadCodec;
import io.packetstream.spring.handler.PayloadCodec;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.aot.generate.ClassNameGenerator;
import org.springframework.aot.generate.DefaultGenerationContext;
import org.springframework.aot.generate.GeneratedFiles.Kind;
import org.springframework.aot.generate.InMemoryGeneratedFiles;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.annotation.AnnotationConfigUtils;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.aot.ApplicationContextAotGenerator;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.core.io.InputStreamSource;
import org.springframework.javapoet.ClassName;
import tools.jackson.databind.json.JsonMapper;

/**
 * Ahead-of-time processing of a context with an imported exchange interface: the proxy and the
 * payload types are in the runtime hints, and the generated code compiles and, run instead of the
 * configuration classes, makes the same bean.
 */
public class PacketExchangeAotTest {

  /** The application: one imported interface, and a client that never connects. */
  @Configuration(proxyBeanMethods = false)
  @ImportPacketExchanges(client = "shop", types = Orders.class)
  public static class AotApp {

    @Bean
    public static PacketClients packetClients() {
      ClientSpec shop =
          new ClientSpec(
              "shop",
              builder -> {
                throw new IOException("no peer in this test");
              },
              false,
              null,
              Duration.ZERO);
      return new PacketClients(List.of(shop), (role, name) -> PacketConnection.builder());
    }

    @Bean
    public static PayloadCodec codec() {
      return new JacksonPayloadCodec(new JsonMapper());
    }
  }

  /** The answer of a Kotlin suspend function: {@code suspend fun quote(item: String): Quote}. */
  public record Quote(String item) {}

  public interface Quotes {
    @PacketExchange(type = 1)
    Object quote(String item, kotlin.coroutines.Continuation<? super Quote> continuation);
  }

  @Test
  void aSuspendFunctionsAnswerTypeIsHinted() {
    RuntimeHints hints = new RuntimeHints();

    PacketExchangeAotProcessor.register(hints, Quotes.class);

    // its declared type is Object: the answer's type is its continuation's type argument
    assertThat(RuntimeHintsPredicates.reflection().onType(Quote.class)).accepts(hints);
  }

  @Test
  void theProxyAndThePayloadTypesAreHinted() {
    DefaultGenerationContext generation = generate(new InMemoryGeneratedFiles());
    RuntimeHints hints = generation.getRuntimeHints();

    assertThat(RuntimeHintsPredicates.proxies().forInterfaces(Orders.class)).accepts(hints);
    assertThat(RuntimeHintsPredicates.reflection().onType(Order.class)).accepts(hints);
    assertThat(RuntimeHintsPredicates.reflection().onType(Receipt.class)).accepts(hints);
    assertThat(RuntimeHintsPredicates.reflection().onType(ExchangeServer.Problem.class))
        .rejects(hints);
  }

  @Test
  void theGeneratedCodeCompilesAndMakesTheExchangeBean(@TempDir Path dir) throws Exception {
    InMemoryGeneratedFiles files = new InMemoryGeneratedFiles();
    ClassName[] initializerName = new ClassName[1];
    DefaultGenerationContext generation = generate(files, initializerName);
    generation.writeGeneratedContent();
    Map<String, InputStreamSource> sources = files.getGeneratedFiles(Kind.SOURCE);
    assertThat(String.join("\n", read(sources).values()))
        .contains("PacketExchangeFactoryBean", "Orders.class");

    Path src = Files.createDirectories(dir.resolve("src"));
    Path out = Files.createDirectories(dir.resolve("classes"));
    List<String> args =
        new ArrayList<>(
            List.of(
                "-d", out.toString(), "-proc:none", "-cp", System.getProperty("java.class.path")));
    for (Map.Entry<String, String> source : read(sources).entrySet()) {
      Path file = src.resolve(source.getKey());
      Files.createDirectories(file.getParent());
      Files.writeString(file, source.getValue());
      args.add(file.toString());
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertThat(javac.run(null, null, null, args.toArray(String[]::new))).isZero();

    try (URLClassLoader loader =
            new URLClassLoader(new URL[] {out.toUri().toURL()}, getClass().getClassLoader());
        GenericApplicationContext context = new GenericApplicationContext()) {
      @SuppressWarnings("unchecked")
      ApplicationContextInitializer<GenericApplicationContext> initializer =
          (ApplicationContextInitializer<GenericApplicationContext>)
              loader
                  .loadClass(initializerName[0].reflectionName())
                  .getDeclaredConstructor()
                  .newInstance();
      context.setClassLoader(loader);
      initializer.initialize(context);
      context.refresh();

      assertThat(context.getBean(Orders.class).toString()).contains("Orders", "shop");
    }
  }

  private static DefaultGenerationContext generate(InMemoryGeneratedFiles files) {
    return generate(files, new ClassName[1]);
  }

  /** Processes {@link AotApp}; {@code initializer[0]} is the initializer it generates. */
  private static DefaultGenerationContext generate(
      InMemoryGeneratedFiles files, ClassName[] initializer) {
    GenericApplicationContext context = new GenericApplicationContext();
    AnnotationConfigUtils.registerAnnotationConfigProcessors(context);
    context.registerBean(AotApp.class);
    DefaultGenerationContext generation =
        new DefaultGenerationContext(new ClassNameGenerator(ClassName.get(AotApp.class)), files);
    initializer[0] = new ApplicationContextAotGenerator().processAheadOfTime(context, generation);
    return generation;
  }

  private static Map<String, String> read(Map<String, InputStreamSource> files) throws IOException {
    Map<String, String> text = new java.util.TreeMap<>();
    for (Map.Entry<String, InputStreamSource> f : files.entrySet()) {
      try (InputStream in = f.getValue().getInputStream()) {
        text.put(
            f.getKey(), new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
      }
    }
    return text;
  }
}
