package dev.tempered.api.tag;

import java.nio.file.Path;

/**
 * What happened to one file.
 *
 * @param file    the file
 * @param plan    the plan that was carried out
 * @param written whether the file was replaced by a verified rewrite
 * @param message a short account for reports
 */
public record TagResult(Path file, TagPlan plan, boolean written, String message) {
}
