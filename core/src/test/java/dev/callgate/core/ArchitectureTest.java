package dev.callgate.core;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaConstructorCall;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import java.security.SecureRandom;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import org.junit.jupiter.api.Test;

/**
 * Core's dependency rules. Each rule is written for a root package so that it can be run both on
 * core's main classes (the {@link ArchTest} fields) and on the fixtures under {@code
 * dev.callgate.archfixture} (the {@link Test} methods), which prove that every rule bites.
 */
@AnalyzeClasses(
    packages = "dev.callgate.core",
    importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
  private static final String CORE = "dev.callgate.core";

  @ArchTest static final ArchRule core_should_depend_on_the_jdk_only = jdkOnly(CORE);

  @ArchTest
  static final ArchRule domain_should_not_depend_on_services = domainWithoutServices(CORE);

  @ArchTest
  static final ArchRule ports_should_be_interfaces_or_values = portsAreInterfacesOrValues(CORE);

  @ArchTest
  static final ArchRule core_should_take_time_from_the_clock_port = timeFromTheClockPort(CORE);

  @ArchTest
  static final ArchRule core_should_take_randomness_from_an_injected_source =
      randomnessInjected(CORE);

  static ArchRule jdkOnly(String root) {
    return classes()
        .that()
        .resideInAPackage(root + "..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage("java..", root + "..")
        .because("other teams embed core, so it brings nothing but the JDK along");
  }

  static ArchRule domainWithoutServices(String root) {
    return noClasses()
        .that()
        .resideInAnyPackage(
            root + ".credential..",
            root + ".token..",
            root + ".diagnosis..",
            root + ".callout..",
            root + ".refresh..",
            root + ".port..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage(root + ".service..")
        .because("the use cases are built on the domain, never the other way round");
  }

  static ArchRule portsAreInterfacesOrValues(String root) {
    return classes()
        .that()
        .resideInAPackage(root + ".port..")
        .and()
        .doNotHaveModifier(JavaModifier.SYNTHETIC)
        .should()
        .beInterfaces()
        .orShould()
        .beRecords()
        .orShould()
        .beEnums()
        .orShould()
        .beAssignableTo(Throwable.class)
        .because(
            "adapters implement the ports and exchange only values with the domain (and fail"
                + " with the ports' exceptions)");
  }

  static ArchRule timeFromTheClockPort(String root) {
    return noClasses()
        .that()
        .resideInAPackage(root + "..")
        .should()
        .callMethod(System.class, "currentTimeMillis")
        .orShould()
        .callMethod(System.class, "nanoTime")
        .orShould()
        .callMethodWhere(
            describe(
                "now() of a java.time type",
                (JavaMethodCall call) ->
                    call.getName().equals("now")
                        && call.getTargetOwner().getPackageName().equals("java.time")))
        .orShould()
        .dependOnClassesThat()
        .areAssignableTo(java.time.Clock.class)
        .because("time comes from the Clock port, so that tests can drive it");
  }

  static ArchRule randomnessInjected(String root) {
    return noClasses()
        .that()
        .resideInAPackage(root + "..")
        .should()
        .callMethod(Math.class, "random")
        .orShould()
        .callMethod(StrictMath.class, "random")
        .orShould()
        .callConstructorWhere(
            describe(
                "a constructor of java.util.Random or a subclass",
                (JavaConstructorCall call) -> call.getTargetOwner().isAssignableTo(Random.class)))
        .orShould()
        .callMethodWhere(
            describe(
                "a factory of a random source",
                (JavaMethodCall call) ->
                    (call.getTargetOwner().isEquivalentTo(SecureRandom.class)
                            && call.getName().startsWith("getInstance"))
                        || call.getTargetOwner().isEquivalentTo(ThreadLocalRandom.class)
                            && call.getName().equals("current")
                        || call.getTargetOwner().isEquivalentTo(RandomGenerator.class)
                            && List.of("getDefault", "of").contains(call.getName())
                        || call.getTargetOwner().isEquivalentTo(RandomGeneratorFactory.class)))
        .orShould()
        .callMethod(UUID.class, "randomUUID")
        .because("randomness is injected, so that tests can fix it");
  }

  private static final String VIOLATING = "dev.callgate.archfixture.violating.core";
  private static final String COMPLIANT = "dev.callgate.archfixture.compliant.core";

  private static JavaClasses fixture(String root) {
    return new ClassFileImporter().importPackages(root);
  }

  @Test
  void jdkOnlyWhenACoreClassUsesALibraryThenFails() {
    assertThatThrownBy(() -> jdkOnly(VIOLATING).check(fixture(VIOLATING)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("JunitDependent")
        .hasMessageContaining("org.junit.jupiter.api.TestInfo");
  }

  @Test
  void domainWithoutServicesWhenADomainTypeUsesAServiceThenFails() {
    assertThatThrownBy(() -> domainWithoutServices(VIOLATING).check(fixture(VIOLATING)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("ServiceDependent")
        .hasMessageContaining("Refresher");
  }

  @Test
  void portsAreInterfacesOrValuesWhenAPortTypeIsAMutableClassThenFails() {
    assertThatThrownBy(() -> portsAreInterfacesOrValues(VIOLATING).check(fixture(VIOLATING)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("MutableHolder");
  }

  @Test
  void timeFromTheClockPortWhenCodeReadsTheMachineClockThenFailsForEveryWay() {
    assertThatThrownBy(() -> timeFromTheClockPort(VIOLATING).check(fixture(VIOLATING)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("WallClockReader.currentTimeMillis()")
        .hasMessageContaining("WallClockReader.nanoTime()")
        .hasMessageContaining("WallClockReader.instantNow()")
        .hasMessageContaining("WallClockReader.localDateTimeNow()")
        .hasMessageContaining("WallClockReader.systemClock()");
  }

  @Test
  void randomnessInjectedWhenCodeMakesItsOwnRandomnessThenFailsForEveryWay() {
    assertThatThrownBy(() -> randomnessInjected(VIOLATING).check(fixture(VIOLATING)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("DiceRoller.mathRandom()")
        .hasMessageContaining("DiceRoller.newRandom()")
        .hasMessageContaining("DiceRoller.newSecureRandom()")
        .hasMessageContaining("DiceRoller.strongSecureRandom()")
        .hasMessageContaining("DiceRoller.threadLocalRandom()")
        .hasMessageContaining("DiceRoller.defaultGenerator()")
        .hasMessageContaining("DiceRoller.randomUuid()");
  }

  @Test
  void everyRuleWhenCodeUsesTheJdkTheWayCoreMayThenPasses() {
    JavaClasses compliant = fixture(COMPLIANT);

    for (ArchRule rule :
        List.of(
            jdkOnly(COMPLIANT),
            domainWithoutServices(COMPLIANT),
            portsAreInterfacesOrValues(COMPLIANT),
            timeFromTheClockPort(COMPLIANT),
            randomnessInjected(COMPLIANT))) {
      assertThatCode(() -> rule.check(compliant)).doesNotThrowAnyException();
    }
  }
}
