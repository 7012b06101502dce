package io.packetstream.spring.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetstream.spring.autoconfigure.PacketStreamAutoConfiguration;
import io.packetstream.spring.autoconfigure.PacketStreamClientsAutoConfiguration;
import io.packetstream.spring.context.ConnectionRole;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.AbstractBeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The client beans of packetstream.clients: how they are defined, and when they are not. */
class ClientBeanRegistrarTest {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  PacketStreamAutoConfiguration.class, PacketStreamClientsAutoConfiguration.class))
          .withPropertyValues(
              "packetstream.clients.billing.port=1",
              "packetstream.clients.billing.reconnect.enabled=false");

  @Test
  void eachClientBeanIsMadeByTheRegistrysFactoryMethodNotBySupplier() {
    runner.run(
        context -> {
          AbstractBeanDefinition definition =
              (AbstractBeanDefinition)
                  context.getBeanFactory().getBeanDefinition("billingPacketStreamClient");
          assertThat(definition.getFactoryBeanName()).isEqualTo("packetClients");
          assertThat(definition.getFactoryMethodName()).isEqualTo("get");
          assertThat(definition.getInstanceSupplier()).isNull();
          assertThat(context.getBean("billingPacketStreamClient"))
              .isSameAs(context.getBean(PacketClients.class).get("billing"));
        });
  }

  @Test
  void anApplicationsOwnRegistryGetsNoClientBeansItDoesNotKnow() {
    runner
        .withBean(
            "myClients",
            PacketClients.class,
            () -> new PacketClients(List.of(), (ConnectionRole role, String name) -> null))
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context).getBeans(PacketStreamClient.class).isEmpty();
              assertThat(context)
                  .getBean(PacketClients.class)
                  .isSameAs(context.getBean("myClients"));
            });
  }
}
