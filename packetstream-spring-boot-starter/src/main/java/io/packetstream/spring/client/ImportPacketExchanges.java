package io.packetstream.spring.client;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.context.annotation.Import;

/**
 * Registers a bean for each of {@link #types()}, interfaces of {@link PacketExchange} methods that
 * call the peer of the client named {@link #client()} ({@code packetstream.clients.NAME}). Each
 * bean is qualified by the client's name, so that the same interface can be imported for two
 * clients; an interface that cannot be mapped fails start-up, naming its methods.
 *
 * <pre>{@code
 * @Configuration
 * @ImportPacketExchanges(client = "billing", types = {Billing.class, Refunds.class})
 * class BillingClients {}
 * }</pre>
 *
 * <p>The same is possible without code: {@code
 * packetstream.clients.billing.exchanges=com.example.Billing}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Repeatable(ImportPacketExchanges.Container.class)
@Import(PacketExchangeRegistrar.class)
public @interface ImportPacketExchanges {

  /** The name of the client whose peer the interfaces call. */
  String client();

  /** The interfaces. */
  Class<?>[] types();

  /** Holds repeated {@link ImportPacketExchanges} annotations. */
  @Target(ElementType.TYPE)
  @Retention(RetentionPolicy.RUNTIME)
  @Documented
  @Import(PacketExchangeRegistrar.class)
  @interface Container {

    /** The repeated annotations. */
    ImportPacketExchanges[] value();
  }
}
