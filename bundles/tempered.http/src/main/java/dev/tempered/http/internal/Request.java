package dev.tempered.http.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

/**
 * One HTTP request as the API sees it, independent of the servlet container.
 *
 * @param method        GET, POST, PUT...
 * @param path          the path below the API's root, e.g. {@code /models/active}
 * @param query         query parameters (repeatable)
 * @param token         the token the client sent, or null
 * @param contentType   the media type of the body, or null
 * @param contentLength the declared body length, or -1 when unknown (chunked)
 * @param body          the body, read at most once
 */
record Request(String method, String path, Map<String, List<String>> query, String token, String contentType,
        long contentLength, Body body) {
    Request {
        query = Map.copyOf(query);
    }

    String param(String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    List<String> params(String name) {
        return query.getOrDefault(name, List.of());
    }

    /** The request body. */
    interface Body {
        InputStream open() throws IOException;
    }
}
