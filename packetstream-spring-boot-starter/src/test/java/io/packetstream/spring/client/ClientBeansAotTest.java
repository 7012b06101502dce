package io.packetstream.spring.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.spring.autoconfigure.PacketStreamAutoConfiguration;
import io.packetstream.spring.autoconfigure.PacketStreamClientsAutoConfiguration;
import java.io.File;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.aot.generate.ClassNameGenerator;
import org.springframework.aot.generate.DefaultGenerationContext;
import org.springframework.aot.generate.GeneratedFiles.Kind;
import org.springframework.aot.generate.InMemoryGeneratedFiles;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.annotation.AnnotationConfigUtils;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.aot.ApplicationContextAotGenerator;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.io.InputStreamSource;
import org.springframework.javapoet.ClassName;

/**
 * An application with a configured client, processed ahead of time and then started from the
 * generated code as {@code -Dspring.aot.enabled=true} starts it: bean definition overriding off, as
 * Spring Boot has it, and the client bean defined once.
 */
class ClientBeansAotTest {

  /** The application: the starter's clients, configured by properties. */
  @Configuration(proxyBeanMethods = false)
  @ImportAutoConfiguration({
    PacketStreamAutoConfiguration.class,
    PacketStreamClientsAutoConfiguration.class
  })
  public static class ClientApp {}

  @Test
  void theGeneratedCodeStartsWithTheClientBeanAndItCalls(@TempDir Path dir) throws Exception {
    try (TestPeer peer = new TestPeer("billing-1")) {
      Map<String, Object> properties =
          Map.of(
              "packetstream.clients.billing.port",
              peer.port(),
              "packetstream.clients.billing.host",
              "127.0.0.1");

      GenericApplicationContext processed = context(properties);
      AnnotationConfigUtils.registerAnnotationConfigProcessors(processed);
      processed.registerBean(ClientApp.class);
      InMemoryGeneratedFiles files = new InMemoryGeneratedFiles();
      DefaultGenerationContext generation =
          new DefaultGenerationContext(
              new ClassNameGenerator(ClassName.get(ClientApp.class)), files);
      ClassName initializer =
          new ApplicationContextAotGenerator().processAheadOfTime(processed, generation);
      generation.writeGeneratedContent();

      compileAndDefine(files, dir);

      try (GenericApplicationContext context = context(properties)) {
        @SuppressWarnings("unchecked")
        ApplicationContextInitializer<GenericApplicationContext> init =
            (ApplicationContextInitializer<GenericApplicationContext>)
                Class.forName(initializer.reflectionName()).getDeclaredConstructor().newInstance();
        init.initialize(context);
        context.refresh();

        assertThat(context.getBeansOfType(PacketStreamClient.class))
            .containsOnlyKeys("billingPacketStreamClient");
        PacketStreamClient billing = context.getBean(PacketStreamClient.class);
        assertThat(billing.awaitConnected(Duration.ofSeconds(10))).isTrue();
        assertThat(billing.call(1, 0, new byte[0]).text()).isEqualTo("billing-1");
      }
    }
  }

  /** A context as Spring Boot makes one: these properties, and no bean definition overriding. */
  private static GenericApplicationContext context(Map<String, Object> properties) {
    GenericApplicationContext context = new GenericApplicationContext();
    context.setAllowBeanDefinitionOverriding(false);
    context
        .getEnvironment()
        .getPropertySources()
        .addFirst(new MapPropertySource("test", properties));
    return context;
  }

  /**
   * Compiles the generated sources and defines their classes in this test's class loader, each in
   * the runtime package of its package's classes, as the application's class path holds a build's
   * generated classes: they reach package-private types of the starter and of Spring Boot.
   */
  private static void compileAndDefine(InMemoryGeneratedFiles files, Path dir) throws Exception {
    Path src = Files.createDirectories(dir.resolve("src"));
    Path out = Files.createDirectories(dir.resolve("classes"));
    List<String> args =
        new ArrayList<>(
            List.of(
                "-d", out.toString(), "-proc:none", "-cp", System.getProperty("java.class.path")));
    for (Map.Entry<String, InputStreamSource> source :
        files.getGeneratedFiles(Kind.SOURCE).entrySet()) {
      Path file = src.resolve(source.getKey());
      Files.createDirectories(file.getParent());
      try (InputStream in = source.getValue().getInputStream()) {
        Files.writeString(file, new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
      args.add(file.toString());
    }
    assertThat(
            ToolProvider.getSystemJavaCompiler().run(null, null, null, args.toArray(String[]::new)))
        .isZero();
    List<String> names;
    try (Stream<Path> walk = Files.walk(out)) {
      names =
          walk.map(out::relativize)
              .map(Path::toString)
              .filter(f -> f.endsWith(".class"))
              .map(f -> f.substring(0, f.length() - 6).replace(File.separatorChar, '.'))
              .toList();
    }
    Map<String, MethodHandles.Lookup> packages = new HashMap<>();
    for (String name : names) {
      String simple = name.substring(name.lastIndexOf('.') + 1);
      String original = name.substring(0, name.lastIndexOf('.') + 1) + simple.split("__")[0];
      try {
        Class<?> anchor = Class.forName(original);
        packages.putIfAbsent(
            anchor.getPackageName(), MethodHandles.privateLookupIn(anchor, MethodHandles.lookup()));
      } catch (ClassNotFoundException e) {
        // a generated name of no class (an initializer's): another one names its package
      }
    }
    for (String name : names) {
      String pkg = name.substring(0, name.lastIndexOf('.'));
      assertThat(packages).as("a class of package %s", pkg).containsKey(pkg);
      packages
          .get(pkg)
          .defineClass(Files.readAllBytes(out.resolve(name.replace('.', '/') + ".class")));
    }
  }
}
