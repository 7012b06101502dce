package io.packetstream.spring.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.packetstream.connection.ConnectionClosedException;
import io.packetstream.spring.autoconfigure.PacketStreamAutoConfiguration;
import io.packetstream.spring.autoconfigure.PacketStreamClientsAutoConfiguration;
import io.packetstream.spring.handler.PacketFlags;
import java.io.UncheckedIOException;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.support.AbstractBeanDefinition;
import org.springframework.boot.LazyInitializationBeanFactoryPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.core.ResolvableType;

/**
 * How exchange interfaces become beans, and how a bad one is refused at start-up: with the method
 * named, before any request could go out.
 */
class PacketExchangeRegistrationTest {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  PacketStreamAutoConfiguration.class, PacketStreamClientsAutoConfiguration.class))
          .withPropertyValues(
              "packetstream.clients.shop.host=127.0.0.1",
              "packetstream.clients.shop.port=1",
              "packetstream.clients.shop.reconnect.enabled=false");

  /** Every way a method can be unmappable. */
  public interface Bad {
    @PacketExchange(type = 1)
    String twoPayloads(String a, String b);

    @PacketExchange(type = 2)
    String textFlags(@PacketFlags String flags);

    String notAnnotated(String a);

    @PacketExchange(type = 3)
    Future<String> plainFuture(String a);

    @PacketExchange(type = 4)
    Stream<String> stream(String a);

    @PacketExchange(type = 5)
    String number(long n);

    @PacketExchange(type = -1)
    void negativeType();

    /** A Kotlin {@code Flow}: passed start-up, then failed every call. */
    @PacketExchange(type = 6)
    kotlinx.coroutines.flow.Flow<String> flow(String a);

    @PacketExchange(type = 7)
    reactor.core.publisher.Flux<String> flux(String a);
  }

  @Configuration(proxyBeanMethods = false)
  @ImportPacketExchanges(client = "shop", types = Bad.class)
  static class ImportsBad {}

  @Configuration(proxyBeanMethods = false)
  @ImportPacketExchanges(client = "shop", types = Orders.class)
  @ImportPacketExchanges(client = "nobody", types = Lowercase.class)
  static class ImportsForAClientThatIsNot {}

  @Configuration(proxyBeanMethods = false)
  @ImportPacketExchanges(
      client = "shop",
      types = {Orders.class, Lowercase.class})
  static class ImportsTwo {}

  @Configuration(proxyBeanMethods = false)
  @ImportPacketExchanges(client = "shop", types = String.class)
  static class ImportsAClass {}

  @Test
  void anUnmappableInterfaceFailsStartUpNamingEachMethod() {
    runner
        .withUserConfiguration(ImportsBad.class)
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(context.getStartupFailure())
                  .rootCause()
                  .isInstanceOfSatisfying(
                      InvalidPacketExchangeException.class,
                      e ->
                          assertThat(String.join("\n", e.problems()))
                              .contains(
                                  "Bad.twoPayloads(String, String): more than one parameter is the payload",
                                  "Bad.textFlags(String): @PacketFlags parameter 0 must be long or int",
                                  "Bad.notAnnotated(String): has no @PacketExchange",
                                  "Bad.plainFuture(String): returns Future",
                                  "Bad.stream(String): the answer's type Stream is single-use",
                                  "Bad.number(long): parameter 0 (long) is a number: annotate it @PacketFlags",
                                  "Bad.negativeType(): request type -1 is out of range",
                                  "Bad.flow(String): the answer's type Flow is not data",
                                  "Bad.flux(String): returns Flux, but an answer is one payload"));
            });
  }

  @Test
  void theFailureAnalysisListsTheProblemsAndSaysWhatIsMapped() {
    runner
        .withUserConfiguration(ImportsBad.class)
        .run(
            context -> {
              FailureAnalysis analysis =
                  new PacketExchangeFailureAnalyzer().analyze(context.getStartupFailure());
              assertThat(analysis).isNotNull();
              assertThat(analysis.getDescription())
                  .contains("Bad.twoPayloads(String, String)", "Bad.negativeType()");
              assertThat(analysis.getAction()).contains("@PacketExchange(type = ...)");
            });
  }

  @Test
  void theFactoryRefusesABadInterfaceAsTheContextDoes() {
    PacketExchangeProxyFactory factory = new PacketExchangeProxyFactory(null);

    assertThatThrownBy(() -> factory.validate(Bad.class))
        .isInstanceOf(InvalidPacketExchangeException.class)
        .hasMessageContaining(Bad.class.getName());
    assertThatThrownBy(() -> factory.validate(Orders.class))
        .isInstanceOf(InvalidPacketExchangeException.class)
        .hasMessageContaining(
            "Orders.order(Order, long): parameter 0 (Order) needs a" + " PayloadCodec bean");
  }

  @Test
  void importedInterfacesAreFactoryBeansNamingTheInterfaceAndTheClient() {
    runner
        .withUserConfiguration(ImportsTwo.class)
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              AbstractBeanDefinition definition =
                  (AbstractBeanDefinition)
                      context.getBeanFactory().getBeanDefinition("shop." + Orders.class.getName());
              assertThat(definition.getBeanClass()).isEqualTo(PacketExchangeFactoryBean.class);
              assertThat(definition.getInstanceSupplier()).isNull();
              assertThat(definition.getResolvableType())
                  .isEqualTo(
                      ResolvableType.forClassWithGenerics(
                          PacketExchangeFactoryBean.class, Orders.class));
              assertThat(
                      definition
                          .getConstructorArgumentValues()
                          .getIndexedArgumentValue(0, Class.class)
                          .getValue())
                  .isEqualTo(Orders.class);
              assertThat(definition.getQualifier(Qualifier.class.getName()).getAttribute("value"))
                  .isEqualTo("shop");
              assertThat(context).getBean(Orders.class).isNotNull();
              assertThat(context).getBean(Lowercase.class).isNotNull();
            });
  }

  @Test
  void anInterfaceForAClientThatIsNotConfiguredFailsStartUp() {
    runner
        .withUserConfiguration(ImportsForAClientThatIsNot.class)
        .run(
            context ->
                assertThat(context.getStartupFailure())
                    .rootCause()
                    .hasMessageContaining("no packetstream client named 'nobody'"));
  }

  @Test
  void aMissingClientGetsAFailureAnalysisNamingItTheConfiguredClientsAndTheProperty() {
    runner
        .withUserConfiguration(ImportsForAClientThatIsNot.class)
        .run(
            context -> {
              assertThat(context).hasFailed();
              FailureAnalysis analysis =
                  new PacketExchangeFailureAnalyzer().analyze(context.getStartupFailure());
              assertThat(analysis).isNotNull();
              assertThat(analysis.getDescription())
                  .contains(
                      "@ImportPacketExchanges on " + ImportsForAClientThatIsNot.class.getName(),
                      "'nobody'",
                      "Configured clients: shop");
              assertThat(analysis.getAction()).contains("packetstream.clients.nobody.*");
            });
  }

  @Test
  void underLazyInitializationAnUnmappableInterfaceStillFailsStartUp() {
    lazy(runner)
        .withUserConfiguration(ImportsBad.class)
        .run(
            context -> {
              assertThat(context).hasFailed();
              FailureAnalysis analysis =
                  new PacketExchangeFailureAnalyzer().analyze(context.getStartupFailure());
              assertThat(analysis).isNotNull();
              assertThat(analysis.getDescription())
                  .contains("Bad.stream(String): the answer's type Stream is single-use");
            });
    lazy(runner)
        .withPropertyValues("packetstream.clients.shop.exchanges=" + Bad.class.getName())
        .run(
            context ->
                assertThat(context.getStartupFailure())
                    .rootCause()
                    .isInstanceOf(InvalidPacketExchangeException.class));
  }

  @Test
  void underLazyInitializationAMissingClientStillFailsStartUp() {
    lazy(runner)
        .withUserConfiguration(ImportsForAClientThatIsNot.class)
        .run(
            context -> {
              assertThat(context).hasFailed();
              FailureAnalysis analysis =
                  new PacketExchangeFailureAnalyzer().analyze(context.getStartupFailure());
              assertThat(analysis).isNotNull();
              assertThat(analysis.getAction()).contains("packetstream.clients.nobody.*");
            });
  }

  @Test
  void underLazyInitializationOtherBeansStayLazyAndGoodExchangesWork() {
    lazy(runner)
        .withUserConfiguration(ImportsTwo.class)
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(
                      context
                          .getBeanFactory()
                          .getBeanDefinition("shopPacketStreamClient")
                          .isLazyInit())
                  .isTrue();
              assertThat(context).getBean(Orders.class).isNotNull();
            });
  }

  /** {@code runner} as under {@code spring.main.lazy-initialization=true}. */
  private static ApplicationContextRunner lazy(ApplicationContextRunner runner) {
    return runner.withInitializer(
        context ->
            context.addBeanFactoryPostProcessor(new LazyInitializationBeanFactoryPostProcessor()));
  }

  @Test
  void aClassThatIsNotAnInterfaceIsRefused() {
    runner
        .withUserConfiguration(ImportsAClass.class)
        .run(
            context ->
                assertThat(NestedExceptionUtils.getMostSpecificCause(context.getStartupFailure()))
                    .hasMessageContaining("java.lang.String is not an interface")
                    .hasMessageContaining(ImportsAClass.class.getName()));
  }

  @Test
  void interfacesListedInAClientsPropertiesBecomeItsBeans() {
    runner
        .withPropertyValues(
            "packetstream.clients.shop.exchanges="
                + Orders.class.getName()
                + ", "
                + Lowercase.class.getName())
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context.getBeanNamesForType(Orders.class))
                  .containsExactly("shop." + Orders.class.getName());
              assertThat(context.getBeanNamesForType(Lowercase.class))
                  .containsExactly("shop." + Lowercase.class.getName());
            });
  }

  @Test
  void anExchangeOfAClientThatIsNotConnectedFailsAtOnceAndSaysSo() {
    runner
        .withUserConfiguration(ImportsTwo.class)
        .run(
            context -> {
              Orders orders = context.getBean(Orders.class);

              assertThatThrownBy(() -> orders.upper("x"))
                  .isInstanceOf(UncheckedIOException.class)
                  .hasMessageContaining("Orders.upper(String)")
                  .cause()
                  .isInstanceOf(ConnectionClosedException.class)
                  .hasMessageContaining("packetstream client shop is");
              assertThatThrownBy(() -> orders.orderLater(new ExchangeServer.Order("tea", 1)).join())
                  .cause()
                  .isInstanceOf(ConnectionClosedException.class);
            });
  }

  @Test
  void aClientWhoseNameNeedsBracketsGetsItsInterfacesToo() {
    new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(
                PacketStreamAutoConfiguration.class, PacketStreamClientsAutoConfiguration.class))
        .withPropertyValues(
            "packetstream.clients[front desk].port=1",
            "packetstream.clients[front desk].reconnect.enabled=false",
            "packetstream.clients[front desk].exchanges=" + Lowercase.class.getName())
        .run(
            context ->
                assertThat(context.getBeanNamesForType(Lowercase.class))
                    .containsExactly("front desk." + Lowercase.class.getName()));
  }

  @Test
  void aPropertyNamingNoClassOrABadInterfaceFailsStartUp() {
    runner
        .withPropertyValues("packetstream.clients.shop.exchanges=com.example.Missing")
        .run(
            context ->
                assertThat(context.getStartupFailure())
                    .rootCause()
                    .hasMessageContaining("com.example.Missing"));
    runner
        .withPropertyValues("packetstream.clients.shop.exchanges=" + Bad.class.getName())
        .run(
            context ->
                assertThat(context.getStartupFailure())
                    .rootCause()
                    .isInstanceOf(InvalidPacketExchangeException.class));
  }
}
