package io.packetstream.test.autoconfigure;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.test.autoconfigure.OverrideAutoConfiguration;
import org.springframework.boot.test.context.filter.annotation.TypeExcludeFilters;
import org.springframework.context.annotation.ComponentScan.Filter;
import org.springframework.core.annotation.AliasFor;
import org.springframework.test.context.BootstrapWith;
import org.springframework.test.context.junit.jupiter.SpringExtension;

/**
 * A test of an application's packetstream side only, as {@code @WebMvcTest} is of its MVC side: the
 * auto-configurations of {@link AutoConfigurePacketStream @AutoConfigurePacketStream} and, of the
 * application's own beans, only those that serve packetstream requests:
 *
 * <ul>
 *   <li>beans with {@code @PacketHandler} methods (or a {@code @PacketChannel});
 *   <li>{@code @PacketControllerAdvice} beans;
 *   <li>{@code PacketHandlerInterceptor}, {@code PacketArgumentResolver}, {@code
 *       PacketReturnValueHandler}, {@code PayloadCodec}, {@code PacketConnectionCustomizer} and
 *       {@code PacketStreamObservationConvention} beans;
 *   <li>Jackson modules and {@code @JacksonComponent} beans, which shape the JSON codec.
 * </ul>
 *
 * Other {@code @Component}s, {@code @Service}s and the web layer stay out: add what the handlers
 * need with {@code @Import} or {@code @MockitoBean}. No client is made, nor the
 * {@code @PacketExchange} interfaces {@code @ImportPacketExchanges} registers: mock those the
 * handlers call. The server listens on a free port ({@code packetstream.server.port=0}, which the
 * test's own properties may change), injected with {@link
 * io.packetstream.test.LocalPacketStreamServerPort @LocalPacketStreamServerPort}; a {@link
 * io.packetstream.test.PacketStreamTester} bean talks to it.
 *
 * <pre>{@code
 * @PacketStreamTest
 * class GreeterTest {
 *   @Autowired PacketStreamTester tester;
 *
 *   @Test
 *   void greets() {
 *     tester.request(1).payload("Ada").exchange().assertOk().assertPayload("hello Ada");
 *   }
 * }
 * }</pre>
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@BootstrapWith(PacketStreamTestContextBootstrapper.class)
@ExtendWith(SpringExtension.class)
@OverrideAutoConfiguration(enabled = false)
@TypeExcludeFilters(PacketStreamTypeExcludeFilter.class)
@AutoConfigurePacketStream
@ImportAutoConfiguration
public @interface PacketStreamTest {

  /** Properties ({@code key=value}) added to the environment for the test. */
  String[] properties() default {};

  /**
   * Whether the default includes listed above apply; {@link #includeFilters} and {@link
   * #excludeFilters} apply either way.
   */
  boolean useDefaultFilters() default true;

  /** Filters that add beans the slice would leave out. */
  Filter[] includeFilters() default {};

  /** Filters that leave out beans the slice would add. */
  Filter[] excludeFilters() default {};

  /** Auto-configurations to leave out of this test. */
  @AliasFor(annotation = ImportAutoConfiguration.class, attribute = "exclude")
  Class<?>[] excludeAutoConfiguration() default {};
}
