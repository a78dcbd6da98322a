package org.sparktrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class TextTest {
  @Test
  void tokensAreLowerCasedRunsOfLetters() {
    assertEquals(List.of("the", "lid", "wasn", "t", "great", "café"), Text.tokens("The lid wasn't GREAT!! 10/10 café"));
    assertEquals(List.of(), Text.tokens(null));
  }

  @Test
  void idsMapKnownWordsFromTwoUnknownToOneAndTruncate() {
    var index = Text.index(List.of("good", "not"));
    float[][] ids = Text.ids("not good at all", index, 3);
    assertArrayEquals(new float[][] {{3}, {2}, {Text.UNKNOWN}}, ids);
    assertArrayEquals(new float[][] {{Text.PADDING}}, Text.ids("", index, 3));
  }
}
