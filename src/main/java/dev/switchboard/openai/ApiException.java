package dev.switchboard.openai;

/** Carries an {@link ApiError} out of synchronous validation code; never crosses an async boundary. */
public final class ApiException extends Exception {
    private final transient ApiError error;

    public ApiException(ApiError error) {
        super(error.code(), null, false, false);
        this.error = error;
    }

    public ApiError error() {
        return error;
    }
}
