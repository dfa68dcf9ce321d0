package dev.deepcompress.quantization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepcompress.quantization.QuantizerSpec.Clipping;
import dev.deepcompress.quantization.QuantizerSpec.Mode;
import dev.deepcompress.quantization.QuantizerSpec.Scope;
import org.junit.jupiter.api.Test;

class QuantizerSpecTest {

  @Test
  void eachKindReadsWithItsDefaultsAndPrintsEveryOption() {
    String[][] cases = {
      {"kmeans", "kmeans:5,linear,step=mean,trained"},
      {"kmeans:3,density,post", "kmeans:3,density,step=mean,post"},
      {"KMEANS:8,KMeans++,Step=Sum", "kmeans:8,kmeans++,step=sum,trained"},
      {"uniform", "uniform:8,asym,per-tensor,minmax,trained"},
      {"uniform:4,asym,per-channel,mse", "uniform:4,asym,per-channel,mse,trained"},
      {
        " uniform:3 , sym , group=16 , percentile=99.9 , post",
        "uniform:3,sym,group=16,percentile=99.9,post"
      },
      {"log", "log:4,base2,trained"},
      {"log:5,sqrt2,post", "log:5,sqrt2,post"},
      {"ternary", "ternary:2,threshold=0.05,trained"},
      {"ternary:2,threshold=0.1,post", "ternary:2,threshold=0.1,post"},
      {"binary", "binary:1,trained"},
      {"binary:1,post", "binary:1,post"},
    };
    for (String[] c : cases) {
      QuantizerSpec spec = QuantizerSpec.parse(c[0]);
      assertEquals(c[1], spec.toString(), c[0]);
      assertEquals(spec, QuantizerSpec.parse(spec.toString()), "canonical text reads back");
    }
  }

  @Test
  void theFieldsAreWhatTheTextSays() {
    QuantizerSpec.Uniform uniform =
        (QuantizerSpec.Uniform) QuantizerSpec.parse("uniform:4,sym,group=8,percentile=99.5,post");
    assertEquals(
        new QuantizerSpec.Uniform(
            4, true, Scope.GROUP, 8, Clipping.PERCENTILE, 99.5, Mode.POST_TRAINING),
        uniform);
    assertEquals(
        new QuantizerSpec.KMeans(6, KMeans1D.Init.RANDOM, Mode.TRAINED),
        QuantizerSpec.parse("kmeans:6,random"));
    assertEquals(
        new QuantizerSpec.KMeans(
            6, KMeans1D.Init.LINEAR, QuantizerSpec.CentroidStep.SUM, Mode.TRAINED),
        QuantizerSpec.parse("kmeans:6,step=sum"));
    assertEquals(QuantizerSpec.KMeans.paper(6), QuantizerSpec.parse("kmeans:6,linear,step=sum"));
    assertEquals(new QuantizerSpec.Log(3, true, Mode.TRAINED), QuantizerSpec.parse("log:3,sqrt2"));
    assertEquals(2, QuantizerSpec.parse("ternary").bits());
    assertEquals(1, QuantizerSpec.parse("binary").bits());
    assertEquals(
        "kmeans:6,random,step=mean,post",
        QuantizerSpec.parse("kmeans:6,random").withMode(Mode.POST_TRAINING).toString());
  }

  @Test
  void aBadSpecSaysWhatIsWrong() {
    String[][] cases = {
      {
        "lloyd:4",
        "unknown quantizer 'lloyd' in 'lloyd:4'; known: [kmeans, uniform, log, ternary, binary]"
      },
      {"kmeans:0", "index bits must be in 1..8, got 0"},
      {"kmeans:x", "bits 'x' is not a whole number"},
      {"uniform:1", "uniform quantization takes 2-8 bits, got 1"},
      {"log:9", "log quantization takes 2-8 bits, got 9"},
      {"ternary:3", "ternary quantization has 2-bit indices"},
      {"binary:2", "binary quantization has 1-bit indices"},
      {"kmeans:4,sym", "quantizer 'kmeans:4,sym': kmeans has no option 'sym'"},
      {"kmeans:4,step=median", "k-means centroid step 'median' is neither sum nor mean"},
      {"kmeans:4,step=sum,step=mean", "quantizer 'kmeans:4,step=sum,step=mean' says both"},
      {"uniform:4,sym,asym", "quantizer 'uniform:4,sym,asym' says both sym and asym"},
      {"uniform:4,post,trained", "quantizer 'uniform:4,post,trained' says both post and trained"},
      {"uniform:4,group=0", "uniform: a group size is given exactly for group=G, G ≥ 1"},
      {"uniform:4,percentile=30", "uniform: percentile=P needs P in (50, 100], got 30"},
      {"uniform:4,percentile=abc", "percentile 'abc' is not a number"},
      {"ternary,threshold=1", "ternary: threshold=T needs T in [0, 1), got 1"},
      {"kmeans:4,", "empty option in quantizer 'kmeans:4,'"},
    };
    for (String[] c : cases) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> QuantizerSpec.parse(c[0]), c[0]);
      assertTrue(e.getMessage().startsWith(c[1]), c[0] + " → " + e.getMessage());
    }
  }
}
