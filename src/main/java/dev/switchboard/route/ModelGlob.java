package dev.switchboard.route;

/**
 * Model name globs, for callers' allow-lists and platforms' {@code models} keys: an exact name, or a glob where {@code *} matches any run of characters (including none)
 * and every other character matches itself. Written by hand rather than turned into a regex: the model name comes
 * from the caller and the pattern from the config, and neither should ever be compiled as a regular expression
 * (metacharacters such as {@code .} or {@code (} in a model name would change its meaning, and a crafted pattern
 * could backtrack catastrophically). This matcher is greedy with one remembered star, so it runs in
 * O(pattern × name) at worst and without recursion.
 */
public final class ModelGlob {
    private ModelGlob() {}

    public static boolean matches(String pattern, String name) {
        int p = 0;
        int n = 0;
        int star = -1; // index in pattern of the last '*' seen
        int resume = 0; // index in name where that '*' stopped consuming
        while (n < name.length()) {
            if (p < pattern.length() && pattern.charAt(p) == '*') {
                star = p++;
                resume = n;
            } else if (p < pattern.length() && pattern.charAt(p) == name.charAt(n)) {
                p++;
                n++;
            } else if (star >= 0) {
                p = star + 1; // let the last '*' swallow one more character and retry from there
                n = ++resume;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }
}
