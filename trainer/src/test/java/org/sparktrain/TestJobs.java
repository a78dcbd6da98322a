package org.sparktrain;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.sparktrain.spec.JobSpec;
import org.sparktrain.spec.JobSpecLoader;

/** Job specs and paths for tests. The test working directory is the trainer module. */
public final class TestJobs {
  private TestJobs() {}

  /** The repository root. */
  public static Path repoRoot() {
    Path here = Path.of("").toAbsolutePath();
    return Files.exists(here.resolve("jobs")) ? here : here.getParent();
  }

  /** A shared dataset from ../shared/datasets beside the repository. */
  public static Path sharedDataset(String name) {
    return repoRoot().resolve("../shared/datasets").resolve(name).normalize();
  }

  public static JobSpec parse(String yaml, String... overrides) {
    return JobSpecLoader.parse(yaml, "test.yaml", List.of(overrides));
  }

  /** A job from jobs/ with overrides. */
  public static JobSpec job(String name, String... overrides) {
    return JobSpecLoader.load(repoRoot().resolve("jobs").resolve(name), List.of(overrides));
  }

  /**
   * The first {@code rows} customers of the churn dataset in {@code dir}. Where the shared dataset
   * is not beside the repository, rows of the same columns are generated, with churn following
   * age, activity and country, so that the tests still have something to learn.
   */
  public static Path churnSlice(Path dir, int rows) throws java.io.IOException {
    Path target = dir.resolve("churn-slice-" + rows + ".csv");
    Path shared = sharedDataset("Churn_Modelling.csv");
    if (Files.exists(shared)) {
      List<String> lines = Files.readAllLines(shared);
      Files.write(target, lines.subList(0, rows + 1));
      return target;
    }
    return syntheticChurn(target, rows);
  }

  /** Rows with the churn dataset's columns; churn follows age, activity and country. */
  public static Path syntheticChurn(Path target, int rows) throws java.io.IOException {
    java.util.Random r = new java.util.Random(17);
    List<String> lines = new java.util.ArrayList<>();
    lines.add("RowNumber,CustomerId,Surname,CreditScore,Geography,Gender,Age,Tenure,Balance,"
        + "NumOfProducts,HasCrCard,IsActiveMember,EstimatedSalary,Exited");
    String[] countries = {"France", "Spain", "Germany"};
    for (int i = 1; i <= rows; i++) {
      String country = countries[r.nextInt(3)];
      int age = 18 + r.nextInt(60);
      int active = r.nextInt(2);
      double logit = -4 + 0.08 * (age - 18) - 1.2 * active + ("Germany".equals(country) ? 0.9 : 0);
      int exited = r.nextDouble() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
      lines.add(String.join(",",
          Integer.toString(i), Integer.toString(15_000_000 + i), "Name" + i,
          Integer.toString(350 + r.nextInt(500)), country, r.nextBoolean() ? "Male" : "Female",
          Integer.toString(age), Integer.toString(r.nextInt(11)),
          String.format(java.util.Locale.ROOT, "%.2f", r.nextDouble() * 200_000),
          Integer.toString(1 + r.nextInt(4)), Integer.toString(r.nextInt(2)), Integer.toString(active),
          String.format(java.util.Locale.ROOT, "%.2f", r.nextDouble() * 200_000), Integer.toString(exited)));
    }
    Files.write(target, lines);
    return target;
  }
}
