package dev.tune4j.examples.serve;

/** An error answered with an HTTP status and an OpenAI-style JSON error body. */
final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;
    final String type;
    final String param;

    ApiException(int status, String type, String param, String message) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
    }

    static ApiException badRequest(String param, String message) {
        return new ApiException(400, "BadRequestError", param, message);
    }
}
