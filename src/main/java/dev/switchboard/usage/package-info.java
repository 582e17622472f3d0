/** Per-request accounting: the access log record and line, and reading token usage from OpenAI bodies. */
package dev.switchboard.usage;
