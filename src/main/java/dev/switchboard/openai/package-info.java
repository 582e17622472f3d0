/**
 * The OpenAI chat-completions surface the gateway speaks to callers: request parsing and validation, the error
 * shape, and the shared Jackson configuration.
 */
package dev.switchboard.openai;
