/**
 * The decoder registry behind {@link dev.tempered.api.audio.AudioLoader}. Never exported.
 */
package dev.tempered.decode.internal;
