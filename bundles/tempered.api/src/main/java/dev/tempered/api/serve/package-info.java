/**
 * The local HTTP API of a running application ({@code tempered serve}): hosts outside the JVM (beets, scripts)
 * reach the same services as the command line.
 */
@org.osgi.annotation.bundle.Export
@org.jspecify.annotations.NullMarked
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.tempered.api.serve;
