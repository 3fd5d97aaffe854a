package io.uringfs.fs;

import java.util.regex.PatternSyntaxException;

/**
 * Translates a glob (the syntax documented at {@link java.nio.file.FileSystem#getPathMatcher}) into
 * a {@link java.util.regex.Pattern} expression with exactly the default provider's Unix semantics:
 * {@code *} and {@code ?} stay within a name, {@code **} crosses names, {@code [...]} never matches
 * {@code /} ({@code !} negates, a leading {@code ^} is literal, a leading {@code -} is literal),
 * {@code {a,b}} groups do not nest, {@code \} escapes. Errors are {@link PatternSyntaxException}s
 * with the default provider's descriptions and indexes.
 *
 * <p>Thread safety: one instance translates one glob, on one thread.
 */
final class GlobTranslator {
    private static final String REGEX_META = ".^$+{[]|()";
    private static final String GLOB_META = "\\*?[{";
    private static final char END = 0;

    private final String glob;
    private final StringBuilder regex = new StringBuilder("^");
    private int pos;
    private boolean inGroup;

    private GlobTranslator(String glob) {
        this.glob = glob;
    }

    /** The regex equivalent of {@code glob}. */
    static String toRegex(String glob) {
        return new GlobTranslator(glob).translate();
    }

    private char peek() {
        return pos < glob.length() ? glob.charAt(pos) : END;
    }

    private PatternSyntaxException error(String description, int index) {
        return new PatternSyntaxException(description, glob, index);
    }

    private String translate() {
        while (pos < glob.length()) {
            char c = glob.charAt(pos++);
            switch (c) {
                case '\\' -> escape();
                case '[' -> charClass();
                case '{' -> {
                    if (inGroup) throw error("Cannot nest groups", pos - 1);
                    regex.append("(?:(?:");
                    inGroup = true;
                }
                case '}' -> {
                    regex.append(inGroup ? "))" : "}");
                    inGroup = false;
                }
                case ',' -> regex.append(inGroup ? ")|(?:" : ",");
                case '*' -> {
                    if (peek() == '*') {
                        regex.append(".*");
                        pos++;
                    } else {
                        regex.append("[^/]*");
                    }
                }
                case '?' -> regex.append("[^/]");
                default -> literal(c);
            }
        }
        if (inGroup) throw error("Missing '}", pos - 1);
        return regex.append('$').toString();
    }

    private void literal(char c) {
        if (REGEX_META.indexOf(c) >= 0) regex.append('\\');
        regex.append(c);
    }

    private void escape() {
        if (pos == glob.length()) throw error("No character to escape", pos - 1);
        char c = glob.charAt(pos++);
        if (GLOB_META.indexOf(c) >= 0 || REGEX_META.indexOf(c) >= 0) regex.append('\\');
        regex.append(c);
    }

    /** {@code [...]}: an intersection with {@code [^/]} keeps the class inside one name. */
    private void charClass() {
        regex.append("[[^/]&&[");
        if (peek() == '^') {
            regex.append("\\^");
            pos++;
        } else {
            if (peek() == '!') {
                regex.append('^');
                pos++;
            }
            if (peek() == '-') {
                regex.append('-');
                pos++;
            }
        }
        boolean rangeStartAvailable = false;
        char last = 0;
        char c = 0;
        while (pos < glob.length()) {
            c = glob.charAt(pos++);
            if (c == ']') break;
            if (c == '/') throw error("Explicit 'name separator' in class", pos - 1);
            // '\', '[' and "&&" mean something inside a regex class; the glob means them literally
            if (c == '\\' || c == '[' || (c == '&' && peek() == '&')) regex.append('\\');
            regex.append(c);
            if (c == '-') {
                if (!rangeStartAvailable) throw error("Invalid range", pos - 1);
                c = peek();
                pos++;
                if (c == END || c == ']') break;
                if (c < last) throw error("Invalid range", pos - 3);
                regex.append(c);
                rangeStartAvailable = false;
            } else {
                rangeStartAvailable = true;
                last = c;
            }
        }
        if (c != ']') throw error("Missing ']", pos - 1);
        regex.append("]]");
    }
}
