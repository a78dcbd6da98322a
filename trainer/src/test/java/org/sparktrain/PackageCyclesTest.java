package org.sparktrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * The packages of the trainer depend on each other without cycles: jdeps reads the compiled
 * classes, and every strongly connected component of the package graph must be one package. A
 * failure names each cycle's packages and the class-level dependencies that close it.
 */
class PackageCyclesTest {
  private static final Path CLASSES = Path.of("target", "classes");
  private static final Pattern EDGE =
      Pattern.compile("^\\s+(org\\.sparktrain[\\w.$]*)\\s+->\\s+(org\\.sparktrain[\\w.$]*)\\s");

  @Test
  void thePackageGraphHasNoCycle() {
    Map<String, Set<String>> graph = edges(jdeps("-verbose:package"));
    assertTrue(graph.size() >= 10, "jdeps found only these packages in " + CLASSES.toAbsolutePath() + ": " + graph.keySet());
    List<Set<String>> cycles = cycles(graph);
    if (!cycles.isEmpty()) {
      Map<String, Set<String>> classes = edges(jdeps("-verbose:class"));
      StringBuilder why = new StringBuilder();
      for (Set<String> cycle : cycles) {
        why.append("\ncycle among ").append(cycle).append(':');
        classes.forEach((from, tos) -> tos.forEach(to -> {
          if (!packageOf(from).equals(packageOf(to)) && cycle.contains(packageOf(from)) && cycle.contains(packageOf(to))) {
            why.append("\n  ").append(from).append(" -> ").append(to);
          }
        }));
      }
      throw new AssertionError("package cycles (move the class to the package it belongs to):" + why);
    }
  }

  @Test
  void cyclesFindsLongCyclesAndOnlyThem() {
    Map<String, Set<String>> graph = new TreeMap<>();
    graph.put("a", Set.of("b"));
    graph.put("b", Set.of("c"));
    graph.put("c", Set.of("a", "d"));
    graph.put("d", Set.of("e"));
    graph.put("e", Set.of());
    graph.put("f", Set.of("g"));
    graph.put("g", Set.of("f"));
    assertEquals(List.of(Set.of("a", "b", "c"), Set.of("f", "g")), cycles(graph));
    graph.put("c", Set.of("d"));
    graph.put("g", Set.of());
    assertEquals(List.of(), cycles(graph));
  }

  private static String jdeps(String verbosity) {
    assertTrue(Files.isDirectory(CLASSES), "no compiled classes at " + CLASSES.toAbsolutePath() + "; compile first");
    ToolProvider jdeps =
        ToolProvider.findFirst("jdeps").orElseThrow(() -> new AssertionError("this JDK has no jdeps tool (module jdk.jdeps)"));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int rc = jdeps.run(new PrintWriter(out, true), new PrintWriter(err, true),
        verbosity, "-e", "org\\.sparktrain\\..*", CLASSES.toString());
    assertEquals(0, rc, "jdeps failed: " + err + out);
    return out.toString();
  }

  /** From -verbose output lines "   FROM   -> TO   classes", the edges between different names. */
  private static Map<String, Set<String>> edges(String jdepsOutput) {
    Map<String, Set<String>> graph = new TreeMap<>();
    for (String line : jdepsOutput.split("\n")) {
      Matcher m = EDGE.matcher(line);
      if (m.find() && !m.group(1).equals(m.group(2))) {
        graph.computeIfAbsent(m.group(1), k -> new TreeSet<>()).add(m.group(2));
        graph.computeIfAbsent(m.group(2), k -> new TreeSet<>());
      }
    }
    return graph;
  }

  private static String packageOf(String className) {
    return className.substring(0, className.lastIndexOf('.'));
  }

  /** The strongly connected components of more than one node (Tarjan), each sorted, in order of their first node. */
  static List<Set<String>> cycles(Map<String, Set<String>> graph) {
    Map<String, Integer> index = new HashMap<>();
    Map<String, Integer> low = new HashMap<>();
    Deque<String> stack = new ArrayDeque<>();
    Set<String> onStack = new java.util.HashSet<>();
    List<Set<String>> found = new ArrayList<>();
    for (String node : new TreeSet<>(graph.keySet())) {
      if (!index.containsKey(node)) {
        connect(node, graph, index, low, stack, onStack, found);
      }
    }
    found.sort((x, y) -> x.iterator().next().compareTo(y.iterator().next()));
    return found;
  }

  private static void connect(String v, Map<String, Set<String>> graph, Map<String, Integer> index, Map<String, Integer> low,
      Deque<String> stack, Set<String> onStack, List<Set<String>> found) {
    index.put(v, index.size());
    low.put(v, index.get(v));
    stack.push(v);
    onStack.add(v);
    for (String w : graph.getOrDefault(v, Set.of())) {
      if (!index.containsKey(w)) {
        connect(w, graph, index, low, stack, onStack, found);
        low.put(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.contains(w)) {
        low.put(v, Math.min(low.get(v), index.get(w)));
      }
    }
    if (low.get(v).equals(index.get(v))) {
      Set<String> component = new TreeSet<>();
      String w;
      do {
        w = stack.pop();
        onStack.remove(w);
        component.add(w);
      } while (!w.equals(v));
      if (component.size() > 1) {
        found.add(component);
      }
    }
  }
}
