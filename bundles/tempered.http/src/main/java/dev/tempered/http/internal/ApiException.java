package dev.tempered.http.internal;

/** A request the API refuses: the HTTP status, a short machine-readable code and a message naming the problem. */
final class ApiException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String code;

    ApiException(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }

    static ApiException badRequest(String message) {
        return new ApiException(400, "bad_request", message);
    }
}
