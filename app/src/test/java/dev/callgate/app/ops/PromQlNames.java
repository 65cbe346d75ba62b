package dev.callgate.app.ops;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression selects — of a dashboard panel or an alert rule — without
 * its functions, aggregations, keywords, label names and values, ranges, numbers and Grafana
 * variables. Names are kept as written, suffix included ({@code _bucket}, {@code _count}, {@code
 * _total}): a query for {@code x_bucket} needs exactly that series, which a timer without a
 * histogram does not have although {@code x_count} exists.
 */
public final class PromQlNames {
  private static final Pattern STRING =
      Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
  private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
  private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
  private static final Pattern GROUPING =
      Pattern.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{[^}]*}|\\$\\w+");
  private static final Pattern IDENTIFIER =
      Pattern.compile("(?<![\\w.:])([A-Za-z_:][A-Za-z0-9_:]*)(\\s*\\()?");
  private static final Set<String> KEYWORDS =
      Set.of(
          "by",
          "without",
          "on",
          "ignoring",
          "group_left",
          "group_right",
          "offset",
          "bool",
          "and",
          "or",
          "unless",
          "inf",
          "nan",
          "atan2");

  private PromQlNames() {}

  /** The metric names {@code expression} selects. */
  public static Set<String> of(String expression) {
    String bare = STRING.matcher(expression).replaceAll("\"\"");
    bare = MATCHERS.matcher(bare).replaceAll(" ");
    bare = RANGE.matcher(bare).replaceAll(" ");
    bare = GROUPING.matcher(bare).replaceAll(" ");
    bare = VARIABLE.matcher(bare).replaceAll(" ");
    Set<String> names = new TreeSet<>();
    Matcher identifier = IDENTIFIER.matcher(bare);
    while (identifier.find()) {
      String name = identifier.group(1);
      boolean function = identifier.group(2) != null;
      if (!function && !KEYWORDS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
        names.add(name);
      }
    }
    return names;
  }
}
