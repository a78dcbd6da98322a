package org.sparktrain.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.sparktrain.TestJobs;
import org.sparktrain.TestSpark;
import org.sparktrain.spec.JobSpec;

/**
 * Categories are counted and capped inside Spark (at most 10,001 values reach the driver), with
 * the same outcomes as before: the exact count when over the cap, 1 and 1.0 as one category, a
 * missing value named.
 */
class DistinctCapIT {
  private static final StructType SCHEMA = new StructType()
      .add("x", DataTypes.DoubleType).add("code", DataTypes.StringType).add("y", DataTypes.IntegerType);

  private static Dataset<Row> rows(List<String> codes) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < codes.size(); i++) {
      rows.add(RowFactory.create((double) i, codes.get(i), i % 2));
    }
    return TestSpark.session().createDataFrame(rows, SCHEMA).repartition(3);
  }

  private static JobSpec spec() {
    return TestJobs.parse("""
        data: {format: parquet, path: unused, features: {categorical: [code]}, label: {column: y, kind: binary}}
        model: {layers: [{type: output, units: 1, activation: sigmoid, loss: binary_crossentropy}]}
        """);
  }

  private static List<String> codes(int n) {
    List<String> codes = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      codes.add(Integer.toString(i));
    }
    return codes;
  }

  @Test
  void overTheCapFailsWithTheExactCount() {
    DataException e = assertThrows(DataException.class, () -> Tabular.fit(rows(codes(10_050)), spec().data()));
    assertEquals("column 'code' has 10050 distinct values; expected a categorical column or label with at most 10000; drop it or treat it as numeric", e.getMessage());
  }

  @Test
  void rawValuesOverTheCapThatAreOneCategoryEachPass() {
    List<String> codes = codes(10_000);
    for (int i = 0; i < 200; i++) {
      codes.add(i + ".0"); // 1 and 1.0 are the same category
    }
    FeaturePipelineModel model = Tabular.fit(rows(codes), spec().data());
    assertEquals(10_000, model.params().categories().get(0).size());
    assertEquals(1 + 10_000, model.numInputs());
  }

  @Test
  void aMissingValueBeyondTheCapIsNamed() {
    List<String> codes = codes(10_020);
    codes.set(10_010, null);
    DataException e = assertThrows(DataException.class, () -> Tabular.fit(rows(codes), spec().data()));
    assertTrue(e.getMessage().startsWith("column 'code': missing values in the training split"), e.getMessage());
  }
}
