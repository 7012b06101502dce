package io.packetstream.test.autoconfigure;

import io.packetstream.test.PacketStreamTester;
import org.springframework.context.ApplicationContext;
import org.springframework.core.Ordered;
import org.springframework.test.context.TestContext;
import org.springframework.test.context.support.AbstractTestExecutionListener;

/**
 * Resets every {@link PacketStreamTester} bean after each test method, so that a context cached for
 * several tests hands each a tester with no connection, answers or received requests left over from
 * the one before.
 */
final class PacketStreamTesterResetTestExecutionListener extends AbstractTestExecutionListener {

  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE - 100;
  }

  @Override
  public void afterTestMethod(TestContext testContext) {
    if (!testContext.hasApplicationContext()) {
      return;
    }
    ApplicationContext context = testContext.getApplicationContext();
    for (String name : context.getBeanNamesForType(PacketStreamTester.class, false, false)) {
      context.getBean(name, PacketStreamTester.class).reset();
    }
  }
}
