package io.packetstream.spring.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.beans.PropertyDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.springframework.beans.BeanUtils;
import org.springframework.beans.BeanWrapperImpl;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Keeps {@code docs/reference/properties.md} equal to what the configuration processor recorded
 * about the starter's properties, plus the properties of map values ({@code
 * packetstream.clients.NAME.*}), which configuration metadata cannot describe. Run with {@code
 * -Dpacketstream.docs.write=true} to write the page instead of checking it.
 */
class PropertyReferenceTest {

  private static final Path METADATA =
      Path.of("target/classes/META-INF/spring-configuration-metadata.json");
  private static final Path PAGE = Path.of("../docs/reference/properties.md");

  /** Descriptions of the map values' properties, which the metadata lacks: property = text. */
  private static final String MAP_VALUE_DESCRIPTIONS = "map-value-properties.properties";

  private static final String MAP_TYPE_PREFIX = "java.util.Map<java.lang.String,";
  private static final String REGENERATE =
      "mvn -B -q -pl packetstream-spring-boot-starter -am test -Dtest=PropertyReferenceTest"
          + " -Dsurefire.failIfNoSpecifiedTests=false -Dpacketstream.docs.write=true";

  @Test
  void thePropertyReferenceAgreesWithTheConfigurationMetadata() throws IOException {
    String page = render(rows());
    if (Boolean.getBoolean("packetstream.docs.write")) {
      Files.createDirectories(PAGE.getParent());
      Files.writeString(PAGE, page, StandardCharsets.UTF_8);
    }
    assertThat(Files.exists(PAGE))
        .as("%s is missing; write it with: %s", PAGE, REGENERATE)
        .isTrue();
    assertThat(Files.readString(PAGE, StandardCharsets.UTF_8))
        .as(
            "%s disagrees with the configuration metadata; regenerate it with: %s",
            PAGE, REGENERATE)
        .isEqualTo(page);
  }

  @Test
  void everyMapValuePropertyHasADescriptionAndEveryDescriptionAProperty() throws IOException {
    Properties descriptions = mapValueDescriptions();
    Set<String> documented = new TreeSet<>();
    for (Row row : rows()) {
      if (row.mapValue()) {
        documented.add(row.name());
      }
    }
    assertThat(documented)
        .as(
            "map-value properties need a line in %s (property = description)",
            MAP_VALUE_DESCRIPTIONS)
        .isSubsetOf(descriptions.stringPropertyNames());
    assertThat(descriptions.stringPropertyNames())
        .as("%s describes properties that no longer exist", MAP_VALUE_DESCRIPTIONS)
        .isSubsetOf(documented);
  }

  /**
   * The IDE shows each bound property's default as the binder makes it: a default the annotation
   * processor cannot read (a core constant) is given in the additional metadata, and must agree.
   */
  @Test
  void everyPropertyWithADefaultHasItInTheIdeMetadata() throws IOException {
    JsonNode metadata = JsonMapper.builder().build().readTree(METADATA.toFile());
    List<String> missing = new ArrayList<>();
    for (JsonNode property : metadata.path("properties")) {
      String name = property.path("name").asString();
      if (property.has("deprecation")
          || property.path("type").asString("").startsWith(MAP_TYPE_PREFIX)) {
        continue;
      }
      String bound = boundDefault(metadata, name);
      String shown =
          property.hasNonNull("defaultValue") ? format(property.get("defaultValue")) : "";
      if (!bound.isEmpty() && !bound.equals(shown)) {
        missing.add(name + ": bound " + bound + ", shown " + (shown.isEmpty() ? "nothing" : shown));
      }
    }
    assertThat(missing).isEmpty();
  }

  /** One line of the table. */
  private record Row(String name, String defaultValue, String description, boolean mapValue) {}

  private static List<Row> rows() throws IOException {
    JsonNode metadata = JsonMapper.builder().build().readTree(METADATA.toFile());
    Properties descriptions = mapValueDescriptions();
    List<Row> rows = new ArrayList<>();
    for (JsonNode property : metadata.path("properties")) {
      String name = property.path("name").asString();
      String type = property.path("type").asString("");
      if (type.startsWith(MAP_TYPE_PREFIX) && type.endsWith(">")) {
        String valueType = type.substring(MAP_TYPE_PREFIX.length(), type.length() - 1);
        addMapValueRows(rows, name + ".NAME", loadClass(valueType), descriptions);
        continue;
      }
      String defaultValue =
          property.hasNonNull("defaultValue")
              ? format(property.get("defaultValue"))
              : boundDefault(metadata, name);
      rows.add(new Row(name, defaultValue, description(property), false));
    }
    rows.sort(Comparator.comparing(Row::name));
    return rows;
  }

  /**
   * A property's description; for a renamed one (its metadata has a deprecation and no
   * description), its replacement and the reason.
   */
  private static String description(JsonNode property) {
    String description = property.path("description").asString("");
    JsonNode deprecation = property.path("deprecation");
    if (!description.isEmpty() || !deprecation.has("replacement")) {
      return description;
    }
    String reason = deprecation.path("reason").asString("");
    return "Renamed: use `"
        + deprecation.path("replacement").asString()
        + "`"
        + (reason.isEmpty() ? "." : ". " + reason);
  }

  /** The leaves of a map value's type, found by reflection as the binder finds them. */
  private static void addMapValueRows(
      List<Row> rows, String prefix, Class<?> type, Properties descriptions) {
    Object instance = BeanUtils.instantiateClass(type);
    BeanWrapperImpl wrapper = new BeanWrapperImpl(instance);
    for (PropertyDescriptor descriptor : BeanUtils.getPropertyDescriptors(type)) {
      if (descriptor.getReadMethod() == null || descriptor.getName().equals("class")) {
        continue;
      }
      String name = prefix + "." + kebab(descriptor.getName());
      Class<?> propertyType = descriptor.getPropertyType();
      if (isNested(propertyType)) {
        addMapValueRows(rows, name, propertyType, descriptions);
      } else if (descriptor.getWriteMethod() != null) {
        Object value = wrapper.getPropertyValue(descriptor.getName());
        rows.add(new Row(name, format(value), descriptions.getProperty(name, ""), true));
      }
    }
  }

  /** A type of the application's own (not an enum) is a group of further properties. */
  private static boolean isNested(Class<?> type) {
    return type.getName().startsWith("io.packetstream.") && !type.isEnum();
  }

  /**
   * The default of a property whose metadata has none (its field starts from a constant of the
   * core): the value of a freshly bound instance of its {@code @ConfigurationProperties} class.
   */
  private static String boundDefault(JsonNode metadata, String name) {
    for (JsonNode group : metadata.path("groups")) {
      String prefix = group.path("name").asString();
      if (group.has("sourceMethod") || !name.startsWith(prefix + ".")) {
        continue;
      }
      Class<?> type = loadClass(group.path("type").asString());
      Object bound;
      try {
        bound =
            new Binder(new MapConfigurationPropertySource())
                .bindOrCreate(prefix, Bindable.of(type));
      } catch (RuntimeException notABindableGroup) {
        continue; // e.g. an endpoint's group: its properties' defaults are in the metadata
      }
      String path = camelPath(name.substring(prefix.length() + 1));
      BeanWrapperImpl wrapper = new BeanWrapperImpl(bound);
      if (wrapper.isReadableProperty(path)) {
        return format(wrapper.getPropertyValue(path));
      }
    }
    return "";
  }

  private static String format(Object value) {
    if (value instanceof JsonNode node) {
      return node.isString() ? node.asString() : node.toString();
    }
    if (value == null) {
      return "";
    }
    if (value instanceof Duration duration) {
      return formatDuration(duration);
    }
    if (value instanceof DataSize size) {
      return formatSize(size);
    }
    if (value instanceof Enum<?> constant) {
      return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
    if (value instanceof Collection<?> collection && collection.isEmpty()) {
      return "";
    }
    return value.toString();
  }

  private static String formatDuration(Duration duration) {
    if (duration.isZero()) {
      return "0";
    }
    long nanos = duration.toNanos();
    if (nanos % 1_000_000_000L == 0) {
      long seconds = duration.toSeconds();
      return seconds % 60 == 0 ? seconds / 60 + "m" : seconds + "s";
    }
    if (nanos % 1_000_000L == 0) {
      return duration.toMillis() + "ms";
    }
    return nanos % 1_000L == 0 ? nanos / 1_000L + "us" : nanos + "ns";
  }

  private static String formatSize(DataSize size) {
    long bytes = size.toBytes();
    if (bytes != 0 && bytes % (1L << 30) == 0) {
      return size.toGigabytes() + "GB";
    }
    if (bytes != 0 && bytes % (1L << 20) == 0) {
      return size.toMegabytes() + "MB";
    }
    if (bytes != 0 && bytes % (1L << 10) == 0) {
      return size.toKilobytes() + "KB";
    }
    return bytes + "B";
  }

  private static String render(List<Row> rows) {
    StringBuilder page = new StringBuilder();
    page.append("# Property reference\n\n")
        .append(
            "<!-- Generated by PropertyReferenceTest (packetstream-spring-boot-starter) from the\n")
        .append("     configuration metadata; do not edit. Regenerate with:\n")
        .append("     ")
        .append(REGENERATE)
        .append("\n-->\n\n")
        .append(
            "Every property of the starter, with its default. The IDE completes them, each with its\n")
        .append("description, except those of map values such as `packetstream.clients.NAME.*`\n")
        .append(
            "(configuration metadata cannot describe a map's values). Durations take `10s`, `200ms`,\n")
        .append(
            "...; sizes `16MB`, `64KB`, ... An empty default means unset. Values a connection would\n")
        .append(
            "refuse stop the application at start-up, naming the property. What happens when a limit\n")
        .append("is reached: [core.md, Threads and limits](../core.md#threads-and-limits).\n\n");
    TreeMap<String, List<Row>> sections = new TreeMap<>();
    for (Row row : rows) {
      sections.computeIfAbsent(section(row.name()), key -> new ArrayList<>()).add(row);
    }
    sections.forEach(
        (section, sectionRows) -> {
          page.append("## `").append(section).append("`\n\n");
          page.append("| property | default | meaning |\n|---|---|---|\n");
          for (Row row : sectionRows) {
            page.append("| `")
                .append(row.name())
                .append("` | ")
                .append(row.defaultValue().isEmpty() ? "" : "`" + row.defaultValue() + "`")
                .append(" | ")
                .append(cell(row.description()))
                .append(" |\n");
          }
          page.append('\n');
        });
    return page.toString();
  }

  /** Tables by the first two segments of a name: {@code packetstream.server}, ... */
  private static String section(String name) {
    String[] parts = name.split("\\.");
    if (parts[0].equals("packetstream") && parts.length > 2) {
      return parts[0] + "." + parts[1] + ".*";
    }
    if (parts[0].equals("packetstream")) {
      return "packetstream.*";
    }
    return parts[0] + ".*";
  }

  private static String cell(String text) {
    return text.replace("\r", "").replace("\n", " ").replace("|", "\\|").strip();
  }

  private static String kebab(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
  }

  private static String camelPath(String kebabPath) {
    StringBuilder path = new StringBuilder();
    boolean upper = false;
    for (char c : kebabPath.toCharArray()) {
      if (c == '-') {
        upper = true;
      } else {
        path.append(upper ? Character.toUpperCase(c) : c);
        upper = false;
      }
    }
    return path.toString();
  }

  private static Class<?> loadClass(String name) {
    try {
      return Class.forName(name, false, PropertyReferenceTest.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(
          "the metadata names a type not on the class path: " + name, e);
    }
  }

  private static Properties mapValueDescriptions() {
    Properties descriptions = new Properties();
    try (InputStream in = PropertyReferenceTest.class.getResourceAsStream(MAP_VALUE_DESCRIPTIONS)) {
      if (in != null) {
        descriptions.load(new InputStreamReader(in, StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return descriptions;
  }
}
