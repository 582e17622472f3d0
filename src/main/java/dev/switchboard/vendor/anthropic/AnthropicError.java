package dev.switchboard.vendor.anthropic;

/**
 * The inner {@code error} of an Anthropic error body or stream {@code error} event:
 * {@code {"type":"overloaded_error","message":"Overloaded"}} (docs.claude.com/en/api/errors).
 */
record AnthropicError(String type, String message) {}
