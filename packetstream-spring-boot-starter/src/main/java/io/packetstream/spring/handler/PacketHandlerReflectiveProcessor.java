package io.packetstream.spring.handler;

import io.packetstream.connection.PacketConnection;
import io.packetstream.connection.Reply;
import io.packetstream.connection.Request;
import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import org.springframework.aot.hint.BindingReflectionHintsRegistrar;
import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.ReflectionHints;
import org.springframework.aot.hint.annotation.SimpleReflectiveProcessor;
import org.springframework.core.GenericTypeResolver;
import org.springframework.core.MethodParameter;
import org.springframework.core.ResolvableType;
import org.springframework.validation.beanvalidation.MethodValidationAdapter;

/**
 * The native-image hints of a {@link PacketHandler} or {@link PacketExceptionHandler} method: the
 * method itself, to be invoked, and the payload types the codec binds (parameters and results,
 * through stages, reactive types and arrays), as Spring's {@code @MessageMapping} processor does;
 * and, for a payload with constraints of its own, the method validator {@link PayloadValidation}
 * makes.
 */
final class PacketHandlerReflectiveProcessor extends SimpleReflectiveProcessor {

  private final BindingReflectionHintsRegistrar bindings = new BindingReflectionHintsRegistrar();

  @Override
  protected void registerMethodHint(ReflectionHints hints, Method method) {
    super.registerMethodHint(hints, method);
    registerPayloadHints(hints, method, method.getDeclaringClass());
  }

  /**
   * The hints of {@code method}'s payload types as a method of {@code containing}, whose type
   * arguments fill in the type variables of a method inherited from a generic class.
   */
  void registerPayloadHints(ReflectionHints hints, Method method, Class<?> containing) {
    for (int i = 0; i < method.getParameterCount(); i++) {
      MethodParameter p = new MethodParameter(method, i).withContainingClass(containing);
      if (!p.hasParameterAnnotation(PacketFlags.class) && isPayload(p.getParameterType())) {
        bind(hints, StandardArguments.payloadType(p));
      }
      if (PayloadValidation.constrained(p)) {
        // PayloadValidation makes the adapter reflectively: Bean Validation is optional
        hints.registerType(
            MethodValidationAdapter.class, MemberCategory.INVOKE_PUBLIC_CONSTRUCTORS);
      }
    }
    ResolvableType result = ResolvableType.forMethodReturnType(method, containing);
    // a stage, Mono or Flux: the value inside is what the codec writes
    while (result.hasGenerics()
        && !Iterable.class.isAssignableFrom(result.toClass())
        && !java.util.Map.class.isAssignableFrom(result.toClass())) {
      result = result.getGeneric(0);
    }
    if (isPayload(result.toClass())) {
      bind(hints, GenericTypeResolver.resolveType(result.getType(), containing));
    }
  }

  /**
   * Registers {@code type} for binding, and an array's element type too, which Spring's registrar
   * leaves out: the codec makes {@code Order[]} of {@code Order}s.
   */
  private void bind(ReflectionHints hints, Type type) {
    bindings.registerReflectionHints(hints, type);
    ResolvableType t = ResolvableType.forType(type);
    if (t.isArray()) {
      bind(hints, t.getComponentType().getType());
    }
  }

  /** Whether values of {@code type} go through the codec. */
  private static boolean isPayload(Class<?> type) {
    return !(type.isPrimitive()
        || type == void.class
        || type == Void.class
        || type == byte[].class
        || type == String.class
        || type == ByteBuffer.class
        || type == Long.class
        || type == Integer.class
        || type == Object.class
        || Throwable.class.isAssignableFrom(type)
        || Reply.class.isAssignableFrom(type)
        || type == Request.class
        || type == RequestContext.class
        || type == PacketReply.class
        || type == PacketConnection.class
        || type == PacketHandlerMethod.class
        || type.getName().equals("kotlin.coroutines.Continuation"));
  }
}
