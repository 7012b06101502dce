package io.packetstream.spring.handler;

import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedArrayType;
import java.lang.reflect.AnnotatedParameterizedType;
import java.lang.reflect.AnnotatedType;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.context.MessageSourceResolvable;
import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.MethodParameter;
import org.springframework.core.annotation.MergedAnnotationPredicates;
import org.springframework.core.annotation.MergedAnnotations;
import org.springframework.util.ClassUtils;
import org.springframework.validation.Errors;
import org.springframework.validation.FieldError;
import org.springframework.validation.ObjectError;
import org.springframework.validation.SimpleErrors;
import org.springframework.validation.SmartValidator;
import org.springframework.validation.Validator;
import org.springframework.validation.annotation.ValidationAnnotationUtils;
import org.springframework.validation.beanvalidation.MethodValidationAdapter;
import org.springframework.validation.method.MethodValidationResult;
import org.springframework.validation.method.MethodValidator;
import org.springframework.validation.method.ParameterErrors;
import org.springframework.validation.method.ParameterValidationResult;

/**
 * How a payload is checked before its handler method runs, with the application's {@link Validator}
 * (Boot's {@code defaultValidator}): an object the codec decoded, and bytes, text or a buffer by
 * constraints of their own.
 *
 * <p>A payload parameter annotated {@code @Valid} (or {@code @Validated} with groups) is validated
 * as a bean, as Spring MVC validates a {@code @RequestBody}. One with Bean Validation constraints
 * of its own ({@code @NotBlank String}, {@code @Size(max = 10) List<...>}), constraints on its
 * elements ({@code List<@Valid Order>}), or {@code @Valid} on a container ({@code @Valid
 * List<Order>}) is validated as a method parameter, through Spring's {@link
 * MethodValidationAdapter} over the same validator, as Spring MVC's method validation does; only
 * this parameter's results count. Every failure is the peer's mistake: a {@link
 * BadRequestException} naming each path below the payload ({@code count}, {@code [1].item}), or the
 * parameter's name for the payload itself.
 *
 * <p>The starter does not compile against Bean Validation (it is optional): the adapter is made
 * reflectively around the validator's own {@code jakarta.validation.Validator}.
 */
final class PayloadValidation {

  private static final ClassLoader LOADER = PayloadValidation.class.getClassLoader();
  private static final String CONSTRAINT = "jakarta.validation.Constraint";
  private static final String VALID = "jakarta.validation.Valid";
  private static final String BEAN_VALIDATOR = "jakarta.validation.Validator";
  private static final boolean BEAN_VALIDATION = ClassUtils.isPresent(BEAN_VALIDATOR, LOADER);

  /** Checks one non-null payload; throws a {@link BadRequestException} if it fails. */
  @FunctionalInterface
  interface Check {
    void check(Object value);
  }

  private final @Nullable Validator validator;
  private @Nullable MethodValidator methods;
  private boolean methodsMade;

  /** Checks with {@code validator}; null when the application has none. */
  PayloadValidation(@Nullable Validator validator) {
    this.validator = validator;
  }

  /**
   * The check of {@code parameter} of {@code bean}'s handler method, or null when it asks for none;
   * null after recording a problem when it asks for one this validator cannot make.
   */
  @Nullable Check check(
      Object bean,
      MethodParameter parameter,
      String name,
      String which,
      String description,
      List<String> problems) {
    Object[] hints = hints(parameter);
    boolean constrained = constrained(parameter);
    if (!constrained && (hints == null || isRaw(parameter.getParameterType()))) {
      // bytes and text have no fields: only constraints of their own mean something
      return null;
    }
    if (validator == null) {
      problems.add(
          description
              + ": "
              + which
              + " asks for validation, and there is no"
              + " Validator bean (add spring-boot-starter-validation)");
      return null;
    }
    String parameterName = parameterName(parameter);
    if (!constrained) {
      Validator v = validator;
      return value -> validateBean(v, value, name, parameterName, hints);
    }
    MethodValidator adapter = methodValidator();
    if (adapter == null) {
      problems.add(
          description
              + ": "
              + which
              + " has Bean Validation constraints of its own or on its elements, which the"
              + " Validator bean ("
              + validator.getClass().getName()
              + ") cannot check: it is not a Bean Validation validator (add"
              + " spring-boot-starter-validation and use Boot's)");
      return null;
    }
    Method method = parameter.getMethod();
    int index = parameter.getParameterIndex();
    int count = method.getParameterCount();
    MethodParameter[] parameters = new MethodParameter[count];
    for (int i = 0; i < count; i++) {
      parameters[i] = new MethodParameter(method, i);
    }
    Class<?>[] groups =
        hints == null
            ? new Class<?>[0]
            : Arrays.stream(hints)
                .filter(Class.class::isInstance)
                .map(Class.class::cast)
                .toArray(Class<?>[]::new);
    return value -> {
      // the other arguments are not known yet, nor this check's business: their results are ignored
      Object[] arguments = new Object[count];
      arguments[index] = value;
      MethodValidationResult result =
          adapter.validateArguments(bean, method, parameters, arguments, groups);
      List<BadRequestException.Violation> failures = new ArrayList<>();
      for (ParameterValidationResult r : result.getParameterValidationResults()) {
        if (r.getMethodParameter().getParameterIndex() == index) {
          describe(r, parameterName, failures);
        }
      }
      fail(name, failures);
    };
  }

  private static boolean isRaw(Class<?> type) {
    return type == String.class || type == byte[].class || ByteBuffer.class.isAssignableFrom(type);
  }

  /**
   * The validation hints of {@code parameter} ({@code @Valid}, {@code @Validated} with its groups,
   * or an annotation named {@code Valid...}), or null when it asks for no validation.
   */
  static Object @Nullable [] hints(MethodParameter parameter) {
    for (Annotation a : parameter.getParameterAnnotations()) {
      Object[] hints = ValidationAnnotationUtils.determineValidationHints(a);
      if (hints != null) {
        return hints;
      }
    }
    return null;
  }

  /**
   * Whether Bean Validation must check {@code parameter} as a method parameter: it has constraints
   * of its own (meta-annotated {@code @Constraint}), constraints or {@code @Valid} on its type
   * arguments or array elements, or {@code @Valid} on a container type (whose elements a bean
   * validation of the container itself would not reach).
   */
  static boolean constrained(MethodParameter parameter) {
    if (!BEAN_VALIDATION) {
      return false;
    }
    MergedAnnotations own = MergedAnnotations.from(parameter.getParameterAnnotations());
    if (own.stream().anyMatch(MergedAnnotationPredicates.typeIn(CONSTRAINT))) {
      return true;
    }
    Class<?> type = parameter.getParameterType();
    if (own.isPresent(VALID)
        && (Iterable.class.isAssignableFrom(type)
            || Map.class.isAssignableFrom(type)
            || type.isArray())) {
      return true;
    }
    return elementsConstrained(parameter.getParameter().getAnnotatedType());
  }

  private static boolean elementsConstrained(AnnotatedType type) {
    List<AnnotatedType> elements = new ArrayList<>();
    if (type instanceof AnnotatedParameterizedType p) {
      elements.addAll(List.of(p.getAnnotatedActualTypeArguments()));
    } else if (type instanceof AnnotatedArrayType a) {
      elements.add(a.getAnnotatedGenericComponentType());
    }
    for (AnnotatedType element : elements) {
      MergedAnnotations annotations = MergedAnnotations.from(element.getAnnotations());
      if (annotations.stream().anyMatch(MergedAnnotationPredicates.typeIn(CONSTRAINT, VALID))
          || elementsConstrained(element)) {
        return true;
      }
    }
    return false;
  }

  /** The method validator over the application's Bean Validation validator, or null. */
  private synchronized @Nullable MethodValidator methodValidator() {
    if (!methodsMade) {
      methodsMade = true;
      methods = adapter(validator);
    }
    return methods;
  }

  private static @Nullable MethodValidator adapter(@Nullable Validator validator) {
    if (!BEAN_VALIDATION || !(validator instanceof SmartValidator smart)) {
      return null;
    }
    try {
      Class<?> type = ClassUtils.forName(BEAN_VALIDATOR, LOADER);
      Object target = smart.unwrap(type);
      if (target == null) {
        return null;
      }
      return MethodValidationAdapter.class.getConstructor(type).newInstance(target);
    } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
      // not a Bean Validation validator underneath
      return null;
    }
  }

  private static String parameterName(MethodParameter parameter) {
    MethodParameter named = new MethodParameter(parameter);
    named.initParameterNameDiscovery(new DefaultParameterNameDiscoverer());
    String name = named.getParameterName();
    return name != null ? name : "parameter " + parameter.getParameterIndex();
  }

  private static void validateBean(
      Validator validator, Object value, String name, String parameterName, Object[] hints) {
    Errors errors = new PathErrors(value, parameterName);
    if (hints.length > 0 && validator instanceof SmartValidator smart) {
      smart.validate(value, errors, hints);
    } else {
      validator.validate(value, errors);
    }
    List<BadRequestException.Violation> failures = new ArrayList<>();
    errors(errors, "", parameterName, failures);
    fail(name, failures);
  }

  /**
   * Errors of a payload that take a field error's path as Bean Validation gives it: Spring's {@link
   * SimpleErrors} reads the rejected value of a field of the payload itself, and cannot read one
   * deeper ({@code size.width}, {@code orders[0].item}), where it would throw; the answer names the
   * path, never the value, so a value it cannot read is left out.
   */
  private static final class PathErrors extends SimpleErrors {

    private static final long serialVersionUID = 1L;

    PathErrors(Object target, String name) {
      super(target, name);
    }

    @Override
    public @Nullable Object getFieldValue(String field) {
      try {
        return super.getFieldValue(field);
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
  }

  /** Adds one line per error of {@code r}, each named by its path below the payload. */
  private static void describe(
      ParameterValidationResult r,
      String parameterName,
      List<BadRequestException.Violation> failures) {
    String element = "";
    if (r.getContainerIndex() != null) {
      element = "[" + r.getContainerIndex() + "]";
    } else if (r.getContainerKey() != null) {
      element = "[" + r.getContainerKey() + "]";
    } else if (r.getContainer() != null && r.getContainer() != r.getArgument()) {
      // an element of a container without index or key: a set's
      element = "[]";
    }
    if (r instanceof ParameterErrors errors) {
      errors(errors, element, parameterName, failures);
      return;
    }
    for (MessageSourceResolvable e : r.getResolvableErrors()) {
      failures.add(
          new BadRequestException.Violation(
              element.isEmpty() ? parameterName : element, String.valueOf(e.getDefaultMessage())));
    }
  }

  private static void errors(
      Errors errors,
      String element,
      String parameterName,
      List<BadRequestException.Violation> failures) {
    for (ObjectError e : errors.getAllErrors()) {
      String path;
      if (e instanceof FieldError f) {
        path = element.isEmpty() ? f.getField() : element + "." + f.getField();
      } else {
        path = element.isEmpty() ? parameterName : element;
      }
      failures.add(new BadRequestException.Violation(path, String.valueOf(e.getDefaultMessage())));
    }
  }

  private static void fail(String name, List<BadRequestException.Violation> failures) {
    if (!failures.isEmpty()) {
      List<BadRequestException.Violation> sorted =
          failures.stream()
              .distinct()
              .sorted(
                  Comparator.comparing(BadRequestException.Violation::path)
                      .thenComparing(BadRequestException.Violation::message))
              .toList();
      throw new BadRequestException(
          "invalid "
              + name
              + ": "
              + sorted.stream()
                  .map(v -> v.path() + ": " + v.message())
                  .collect(Collectors.joining("; ")),
          null,
          sorted);
    }
  }
}
