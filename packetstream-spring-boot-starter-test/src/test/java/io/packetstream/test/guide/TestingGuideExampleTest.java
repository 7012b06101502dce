package io.packetstream.test.guide;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The example of docs/starter.md's "Testing your handlers" is {@link WatchStoryTest}, which the
 * build compiles and runs: the page's class is that test's lines between its guide marks, and the
 * page's imports are among the test's, so the page cannot drift from code that compiles and passes.
 */
class TestingGuideExampleTest {

  private static final Path PAGE = Path.of("../docs/starter.md");
  private static final Path TEST =
      Path.of("src/test/java/io/packetstream/test/guide/WatchStoryTest.java");
  private static final String SECTION = "## Testing your handlers";

  @Test
  void thePagesTestingExampleIsTheTestThatRunsHere() throws IOException {
    List<String> block = firstJavaBlockOfSection(Files.readAllLines(PAGE));
    List<String> imports = block.stream().filter(l -> l.startsWith("import ")).toList();
    List<String> code =
        block.stream().filter(l -> !l.startsWith("import ") && !l.isBlank()).toList();
    List<String> test = Files.readAllLines(TEST);

    assertThat(code)
        .as("the class in the first Java example under '%s' of %s, against %s", SECTION, PAGE, TEST)
        .isEqualTo(guideLines(test));
    assertThat(test)
        .as("the imports of that example, each of which %s has", TEST)
        .containsAll(imports);
    assertThat(imports).as("the example's imports").isNotEmpty();
  }

  private static List<String> firstJavaBlockOfSection(List<String> page) {
    List<String> block = new ArrayList<>();
    boolean inSection = false;
    boolean inBlock = false;
    for (String line : page) {
      if (line.startsWith("## ")) {
        if (inSection) {
          break;
        }
        inSection = line.equals(SECTION);
      } else if (inSection && !inBlock && line.equals("```java")) {
        inBlock = true;
      } else if (inBlock && line.equals("```")) {
        return block;
      } else if (inBlock) {
        block.add(line);
      }
    }
    throw new AssertionError("no Java example under '" + SECTION + "' in " + PAGE);
  }

  /** The lines between guide:start and guide:end, without blank ones. */
  private static List<String> guideLines(List<String> lines) {
    List<String> guide = new ArrayList<>();
    boolean in = false;
    for (String line : lines) {
      String trimmed = line.strip();
      if (trimmed.equals("// guide:start")) {
        in = true;
      } else if (trimmed.equals("// guide:end")) {
        in = false;
      } else if (in && !line.isBlank()) {
        guide.add(line);
      }
    }
    assertThat(guide).as("the guide lines of %s", TEST).hasSizeGreaterThan(5);
    return guide;
  }
}
