package dev.tempered.api;

import java.util.Objects;

/**
 * Names one version of one model package, written {@code id@version} wherever a result is attributed.
 *
 * @param id      the package id, e.g. {@code gtzan-mlp}; lowercase letters, digits, '.', '-' and '_'
 * @param version the package version, e.g. {@code 1.0.0}
 */
public record ModelRef(String id, String version) {
    public ModelRef {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(version, "version");
        if (!id.matches("[a-z0-9][a-z0-9._-]*")) {
            throw new IllegalArgumentException("model id must be lowercase letters, digits, '.', '-' or '_': " + id);
        }
        if (version.isBlank() || version.contains("@")) {
            throw new IllegalArgumentException("bad model version: '" + version + "'");
        }
    }

    /** Parses {@code id@version}. */
    public static ModelRef parse(String text) {
        int at = text.lastIndexOf('@');
        if (at <= 0 || at == text.length() - 1) {
            throw new IllegalArgumentException("expected id@version, got '" + text + "'");
        }
        return new ModelRef(text.substring(0, at), text.substring(at + 1));
    }

    @Override
    public String toString() {
        return id + "@" + version;
    }
}
