package dev.tempered.api.serve;

import dev.tempered.api.TemperedException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The HTTP API over the application's services, published on the OSGi HTTP whiteboard. It answers only where a
 * whiteboard runtime listens, which only {@code tempered serve} starts; {@link #open} issues the token that every
 * state-changing request must carry.
 */
@ProviderType
public interface HttpApi {
    /** The request header that carries the token ({@code Authorization: Bearer TOKEN} is accepted too). */
    String TOKEN_HEADER = "X-Tempered-Token";

    /**
     * Writes a fresh token to {@code tokenFile} (owner read/write only), waits until the whiteboard serves the API,
     * and says where.
     *
     * @throws TemperedException if no HTTP runtime serves the API within {@code wait}, or the token cannot be written
     */
    Endpoint open(Path tokenFile, Duration wait) throws TemperedException;

    /** Withdraws the token (state-changing requests are refused again) and deletes its file. */
    void close();

    /**
     * Where the API answers.
     *
     * @param base      e.g. {@code http://127.0.0.1:8737/}
     * @param tokenFile the file holding the token
     */
    record Endpoint(URI base, Path tokenFile) {
        public Endpoint {
            Objects.requireNonNull(base, "base");
            Objects.requireNonNull(tokenFile, "tokenFile");
        }
    }
}
