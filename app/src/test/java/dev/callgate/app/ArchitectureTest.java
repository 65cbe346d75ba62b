package dev.callgate.app;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * The app's dependency rules. As in core, each rule is written for a root package so that it runs
 * both on the app's main classes (the {@link ArchTest} fields) and on the fixtures under {@code
 * dev.callgate.archfixture} (the {@link Test} methods), which prove that every rule bites.
 */
@AnalyzeClasses(packages = "dev.callgate.app", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
  private static final String APP = "dev.callgate.app";

  @ArchTest
  static final ArchRule routes_should_reach_no_port_and_no_adapter = routesWithoutPorts(APP);

  /**
   * Classes under {@code root.http} depend on no port of core and no adapter; the wiring ({@code
   * root.runtime}) may, since it builds the adapters and hands them to the use cases.
   */
  static ArchRule routesWithoutPorts(String root) {
    return noClasses()
        .that()
        .resideInAPackage(root + ".http..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.callgate.core.port..", "dev.callgate.adapter..")
        .because(
            "a route maps JSON to a use case's command and the outcome to HTTP; the rules live in"
                + " the use cases, which alone reach the stores and the adapters");
  }

  private static final String VIOLATING = "dev.callgate.archfixture.violating.app";
  private static final String COMPLIANT = "dev.callgate.archfixture.compliant.app";

  private static JavaClasses fixture(String root) {
    return new ClassFileImporter().importPackages(root);
  }

  @Test
  void routesWithoutPortsWhenARouteReadsAStoreOrBuildsAnAdapterThenFailsForBoth() {
    assertThatThrownBy(() -> routesWithoutPorts(VIOLATING).check(fixture(VIOLATING)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("StoreReadingRoute")
        .hasMessageContaining("dev.callgate.core.port.CredentialStore")
        .hasMessageContaining("AdapterBuildingRoute")
        .hasMessageContaining("dev.callgate.adapter.http.CalloutTransportOptions");
  }

  @Test
  void routesWithoutPortsWhenRoutesUseUseCasesAndTheWiringUsesAdaptersThenPasses() {
    JavaClasses compliant = fixture(COMPLIANT);

    assertThatCode(() -> routesWithoutPorts(COMPLIANT).check(compliant)).doesNotThrowAnyException();
  }
}
